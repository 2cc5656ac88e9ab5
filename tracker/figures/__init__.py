"""The Figures page's figures: what managers, the Council's reporting and the States
ask of the data, each over the requests a user may see, narrowed by period, region
and domain.

- requests opened per year, with the change from the year before, by stage, region
  and domain (A/HRC/43/31 paras 95-97 state their figures so);
- how long requests stay in each stage (median and 90th percentile) and the share of
  open requests that are overdue;
- shares from least developed countries (para 112), from States under agenda item 10
  (para 63), following up UPR recommendations and, of those, following up imported
  UPR records (para 115);
- funding by source and year;
- whether the assistance is owned by the States that asked for it (paras 54-56):
  requests the State opened itself, days from a plan's proposal to the State's
  decision, plans rejected and the versions needed before approval, withdrawals by
  stage, and closed requests whose State published its lessons.

The backlog on a date is ``reports.backlog``. Everything is computed from the records
as they are: these functions are the reference any faster path must equal.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db.models import Count, Min, Q, QuerySet, Sum
from django.db.models.functions import ExtractYear
from django.utils import timezone
from django.utils.translation import gettext as _

from tracker import selectors, workflow
from tracker.figures import reports, standing, tallies
from tracker.figures.reports import change, ratio
from tracker.kernel.vocabulary import OPEN, Decision, EvaluationKind, Stage
from tracker.models import (
    AssistanceRequest,
    Channel,
    Consent,
    Evaluation,
    Funding,
    HistoryEntry,
    Plan,
    RecommendationSource,
)
from tracker.workflow import deadlines


@dataclass(frozen=True)
class Filters:
    """What the figures are narrowed to: years of opening, a region, a domain."""

    first_year: int | None = None
    last_year: int | None = None
    region: str = ""
    domain: str = ""

    @staticmethod
    def period_problem(first_year: int | None, last_year: int | None) -> str | None:
        """What is wrong with a period of years, if anything (one rule for every form)."""
        if first_year is not None and last_year is not None and first_year > last_year:
            return _("The last year comes after the first.")
        return None

    def apply(self, requests: QuerySet[AssistanceRequest]) -> QuerySet[AssistanceRequest]:
        if self.first_year is not None:
            requests = requests.filter(opened_at__year__gte=self.first_year)
        if self.last_year is not None:
            requests = requests.filter(opened_at__year__lte=self.last_year)
        if self.region:
            requests = requests.filter(requesting_state__region=self.region)
        if self.domain:
            # A subquery, not a join: a request with two domains counts once.
            requests = requests.filter(
                pk__in=AssistanceRequest.domains.through.objects.filter(
                    domain_id=self.domain
                ).values("assistancerequest_id")
            )
        return requests


def figures(
    requests: QuerySet[AssistanceRequest], filters: Filters = Filters(), now: datetime | None = None
) -> dict[str, Any]:
    """Every figure of the page (the backlog apart), over ``requests`` narrowed."""
    narrowed = filters.apply(requests)
    return {
        "opened_per_year": opened_per_year(narrowed),
        "time_in_stage": time_in_stage(narrowed, now or timezone.now()),
        "shares": shares(narrowed),
        "funding": funding(narrowed),
        "ownership": ownership(narrowed),
    }


def backlog(user: Any, narrowed: Filters, on: date, compare: date | None = None) -> dict[str, Any]:
    """The backlog the user may see, narrowed: from the standing backlog when it covers
    the question (every request, or a region's), else live from the history."""
    visible = selectors.visible_requests(user)
    standing_covers = _kept(narrowed) and _scope(user) == ""  # kept per region, not State
    counted = (lambda day: standing.open_on(day, narrowed.region)) if standing_covers else None
    return reports.backlog(narrowed.apply(visible), on, compare, counted)


def _kept(narrowed: Filters) -> bool:
    """Whether the standing backlog answers the question: not when it is about some
    years of opening or a domain (it is kept per stage and region only)."""
    return not (narrowed.first_year or narrowed.last_year or narrowed.domain)


def _scope(user: Any) -> str | None:
    """Whose figures the user reads: "" for every State's, a focal point its State's
    code, None for anyone else (who sees none)."""
    if workflow.sees_everything(user):
        return ""
    if user is not None and workflow.is_focal_point(user):
        return str(user.member_state_id)
    return None


def summary_for(user: Any, now: datetime | None = None) -> dict[str, Any]:
    """``reports.summary`` over the requests the user may see."""
    state = _scope(user)
    if state is not None and _caught_up():
        return kept_summary(Filters(), state, now)
    return reports.summary(selectors.visible_requests(user), now)


def figures_for(user: Any, narrowed: Filters, now: datetime | None = None) -> dict[str, Any]:
    """``figures`` over the requests the user may see, narrowed."""
    state = _scope(user)
    if state is not None and _caught_up():
        return kept_figures(narrowed, state, now)
    return figures(selectors.visible_requests(user), narrowed, now)


def _caught_up() -> bool:
    """Apply the changes the tallies have not counted yet, unless more wait than a
    reading should count (a bulk load): then the figures are computed live."""
    if tallies.pending():
        return False
    tallies.catch_up()
    return True


# --- requests opened per year ---------------------------------------------------------------


def opened_per_year(requests: QuerySet[AssistanceRequest]) -> dict[str, Any]:
    """Requests opened each year, the change from the year before, and each year's
    requests by their stage now, by region and by domain."""
    by_year = requests.annotate(year=ExtractYear("opened_at"))
    totals = dict(by_year.values_list("year").annotate(n=Count("pk")).order_by("year"))
    return {
        "years": _years(totals),
        "by_stage": _per_year(requests, "stage"),
        "by_region": _per_year(requests, "requesting_state__region"),
        "by_domain": _per_year(requests, "domains__code"),
    }


def _years(totals: dict[int, int]) -> list[dict[str, Any]]:
    """Each year's total and its change from the year before (when there is one)."""
    years = []
    for year in sorted(totals):
        before = totals.get(year - 1)
        years.append(
            {
                "year": year,
                "total": totals[year],
                "change": change(before, totals[year]) if before is not None else None,
            }
        )
    return years


def _per_year(requests: QuerySet[AssistanceRequest], key: str) -> dict[str, dict[str, int]]:
    rows = (
        requests.annotate(year=ExtractYear("opened_at"))
        .exclude(**{f"{key}__isnull": True})
        .values_list("year", key)
        .annotate(n=Count("pk", distinct=True))
        .order_by("year", key)
    )
    table: dict[str, dict[str, int]] = defaultdict(dict)
    for year, value, n in rows:
        table[str(year)][value] = n
    return dict(table)


# --- time in each stage ---------------------------------------------------------------------


def time_in_stage(requests: QuerySet[AssistanceRequest], now: datetime) -> dict[str, Any]:
    """Median and 90th-percentile days of the stays that ended, per stage; and how many
    of the open requests are overdue. A stay starts at the history row that entered
    the stage and ends at the next row that changed it."""
    found = reports.stays(requests)
    open_now = requests.filter(stage__in=OPEN).count()
    return _time_in_stage(found, open_now, requests.filter(deadlines.overdue_q(now)).count())


def _time_in_stage(
    found: dict[str, tuple[int, float, float]], open_now: int, overdue: int
) -> dict[str, Any]:
    by_stage = {
        stage.value: {
            "stays": found[stage][0],
            "median_days": _days(found[stage][1]),
            "p90_days": _days(found[stage][2]),
        }
        for stage in OPEN
        if stage in found
    }
    return {
        "stages": by_stage,
        "open": open_now,
        "overdue": overdue,
        "overdue_share": ratio(overdue, open_now),
    }


def _days(value: float) -> float:
    return round(float(value), 1)


class Percentile:
    """An interpolated percentile for SQLite (PostgreSQL's ``percentile_cont``),
    registered on each new connection (tracker.apps)."""

    fraction = 0.5

    def __init__(self) -> None:
        self.values: list[float] = []

    def step(self, value: float | None) -> None:
        if value is not None:
            self.values.append(value)

    def finalize(self) -> float | None:
        return percentile(self.values, self.fraction)


class Percentile90(Percentile):
    fraction = 0.9


def percentile(values: list[float], fraction: float) -> float | None:
    """As ``percentile_cont``: between the two nearest values, in proportion."""
    if not values:
        return None
    ordered = sorted(values)
    position = fraction * (len(ordered) - 1)
    below = int(position)
    above = min(below + 1, len(ordered) - 1)
    return ordered[below] + (ordered[above] - ordered[below]) * (position - below)


# --- shares of the report's groups of States --------------------------------------------------


def shares(requests: QuerySet[AssistanceRequest]) -> dict[str, Any]:
    """How many requests come from least developed countries, from States under agenda
    item 10, follow up UPR recommendations (a record or free text) and follow up
    imported UPR records, out of all."""
    counts = {
        "least_developed": requests.filter(requesting_state__is_ldc=True).count(),
        "agenda_item_10": requests.filter(requesting_state__under_agenda_item_10=True).count(),
        "upr_follow_up": requests.filter(recommendations__source=RecommendationSource.UPR)
        .values("pk")
        .distinct()
        .count(),
        "upr_record_follow_up": reports.following_upr_records(requests),
    }
    return _shares(requests.count(), counts)


def _shares(total: int, counts: dict[str, int]) -> dict[str, Any]:
    return {"total": total, **{name: _part(n, total) for name, n in counts.items()}}


def _part(count: int, whole: int) -> dict[str, Any]:
    return {"count": count, "share": ratio(count, whole)}


# --- funding ----------------------------------------------------------------------------------


def funding(requests: QuerySet[AssistanceRequest]) -> list[dict[str, Any]]:
    """Funding recorded for the requests, by year of opening, source and currency (the
    amounts of different currencies are never added up)."""
    rows = (
        Funding.objects.filter(request__in=requests)
        .annotate(year=ExtractYear("request__opened_at"))
        .values_list("year", "source", "currency")
        .annotate(amount=Sum("amount"))
        .order_by("year", "source", "currency")
    )
    return _funding(rows)


def _funding(rows: Iterable[tuple[int, str, str, Decimal]]) -> list[dict[str, Any]]:
    return [
        {"year": year, "source": source, "currency": currency, "amount": _money(amount)}
        for year, source, currency, amount in rows
    ]


def _money(amount: Decimal) -> str:
    return str(Decimal(amount).quantize(Decimal("0.01")))


# --- ownership (A/HRC/43/31 paras 54-56) ----------------------------------------------------


def ownership(requests: QuerySet[AssistanceRequest]) -> dict[str, Any]:
    closed = requests.filter(stage=Stage.CLOSED)
    shared = closed.filter(
        Q(
            pk__in=Evaluation.objects.filter(
                kind=EvaluationKind.FINAL, lessons_published=True
            ).values("request_id")
        )
        | Q(brief__published_at__isnull=False)
    ).count()
    withdrawn = dict(
        HistoryEntry.objects.filter(request__in=requests, transition="withdraw")
        .values_list("from_stage")
        .annotate(n=Count("pk"))
        .order_by()
    )
    plans = Plan.objects.filter(request__in=requests)
    decided = (
        Consent.objects.filter(plan__in=plans, decision__in=[Decision.APPROVED, Decision.DECLINED])
        .values("plan_id", "plan__proposed_at")
        .annotate(first=Min("recorded_at"))
        .order_by()
    )
    days = [(row["first"] - row["plan__proposed_at"]).total_seconds() / 86400 for row in decided]
    approved_first = Counter(
        version
        for _request, version in Consent.objects.filter(plan__in=plans, decision=Decision.APPROVED)
        .values_list("request_id")
        .annotate(version=Min("plan__version"))
        .order_by()
    )
    return _ownership(
        total=requests.count(),
        by_state=requests.filter(received_via=Channel.PORTAL).count(),
        closed=closed.count(),
        shared=shared,
        withdrawn=withdrawn,
        decisions=(len(days), statistics.median(days) if days else None),
        rejected=Consent.objects.filter(plan__in=plans, decision=Decision.DECLINED).count(),
        approved_first=approved_first,
    )


def _ownership(
    *,
    total: int,
    by_state: int,
    closed: int,
    shared: int,
    withdrawn: dict[str, int],
    decisions: tuple[int, float | None],
    rejected: int,
    approved_first: Counter[int],
) -> dict[str, Any]:
    """The ownership figures: ``decisions`` is how many plans the States decided on and
    the median days to their first decision; ``approved_first`` counts the requests by
    the plan version their State approved first."""
    approvals = sum(approved_first.values())
    decided, median_days = decisions
    return {
        "opened_by_the_state": _part(by_state, total),
        "logged_from_a_letter": _part(total - by_state, total),
        "days_to_decision": {
            "plans_decided": decided,
            "median_days": round(median_days, 1) if median_days is not None else None,
        },
        "plans_rejected": rejected,
        "versions_before_approval": {
            "approved": approvals,
            "by_version": {str(v): n for v, n in sorted(approved_first.items())},
            "mean": round(sum(v * n for v, n in approved_first.items()) / approvals, 2)
            if approvals
            else None,
        },
        "withdrawals_by_stage": {stage.value: withdrawn.get(stage, 0) for stage in OPEN},
        "closed": closed,
        "lessons_shared": _part(shared, closed),
    }


# --- from the figures kept up to date (tracker.figures.tallies) ---------------------------------


def kept_summary(
    narrowed: Filters = Filters(), state: str = "", now: datetime | None = None
) -> dict[str, Any]:
    """``reports.summary`` over every request (or a State's), narrowed, from the
    tallies."""
    sums = _sums(narrowed, state)
    requests = _of_scope(narrowed, state)
    total = sums.count("requests")
    by_stage = sums.count("stage", by="item")
    medians = sums.percentiles(OPEN, (0.5,))
    return {
        "total": total,
        "by_stage": {stage: by_stage.get(stage, 0) for stage in Stage.values},
        "by_region": dict(sorted(sums.count("requests", by="region").items())),
        "by_domain": dict(sorted(sums.count("domain", by="item").items())),
        "by_year": {str(y): n for y, n in sorted(sums.count("requests", by="year").items())},
        "median_days_in_stage": {
            stage.value: _days(medians[stage][1][0]) for stage in OPEN if stage in medians
        },
        "withdrawal_rate": ratio(by_stage.get(Stage.WITHDRAWN, 0), total),
        "overdue": requests.filter(deadlines.overdue_q(now or timezone.now())).count(),
        "upr_records": {
            "requests": sums.count("upr_record"),
            "records": reports.upr_records(requests),
        },
    }


def kept_figures(
    narrowed: Filters = Filters(), state: str = "", now: datetime | None = None
) -> dict[str, Any]:
    """``figures`` over every request (or a State's), narrowed, from the tallies."""
    sums = _sums(narrowed, state)
    requests = _of_scope(narrowed, state)
    total = sums.count("requests")
    by_stage = sums.count("stage", by="item")
    percentiles = sums.percentiles(OPEN, (0.5, 0.9))
    stays = {stage: (n, values[0], values[1]) for stage, (n, values) in percentiles.items()}
    overdue = requests.filter(deadlines.overdue_q(now or timezone.now())).count()
    return {
        "opened_per_year": {
            "years": _years(dict(sums.count("requests", by="year"))),
            "by_stage": sums.per_year("stage", by="item"),
            "by_region": sums.per_year("requests", by="region"),
            "by_domain": sums.per_year("domain", by="item"),
        },
        "time_in_stage": _time_in_stage(stays, sum(by_stage[s] for s in OPEN), overdue),
        "shares": _shares(total, {name: sums.count(kept) for name, kept in SHARES.items()}),
        "funding": _funding(sums.amounts("funding")),
        "ownership": _ownership(
            total=total,
            by_state=sums.count("opened_by_the_state"),
            closed=by_stage[Stage.CLOSED],
            shared=sums.count("lessons_shared"),
            withdrawn=dict(sums.count("withdrawn_from", by="item")),
            decisions=sums.median_days(tallies.DECISION),
            rejected=sums.count("plans_rejected"),
            approved_first=Counter(
                {int(v): n for v, n in sums.count("approved_version", by="item").items()}
            ),
        ),
    }


#: The shares of the report's groups of States, each with the tally that counts it.
SHARES = {
    "least_developed": "least_developed",
    "agenda_item_10": "agenda_item_10",
    "upr_follow_up": "upr_follow_up",
    "upr_record_follow_up": "upr_record",
}


def _sums(narrowed: Filters, state: str) -> tallies.Sums:
    return tallies.Sums(
        narrowed.region, state, narrowed.domain, narrowed.first_year, narrowed.last_year
    )


def _of_scope(narrowed: Filters, state: str) -> QuerySet[AssistanceRequest]:
    requests = AssistanceRequest.objects.all()
    if state:
        requests = requests.filter(requesting_state_id=state)
    return narrowed.apply(requests)


# --- as rows (CSV) -----------------------------------------------------------------------------

#: The figures' names, in the page's order.
NAMES = ("opened_per_year", "time_in_stage", "shares", "funding", "ownership")
COLUMNS = ("figure", "measure", "value")


def rows(found: dict[str, Any], only: str = "") -> list[list[object]]:
    """Every number of the figures as (figure, measure, value), the measure naming where
    it sits: ``by_region/2025/AFRICA``, ``years/2025/change/percent``."""
    table: list[list[object]] = []
    for name in NAMES:
        if name in found and (not only or name == only):
            table += [[name, path, value] for path, value in _leaves(found[name], "")]
    return table


def _leaves(value: Any, path: str) -> list[tuple[str, object]]:
    if isinstance(value, dict):
        return [
            leaf
            for key, inner in value.items()
            for leaf in _leaves(inner, f"{path}/{key}" if path else str(key))
        ]
    if isinstance(value, list):
        return [
            leaf
            for index, inner in enumerate(value)
            for leaf in _leaves(inner, _row_name(inner, index, path))
        ]
    return [(path, value)]


def _row_name(row: Any, index: int, path: str) -> str:
    """A list's row is named by its year, source and currency when it has them."""
    if isinstance(row, dict):
        keys = [str(row[k]) for k in ("year", "source", "currency") if k in row]
        name = "/".join(keys) if keys else str(index)
    else:
        name = str(index)
    return f"{path}/{name}" if path else name
