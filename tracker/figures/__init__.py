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

Each figure's count is declared once (``tracker.figures.measures``) and its shape
written once (``_summary``, ``_figures``), over either kind of sums: computed from the
records (``summary``, ``figures``: the reference) or read from the kept tallies
(``summary_for``, ``figures_for``: what the surfaces serve), which must be equal. The
backlog on a date is ``reports.backlog``.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from tracker import selectors
from tracker.figures import measures, reports, standing, tallies
from tracker.figures.measures import Percentile, Percentile90, percentile
from tracker.figures.reports import change, ratio
from tracker.kernel.vocabulary import OPEN, Stage
from tracker.models import AssistanceRequest
from tracker.workflow import deadlines

__all__ = [
    "NAMES",
    "SHARES",
    "Filters",
    "Percentile",
    "Percentile90",
    "Reading",
    "backlog",
    "figures",
    "figures_for",
    "kept_figures",
    "kept_summary",
    "percentile",
    "rows",
    "summary",
    "summary_for",
]


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


def summary(requests: QuerySet[AssistanceRequest], now: datetime | None = None) -> dict[str, Any]:
    """The summary report over ``requests``, computed from the records (the reference)."""
    return _summary(measures.LiveSums(requests), requests, now)


def figures(
    requests: QuerySet[AssistanceRequest], filters: Filters = Filters(), now: datetime | None = None
) -> dict[str, Any]:
    """Every figure of the page (the backlog apart), over ``requests`` narrowed, computed
    from the records (the reference)."""
    narrowed = filters.apply(requests)
    return _figures(measures.LiveSums(narrowed), narrowed, now)


class Reading(dict):
    """Figures read from the kept tallies. ``counted_up_to``: None when they count every
    change; else the moment of the oldest change they leave out, while more than
    ``tallies.WAITING_READ`` requests wait to be counted (after a bulk change): the
    surfaces say so (the API in a ``Figures-Counted-Up-To`` header)."""

    counted_up_to: datetime | None = None


def summary_for(user: Any, now: datetime | None = None) -> Reading:
    """The summary over the requests the user may see, from the kept tallies."""
    return kept_summary(Filters(), selectors.figures_scope(user), now)


def figures_for(user: Any, narrowed: Filters, now: datetime | None = None) -> Reading:
    """The figures over the requests the user may see, narrowed, from the kept tallies."""
    return kept_figures(narrowed, selectors.figures_scope(user), now)


def kept_summary(
    narrowed: Filters = Filters(), state: str | None = "", now: datetime | None = None
) -> Reading:
    """``summary`` over every request (``state`` empty), a State's, or none (None),
    narrowed, from the kept tallies."""
    return _kept(narrowed, state, now, _summary)


def kept_figures(
    narrowed: Filters = Filters(), state: str | None = "", now: datetime | None = None
) -> Reading:
    """``figures`` over every request (``state`` empty), a State's, or none (None),
    narrowed, from the kept tallies."""
    return _kept(narrowed, state, now, _figures)


def _kept(narrowed: Filters, state: str | None, now: datetime | None, shape: Any) -> Reading:
    """A reading of the kept figures in one read-only snapshot: no lock, no write."""
    requests = narrowed.apply(selectors.in_scope(state))
    if state is None:  # sees no request: there is nothing to read
        return Reading(shape(measures.LiveSums(requests), requests, now))
    with tallies.snapshot():
        sums = tallies.KeptSums(
            requests,
            narrowed.region,
            state,
            narrowed.domain,
            narrowed.first_year,
            narrowed.last_year,
        )
        found = Reading(shape(sums, requests, now))
    found.counted_up_to = sums.counted_up_to
    return found


def backlog(user: Any, narrowed: Filters, on: date, compare: date | None = None) -> dict[str, Any]:
    """The backlog the user may see, narrowed: from the standing backlog when it covers
    the question (every request, or a region's), else live from the history."""
    visible = selectors.visible_requests(user)
    # Kept per stage and region only: not per State, domain or year of opening.
    standing_covers = selectors.figures_scope(user) == "" and not (
        narrowed.first_year or narrowed.last_year or narrowed.domain
    )
    counted = (lambda day: standing.open_on(day, narrowed.region)) if standing_covers else None
    return reports.backlog(narrowed.apply(visible), on, compare, counted)


# --- the figures' shapes, over either kind of sums ------------------------------------------


def _summary(
    sums: measures.Sums, requests: QuerySet[AssistanceRequest], now: datetime | None
) -> dict[str, Any]:
    """Counts by stage, region, domain and year, median days per stage, the withdrawal
    rate, the overdue, and the follow-up of imported UPR records."""
    total = sums.count("requests")
    by_stage = sums.count("stage", by="item")
    stays = sums.percentiles()
    return {
        "total": total,
        "by_stage": {stage: by_stage.get(stage, 0) for stage in Stage.values},
        "by_region": dict(sorted(sums.count("requests", by="region").items())),
        "by_domain": dict(sorted(sums.count("domain", by="item").items())),
        "by_year": {str(y): n for y, n in sorted(sums.count("requests", by="year").items())},
        "median_days_in_stage": {
            stage.value: _days(stays[stage][1][0]) for stage in OPEN if stage in stays
        },
        # Share of all requests that their State withdrew (A/HRC/43/31 para 30).
        "withdrawal_rate": ratio(by_stage.get(Stage.WITHDRAWN, 0), total),
        "overdue": _overdue(requests, now),
        # A/HRC/43/31 para 115: how much assistance follows up the review's
        # recommendations, counted on the imported UPR records the requests link to.
        "upr_records": {
            "requests": sums.count("upr_record"),
            "records": reports.upr_records(requests),
        },
    }


def _figures(
    sums: measures.Sums, requests: QuerySet[AssistanceRequest], now: datetime | None
) -> dict[str, Any]:
    total = sums.count("requests")
    by_stage = sums.count("stage", by="item")
    stays = sums.percentiles()
    open_now = sum(by_stage[stage] for stage in OPEN)
    overdue = _overdue(requests, now)
    decisions = stays.get(measures.DECISION, (0, [0.0]))
    approved_first = Counter(
        {int(v): n for v, n in sums.count("approved_version", by="item").items()}
    )
    approvals = sum(approved_first.values())
    closed = by_stage[Stage.CLOSED]
    withdrawn = sums.count("withdrawn_from", by="item")
    totals = dict(sums.count("requests", by="year"))
    return {
        # A/HRC/43/31 paras 95-97 state their figures so: each year's, and the change.
        "opened_per_year": {
            "years": _years(totals),
            "by_stage": _every_year(sums.per_year("stage", by="item"), totals),
            "by_region": _every_year(sums.per_year("requests", by="region"), totals),
            "by_domain": _every_year(sums.per_year("domain", by="item"), totals),
        },
        "time_in_stage": {
            "stages": {
                stage.value: {
                    "stays": stays[stage][0],
                    "median_days": _days(stays[stage][1][0]),
                    "p90_days": _days(stays[stage][1][1]),
                }
                for stage in OPEN
                if stage in stays
            },
            "open": open_now,
            "overdue": overdue,
            "overdue_share": ratio(overdue, open_now),
        },
        "shares": {
            "total": total,
            **{name: _part(sums.count(kept), total) for name, kept in SHARES.items()},
        },
        "funding": [
            {"year": year, "source": source, "currency": currency, "amount": _money(amount)}
            for year, source, currency, amount in sums.amounts("funding")
        ],
        # Whether the assistance is owned by the States that asked for it (paras 54-56).
        "ownership": {
            "opened_by_the_state": _part(sums.count("opened_by_the_state"), total),
            "logged_from_a_letter": _part(total - sums.count("opened_by_the_state"), total),
            "days_to_decision": {
                "plans_decided": decisions[0],
                "median_days": _days(decisions[1][0]) if decisions[0] else None,
            },
            "plans_rejected": sums.count("plans_rejected"),
            "versions_before_approval": {
                "approved": approvals,
                "by_version": {str(v): n for v, n in sorted(approved_first.items())},
                "mean": round(sum(v * n for v, n in approved_first.items()) / approvals, 2)
                if approvals
                else None,
            },
            "withdrawals_by_stage": {stage.value: withdrawn.get(stage, 0) for stage in OPEN},
            "closed": closed,
            "lessons_shared": _part(sums.count("lessons_shared"), closed),
        },
    }


#: The shares of the report's groups of States (paras 63, 112, 115), each with the
#: measure that counts it.
SHARES = {
    "least_developed": "least_developed",
    "agenda_item_10": "agenda_item_10",
    "upr_follow_up": "upr_follow_up",
    "upr_record_follow_up": "upr_record",
}


def _overdue(requests: QuerySet[AssistanceRequest], now: datetime | None) -> int:
    """Overdue depends on the time of reading: always counted live."""
    return requests.filter(deadlines.overdue_q(now or timezone.now())).count()


def _span(totals: dict[int, int]) -> range:
    """Every year from the first with a request to the last: a year with none is a
    figure too (0), or the years beside it would look consecutive."""
    return range(min(totals), max(totals) + 1) if totals else range(0)


def _years(totals: dict[int, int]) -> list[dict[str, Any]]:
    """Each year's total and its change from the year before (none for the first)."""
    span = _span(totals)
    return [
        {
            "year": year,
            "total": totals.get(year, 0),
            "change": change(totals.get(year - 1, 0), totals.get(year, 0))
            if year != span.start
            else None,
        }
        for year in span
    ]


def _every_year(table: dict[str, dict[str, int]], totals: dict[int, int]) -> dict[str, Any]:
    """``table`` (per year, then per kind) with a row, maybe empty, for every year."""
    return {str(year): table.get(str(year), {}) for year in _span(totals)}


def _days(value: float) -> float:
    return round(float(value), 1)


def _part(count: int, whole: int) -> dict[str, Any]:
    return {"count": count, "share": ratio(count, whole)}


def _money(amount: Decimal) -> str:
    return str(Decimal(amount).quantize(Decimal("0.01")))


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
