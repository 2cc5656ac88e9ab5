"""What each request adds to the figures, declared once.

A ``Count`` says what a request counts for (itself, its stage, its domains, its
withdrawals, its funding...), a duration kind what lengths it adds (its stays in each
stage, the waits for its State's decisions on its plans). Both ways of reading the
figures follow from these declarations:

- live, grouped in the database over any requests (``LiveSums``): the reference;
- kept, request by request, in the tallies (``tracker.figures.tallies``), read in a
  few thousand rows whatever the number of requests.

``tracker.figures`` turns either into the same figures, so a new figure is one
declaration here and its line in the figures' shape. Durations are kept to the tenth
of a day, the precision the figures show (a median of 12.3 days): a length is rounded
to the nearest tenth, halves up, before any median is taken, on both ways.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import (
    CharField,
    Count,
    F,
    Model,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Cast, Concat, ExtractYear

from tracker.kernel.vocabulary import Decision, EvaluationKind, Stage
from tracker.models import (
    AssistanceRequest,
    Brief,
    Channel,
    Consent,
    Evaluation,
    Funding,
    HistoryEntry,
    LinkedRecommendation,
    RecommendationSource,
)

#: The wait for the State's first decision on a plan (its kind among the stays').
DECISION = "decision"
#: Every kind of length: a stay in each stage (a request may leave a final one: a
#: back-dated step), and the State's decisions. The figures show the open stages'.
KINDS = (*Stage.values, DECISION)
#: Lengths are kept in tenths of a day: the figures show days to one decimal.
TENTH = 8640  # seconds


@dataclass(frozen=True)
class Measure:
    """A figure's count: for each request, ``n`` (and ``amount``) under an ``item``.

    ``model`` holds what is counted: the requests themselves (``request`` empty) or
    rows of theirs (``request`` the path from a row to its request). ``once``: a
    request counts once per item; otherwise each row counts (withdrawals, rejections)."""

    name: str
    model: Callable[[], type[Model]] = lambda: AssistanceRequest
    request: str = ""
    where: Q = field(default_factory=Q)
    item: Any = None  # an expression; none: the measure has one line
    amount: str | None = None
    once: bool = True

    def _rows(self, requests: QuerySet[AssistanceRequest]) -> QuerySet:
        if self.request:
            rows = self.model()._default_manager.filter(
                **{f"{self.request}__in": requests.values("pk")}
            )
        else:
            rows = requests.model.objects.filter(pk__in=requests.values("pk"))
        item = Value("") if self.item is None else Cast(self.item, CharField())
        return rows.annotate(_item=item).filter(self.where)

    def _path(self, name: str) -> str:
        return f"{self.request}__{name}" if self.request else name

    def _sums(self) -> dict[str, Any]:
        key = self._path("pk")
        found: dict[str, Any] = {"n": Count(key, distinct=True) if self.once else Count("pk")}
        if self.amount:
            found["total"] = Sum(self.amount)
        return found

    def per_request(
        self, requests: QuerySet[AssistanceRequest]
    ) -> Iterable[tuple[int, str, int, Decimal]]:
        """(request, item, n, amount) for each request and item."""
        rows = (
            self._rows(requests)
            .annotate(_request=F(self._path("pk")))
            .values("_request", "_item")
            .annotate(**self._sums())
            .order_by()
        )
        for row in rows:
            yield row["_request"], row["_item"], row["n"], Decimal(row.get("total") or 0)

    def grouped(
        self, requests: QuerySet[AssistanceRequest]
    ) -> Iterable[tuple[str, str, int, int, Decimal]]:
        """(item, region, year, n, amount), over ``requests``, in the database."""
        rows = (
            self._rows(requests)
            .annotate(
                _region=F(self._path("requesting_state__region")),
                _year=ExtractYear(self._path("opened_at")),
            )
            .values("_item", "_region", "_year")
            .annotate(**self._sums())
            .order_by()
        )
        for row in rows:
            yield (
                row["_item"],
                row["_region"],
                row["_year"],
                row["n"],
                Decimal(row.get("total") or 0),
            )


def _requests_with(rows: QuerySet) -> Q:
    return Q(pk__in=rows.values("request_id"))


_LESSONS = Evaluation.objects.filter(kind=EvaluationKind.FINAL, lessons_published=True)
_FIRST_APPROVED = (
    Consent.objects.filter(request=OuterRef("pk"), decision=Decision.APPROVED, plan__isnull=False)
    .order_by("plan__version")
    .values("plan__version")[:1]
)

#: Every count the figures read, each declared once.
MEASURES = (
    Measure("requests"),
    Measure("stage", item=F("stage")),
    Measure(
        "domain",
        model=lambda: AssistanceRequest.domains.through,
        request="assistancerequest",
        item=F("domain_id"),
    ),
    # The report's groups of States (A/HRC/43/31 paras 63, 112).
    Measure("least_developed", where=Q(requesting_state__is_ldc=True)),
    Measure("agenda_item_10", where=Q(requesting_state__under_agenda_item_10=True)),
    # Following up UPR recommendations, and imported UPR records of them (para 115).
    Measure(
        "upr_follow_up",
        where=_requests_with(LinkedRecommendation.objects.filter(source=RecommendationSource.UPR)),
    ),
    Measure(
        "upr_record",
        where=_requests_with(LinkedRecommendation.objects.filter(record__isnull=False)),
    ),
    # Ownership (paras 54-56): opened by the State, withdrawn, plans rejected, the
    # version first approved, lessons shared once closed.
    Measure("opened_by_the_state", where=Q(received_via=Channel.PORTAL)),
    Measure(
        "withdrawn_from",
        model=lambda: HistoryEntry,
        request="request",
        where=Q(transition="withdraw"),
        item=F("from_stage"),
        once=False,
    ),
    Measure(
        "plans_rejected",
        model=lambda: Consent,
        request="request",
        where=Q(decision=Decision.DECLINED, plan__isnull=False),
        once=False,
    ),
    Measure(
        "approved_version",
        item=Subquery(_FIRST_APPROVED),
        where=Q(_item__isnull=False),
    ),
    Measure(
        "lessons_shared",
        where=Q(stage=Stage.CLOSED)
        & (
            _requests_with(_LESSONS)
            | _requests_with(Brief.objects.filter(published_at__isnull=False))
        ),
    ),
    Measure(
        "funding",
        model=lambda: Funding,
        request="request",
        item=Concat("source", Value("/"), "currency", output_field=CharField()),
        amount="amount",
        once=False,
    ),
)


# --- durations ------------------------------------------------------------------------------

#: A length in tenths of a day, to the nearest, halves up. PostgreSQL's EXTRACT(EPOCH)
#: is exact (numeric); on SQLite the microseconds Django's own function gives are
#: rounded by ``tenths_of_day`` (registered on each connection, tracker.apps).
_TENTHS = {
    "postgresql": "FLOOR(EXTRACT(EPOCH FROM ({end} - {start})) / 8640 + 0.5)::bigint",
    "sqlite": "tenths_of_day(django_timestamp_diff({end}, {start}))",
}


def tenths_of_day(micros: int | None) -> int | None:
    """Microseconds to tenths of a day, to the nearest, halves up (exact, integers)."""
    if micros is None:
        return None
    return (2 * micros + TENTH * 1_000_000) // (2 * TENTH * 1_000_000)


def _durations_sql(ids_sql: str) -> str:
    """(request, kind, tenths) of every length the requests in ``ids_sql`` add: each
    stay that ended (it starts at the history row that entered the stage and ends at
    the next row that changed it: a rejected plan does not restart consultation), and
    for each plan the wait from its proposal to the State's first decision on it."""
    tenths = _TENTHS[connection.vendor]
    history, consents = HistoryEntry._meta.db_table, Consent._meta.db_table
    plans = Consent.plan.field.related_model._meta.db_table
    stays = tenths.format(start="entered_at", end="left_at")
    waits = tenths.format(start="p.proposed_at", end="MIN(c.recorded_at)")
    return f"""
        WITH changes AS (
            SELECT h.request_id, h.to_stage AS stage, h.at AS entered_at,
                   LEAD(h.at) OVER (PARTITION BY h.request_id ORDER BY h.at, h.id) AS left_at
            FROM {history} h
            WHERE h.from_stage <> h.to_stage AND h.request_id IN ({ids_sql})
        )
        SELECT request_id, stage AS kind, {stays} AS tenths FROM changes
        WHERE left_at IS NOT NULL
        UNION ALL
        SELECT p.request_id, '{DECISION}' AS kind, {waits} AS tenths
        FROM {consents} c JOIN {plans} p ON c.plan_id = p.id
        WHERE c.decision IN ('{Decision.APPROVED}', '{Decision.DECLINED}')
          AND p.request_id IN ({ids_sql})
        GROUP BY p.id, p.request_id, p.proposed_at
    """  # noqa: S608 (only table names and fixed words are formatted in)


def _ids(requests: QuerySet[AssistanceRequest]) -> tuple[str, tuple]:
    """The SQL of the requests' ids, unordered: an order would make the database sort
    what it only needs to find."""
    return requests.order_by().values("pk").query.sql_with_params()


def durations(requests: QuerySet[AssistanceRequest]) -> list[tuple[int, str, int]]:
    """(request, kind, tenths) of every length ``requests`` add."""
    try:
        ids_sql, params = _ids(requests)
    except EmptyResultSet:  # requests.none(): someone who sees none
        return []
    with connection.cursor() as cursor:
        cursor.execute(_durations_sql(ids_sql), [*params, *params])
        return cursor.fetchall()


# SQLite's percentiles are registered on each connection (tracker.apps, Percentile).
_PERCENTILES = {
    "postgresql": "percentile_cont(0.5) WITHIN GROUP (ORDER BY tenths), "
    "percentile_cont(0.9) WITHIN GROUP (ORDER BY tenths)",
    "sqlite": "median(tenths), percentile_90(tenths)",
}
#: The fractions the live percentiles compute (``_PERCENTILES``).
FRACTIONS = (0.5, 0.9)


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


# --- reading the counts ---------------------------------------------------------------------

Cell = tuple[str, str, int, int, Decimal]  # item, region, year, n, amount


class Sums:
    """The counts of a set of requests, per measure: (item, region, year, n, amount)
    rows; and the lengths' percentiles per kind. ``LiveSums`` computes them from the
    records, ``tallies.KeptSums`` reads them kept."""

    def __init__(self) -> None:
        self.cells: dict[str, list[Cell]] = defaultdict(list)

    def count(self, measure: str, by: str = "") -> Any:
        """The count of ``measure``, or a Counter of it by "item", "region" or "year"."""
        found: Counter = Counter()
        for item, region, year, n, _amount in self.cells[measure]:
            if n:
                found[{"item": item, "region": region, "year": year, "": None}[by]] += n
        return found[None] if not by else +found

    def per_year(self, measure: str, by: str) -> dict[str, dict[str, int]]:
        """``measure`` per year, then by "item" or "region"."""
        table: dict[str, Counter[str]] = defaultdict(Counter)
        for item, region, year, n, _amount in self.cells[measure]:
            table[str(year)][item if by == "item" else region] += n
        found = {year: dict(sorted((+row).items())) for year, row in sorted(table.items())}
        return {year: row for year, row in found.items() if row}

    def amounts(self, measure: str) -> list[tuple[int, str, str, Decimal]]:
        """Sums by year and item ("source/currency"): (year, source, currency, amount)."""
        found: dict[tuple[int, str], list] = defaultdict(lambda: [0, Decimal(0)])
        for item, _region, year, n, amount in self.cells[measure]:
            found[(year, item)][0] += n
            found[(year, item)][1] += amount
        return sorted(
            (year, *item.split("/", 1), amount) for (year, item), (n, amount) in found.items() if n
        )

    def percentiles(self) -> dict[str, tuple[int, list[float]]]:
        """Per kind that has lengths: how many, and their percentiles at ``FRACTIONS``
        in days, as PostgreSQL's ``percentile_cont`` gives them."""
        raise NotImplementedError


class LiveSums(Sums):
    """The counts and percentiles of ``requests``, computed from the records."""

    def __init__(self, requests: QuerySet[AssistanceRequest]) -> None:
        super().__init__()
        self.requests = requests
        for measure in MEASURES:
            self.cells[measure.name] = [
                (str(item), region, year, n, amount)
                for item, region, year, n, amount in measure.grouped(requests)
            ]

    def percentiles(self) -> dict[str, tuple[int, list[float]]]:
        return live_percentiles(self.requests)


def live_percentiles(requests: QuerySet[AssistanceRequest]) -> dict[str, tuple[int, list[float]]]:
    """``Sums.percentiles`` of ``requests``, computed from the records."""
    try:
        ids_sql, params = _ids(requests)
    except EmptyResultSet:
        return {}
    sql = (
        f"SELECT kind, count(*), {_PERCENTILES[connection.vendor]} "  # noqa: S608
        f"FROM ({_durations_sql(ids_sql)}) lengths GROUP BY kind"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, *params])
        return {
            kind: (n, [float(value) / 10 for value in values])
            for kind, n, *values in cursor.fetchall()
        }
