"""Figures kept up to date as the data changes: the summary and the Figures page over
every request (or a region's) read a few thousand rows, whatever the number of
requests.

Each request adds to the figures a handful of counts (its stage, region and year of
opening, its domains, whether its State is a least developed country, its withdrawals,
its funding...) and of durations (its stays in each stage, the waits for its State's
decisions on its plans). ``TalliedRequest`` keeps what each request added when last
counted; ``FigureTally`` and ``DurationTally`` keep the sums. Any change to what a
request adds writes a ``TallyChange`` row in the change's own transaction; before the
figures are read, the requests changed since are counted again and only the
difference is applied (``catch_up``). The sums are therefore exactly what the live
computation gives (``tracker.figures``, ``tracker.figures.reports``): tests compare them on
random histories (tests/test_tallies.py). When more changes wait than a reading should
count (a bulk load), the figures are computed live; ``rebuild`` counts everything
again.

A median needs the values, not only their number: the durations are kept per length
(to the microsecond) in buckets about 1.5 % wide, and their count per bucket; the
median is found by adding up the buckets' counts, then reading the one bucket's rows.
"""

from __future__ import annotations

import itertools
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.db.models import Min, Q, Sum
from django.utils import timezone

from tracker.kernel.vocabulary import Decision, EvaluationKind, Stage
from tracker.models import (
    AssistanceRequest,
    Brief,
    Channel,
    Consent,
    DurationTally,
    Evaluation,
    FigureTally,
    Funding,
    HistoryEntry,
    LinkedRecommendation,
    Plan,
    RecommendationSource,
    TalliedRequest,
    TallyChange,
)

#: More changes than this waiting (a transition writes two or three), and a reading
#: computes the figures live instead: counting 5 000 changed requests again takes some
#: seconds, the live figures at 1 000 000 requests ten or more.
CATCH_UP_LIMIT = 5000
BATCH = 2000
#: The durations: a stay in a stage is kept under the stage; this, a plan's wait.
DECISION = "decision"
DAYS = "days/"  # FigureTally measure of a kind's histogram: "days/consultation"

Cell = tuple[str, str, str, str, str, int]  # measure, item, region, state, domain, year
Length = tuple[str, str, str, str, int, int]  # kind, region, state, domain, year, micros
#: A cell's or a length's state and domain: "" for every one.
Counts = dict[Cell, tuple[int, Decimal]]  # a request's counts (and amounts) per cell
Lengths = Counter[Length]  # a request's durations: how many of each length
Share = tuple[Counts, Lengths]  # what one request adds


# --- what a request adds ------------------------------------------------------------------------


def contributions(ids: list[int]) -> dict[int, Share]:
    """What each request of ``ids`` adds now: its counts (cell -> (count, amount)) and
    its durations (length -> how many). A request that no longer exists adds nothing."""
    requests = AssistanceRequest.objects.filter(pk__in=ids).values_list(
        "pk",
        "stage",
        "opened_at",
        "received_via",
        "requesting_state",
        "requesting_state__region",
        "requesting_state__is_ldc",
        "requesting_state__under_agenda_item_10",
    )
    found: dict[int, Share] = {}
    place: dict[int, tuple[str, str, list[str], int]] = {}
    flags: dict[str, set[int]] = _flags(ids)
    domains: dict[int, list[str]] = defaultdict(list)
    for pk, domain in AssistanceRequest.domains.through.objects.filter(
        assistancerequest_id__in=ids
    ).values_list("assistancerequest_id", "domain_id"):
        domains[pk].append(domain)
    tz = timezone.get_default_timezone()
    for pk, stage, opened_at, via, state, region, ldc, item_10 in requests:
        place[pk] = (region, state, domains[pk], timezone.localtime(opened_at, tz).year)
        found[pk] = ({}, Counter())
        held = {
            "requests": True,
            "least_developed": ldc,
            "agenda_item_10": item_10,
            "opened_by_the_state": via == Channel.PORTAL,
            # Lessons count as shared once the request is closed (ownership figures).
            **{
                name: pk in holders and (name != "lessons_shared" or stage == Stage.CLOSED)
                for name, holders in flags.items()
            },
        }
        for name in (name for name, yes in held.items() if yes):
            _add(found, place, pk, (name, ""))
        _add(found, place, pk, ("stage", stage))
    for pk, own in domains.items():
        for domain in own:
            _add(found, place, pk, ("domain", domain))
    _history(found, place, ids)
    _plans(found, place, ids)
    for pk, source, currency, n, amount in (
        Funding.objects.filter(request_id__in=ids)
        .values_list("request_id", "source", "currency")
        .annotate(n=Sum(1), amount=Sum("amount"))
        .order_by()
    ):
        _add(found, place, pk, ("funding", f"{source}/{currency}"), n, Decimal(amount))
    return found


def _flags(ids: list[int]) -> dict[str, set[int]]:
    links = LinkedRecommendation.objects.filter(request_id__in=ids)
    lessons = Evaluation.objects.filter(
        request_id__in=ids, kind=EvaluationKind.FINAL, lessons_published=True
    ).values_list("request_id", flat=True)
    briefs = Brief.objects.filter(request_id__in=ids, published_at__isnull=False)
    return {
        "upr_follow_up": set(
            links.filter(source=RecommendationSource.UPR).values_list("request_id", flat=True)
        ),
        "upr_record": set(links.filter(record__isnull=False).values_list("request_id", flat=True)),
        "lessons_shared": set(lessons) | set(briefs.values_list("request_id", flat=True)),
    }


def _scopes(place, pk) -> list[tuple[str, str, str, int]]:
    """Where a request counts: its region, and its State, each for every domain and for
    each of its domains; with its year of opening."""
    region, state, domains, year = place[pk]
    return [
        (region, own_state, domain, year) for own_state in ("", state) for domain in ("", *domains)
    ]


def _add(found, place, pk, key, n=1, amount=Decimal(0)) -> None:
    """Count ``key`` wherever the request counts."""
    if pk not in place:
        return
    counts = found[pk][0]
    for region, state, domain, year in _scopes(place, pk):
        cell = (key[0], key[1], region, state, domain, year)
        old = counts.get(cell, (0, Decimal(0)))
        counts[cell] = (old[0] + n, old[1] + amount)


def _last(found, place, pk, kind: str, length: timedelta) -> None:
    """Keep a duration of the request wherever the request counts."""
    if pk not in place:
        return
    for region, state, domain, year in _scopes(place, pk):
        found[pk][1][(kind, region, state, domain, year, _micros(length))] += 1


def _history(found, place, ids: list[int]) -> None:
    """Stays (as ``reports.stays``) and withdrawals by the stage left."""
    rows = (
        HistoryEntry.objects.filter(request_id__in=ids)
        .order_by("request_id", "at", "pk")
        .values_list("request_id", "at", "from_stage", "to_stage", "transition")
    )
    entered: dict[int, tuple[str, datetime]] = {}
    for pk, at, from_stage, to_stage, transition in rows:
        if pk not in place:
            continue
        if transition == "withdraw":
            _add(found, place, pk, ("withdrawn_from", from_stage))
        if from_stage == to_stage:
            continue
        if pk in entered:
            stage, since = entered[pk]
            _last(found, place, pk, stage, at - since)
        entered[pk] = (to_stage, at)


def _plans(found, place, ids: list[int]) -> None:
    """As ``figures.ownership``: the wait for the State's first decision on each
    plan, the plans' rejections, and the version a request's State approved first."""
    plans = Plan.objects.filter(request_id__in=ids)
    for pk, proposed_at, first in (
        Consent.objects.filter(plan__in=plans, decision__in=[Decision.APPROVED, Decision.DECLINED])
        .values_list("plan__request_id", "plan__proposed_at")
        .annotate(first=Min("recorded_at"))
        .values_list("plan__request_id", "plan__proposed_at", "first")
        .order_by()
    ):
        _last(found, place, pk, DECISION, first - proposed_at)
    for pk in Consent.objects.filter(plan__in=plans, decision=Decision.DECLINED).values_list(
        "plan__request_id", flat=True
    ):
        _add(found, place, pk, ("plans_rejected", ""))
    for pk, version in (
        Consent.objects.filter(plan__in=plans, decision=Decision.APPROVED)
        .values_list("request_id")
        .annotate(version=Min("plan__version"))
        .order_by()
    ):
        _add(found, place, pk, ("approved_version", str(version)))


def _micros(length: timedelta) -> int:
    return length // timedelta(microseconds=1)


def bucket(micros: int) -> int:
    """A bucket about 1.5 % wide (the bit length and the six bits after the first), in
    the order of the lengths: exact below 128 microseconds, mirrored below zero."""
    if micros < 0:
        return -bucket(-micros) - 1
    if micros < 128:
        return micros
    length = micros.bit_length()
    return (length << 6) | ((micros >> (length - 7)) & 63)


# --- keeping the sums -------------------------------------------------------------------------


def mark(ids: Iterable[int]) -> None:
    """Note, in the current transaction, that these requests' figures may have changed."""
    TallyChange.objects.bulk_create([TallyChange(request_id=pk) for pk in set(ids)])


def catch_up() -> int:
    """Count again every request changed since the tallies last counted it; how many."""
    done = 0
    while True:
        with transaction.atomic():
            # Locked, so that two readers never apply the same change twice.
            marks = list(
                TallyChange.objects.select_for_update()
                .order_by("pk")
                .values_list("pk", "request_id")[:BATCH]
            )
            if not marks:
                return done
            ids = sorted({pk for _mark, pk in marks})
            _recount(ids)
            TallyChange.objects.filter(pk__in=[mark for mark, _pk in marks]).delete()
        done += len(ids)


def pending() -> bool:
    """Whether more changes wait than a reading should count (then figures are live)."""
    return TallyChange.objects.order_by("pk").values("pk")[CATCH_UP_LIMIT:].exists()


def _recount(ids: list[int]) -> None:
    before = {
        row.request_id: row
        for row in TalliedRequest.objects.select_for_update().filter(request_id__in=ids)
    }
    now = contributions(ids)
    counts: dict[Cell, list] = defaultdict(lambda: [0, Decimal(0)])
    lengths: Lengths = Counter()
    keep, drop = [], []
    for pk in ids:
        old_counts, old_lengths = _decode(before[pk]) if pk in before else ({}, Counter())
        new_counts, new_lengths = now.get(pk, ({}, Counter()))
        _add_up(counts, old_counts, -1)
        _add_up(counts, new_counts)
        lengths.update(new_lengths)
        lengths.subtract(old_lengths)
        if pk in now:
            keep.append(_encode(pk, new_counts, new_lengths))
        else:
            drop.append(pk)
    _apply(counts, lengths)
    TalliedRequest.objects.filter(request_id__in=drop).delete()
    TalliedRequest.objects.bulk_create(
        keep,
        update_conflicts=True,
        unique_fields=["request_id"],
        update_fields=["counts", "durations"],
    )


def _add_up(counts: dict[Cell, list], own: Any, sign: int = 1) -> None:
    """Add (or with ``sign`` -1, take away) a request's counts and amounts."""
    for cell, (n, amount) in own.items():
        counts[cell][0] += sign * n
        counts[cell][1] += sign * amount


def _encode(pk: int, counts: Counts, lengths: Lengths) -> TalliedRequest:
    return TalliedRequest(
        request_id=pk,
        counts=[[*cell, n, str(amount)] for cell, (n, amount) in sorted(counts.items())],
        durations=[[*length, n] for length, n in sorted(lengths.items())],
    )


def _decode(row: TalliedRequest) -> Share:
    counts = {
        (measure, item, region, state, domain, year): (n, Decimal(amount))
        for measure, item, region, state, domain, year, n, amount in row.counts
    }
    lengths = Counter({tuple(length[:-1]): length[-1] for length in row.durations})
    return counts, lengths


def _histogram(lengths: Lengths) -> dict[Cell, list]:
    counts: dict[Cell, list] = defaultdict(lambda: [0, Decimal(0)])
    for (kind, region, state, domain, year, micros), n in lengths.items():
        counts[(DAYS + kind, str(bucket(micros)), region, state, domain, year)][0] += n
    return counts


def _apply(counts: dict[Cell, list], lengths: Lengths) -> None:
    """Add the differences to the sums, in one order (two transactions never wait for
    each other's rows), and drop the lengths no stay has any more."""
    _add_up(counts, _histogram(lengths))
    tally, durations = FigureTally._meta.db_table, DurationTally._meta.db_table
    _upsert(
        f"INSERT INTO {tally} (measure, item, region, state, domain, year, count, amount) "  # noqa: S608
        "VALUES %s ON CONFLICT (measure, item, region, state, domain, year) DO UPDATE SET "
        f"count = {tally}.count + excluded.count, amount = {tally}.amount + excluded.amount",
        [(*cell, n, amount) for cell, (n, amount) in sorted(counts.items()) if n or amount],
    )
    _upsert(
        f"INSERT INTO {durations} (kind, region, state, domain, year, bucket, micros, count) "  # noqa: S608
        "VALUES %s ON CONFLICT (kind, bucket, micros, region, state, domain, year) DO UPDATE SET "
        f"count = {durations}.count + excluded.count",
        [
            (kind, region, state, domain, year, bucket(micros), micros, n)
            for (kind, region, state, domain, year, micros), n in sorted(lengths.items())
            if n
        ],
    )
    # Only where lengths moved: the index of the buckets finds them.
    touched = {(length[0], bucket(length[-1])) for length, n in lengths.items() if n}
    where = Q(pk__in=[])
    for kind in {kind for kind, _number in touched}:
        where |= Q(kind=kind, bucket__in=[number for own, number in touched if own == kind])
    if touched:
        DurationTally.objects.filter(where, count=0).delete()


def _upsert(sql: str, rows: list[tuple]) -> None:
    """One statement per few hundred rows: ``sql`` with ``%s`` where the VALUES go."""
    for start in range(0, len(rows), 500):
        chunk = rows[start : start + 500]
        values = ", ".join("(" + ", ".join(["%s"] * len(row)) + ")" for row in chunk)
        with connection.cursor() as cursor:
            cursor.execute(sql % values, [value for row in chunk for value in row])


def rebuild() -> int:
    """Count every request again from scratch (after a bulk load); how many."""
    counts: dict[Cell, list] = defaultdict(lambda: [0, Decimal(0)])
    lengths: Lengths = Counter()
    with transaction.atomic():
        FigureTally.objects.all().delete()
        DurationTally.objects.all().delete()
        TalliedRequest.objects.all().delete()
        TallyChange.objects.all().delete()
        total = 0
        every = AssistanceRequest.objects.order_by("pk").values_list("pk", flat=True)
        for batch in itertools.batched(every.iterator(chunk_size=5000), 5000):
            ids = list(batch)
            rows = []
            for pk, (own_counts, own_lengths) in contributions(ids).items():
                _add_up(counts, own_counts)
                lengths.update(own_lengths)
                rows.append(_encode(pk, own_counts, own_lengths))
            TalliedRequest.objects.bulk_create(rows, batch_size=BATCH)
            total += len(rows)
        _add_up(counts, _histogram(lengths))
        FigureTally.objects.bulk_create(
            [
                FigureTally(
                    measure=m, item=i, region=r, state=s, domain=d, year=y, count=n, amount=a
                )
                for (m, i, r, s, d, y), (n, a) in counts.items()
                if n or a
            ],
            batch_size=BATCH,
        )
        DurationTally.objects.bulk_create(
            [
                DurationTally(
                    kind=k,
                    region=r,
                    state=s,
                    domain=d,
                    year=y,
                    bucket=bucket(us),
                    micros=us,
                    count=n,
                )
                for (k, r, s, d, y, us), n in lengths.items()
                if n
            ],
            batch_size=BATCH,
        )
    return total


# --- reading the sums -------------------------------------------------------------------------


class Sums:
    """The tallies of every request, or of those of a region, a State, a domain and
    years of opening, read in one query: counts by measure, item, region and year, and
    the durations' counts per bucket."""

    def __init__(
        self,
        region: str = "",
        state: str = "",
        domain: str = "",
        first_year: int | None = None,
        last_year: int | None = None,
    ) -> None:
        self.scope: dict[str, Any] = {"state": state, "domain": domain}
        if region:
            self.scope["region"] = region
        if first_year is not None:
            self.scope["year__gte"] = first_year
        if last_year is not None:
            self.scope["year__lte"] = last_year
        rows = FigureTally.objects.filter(**self.scope).exclude(count=0)
        # Per measure: (item, region, year, count, amount).
        self.cells: dict[str, list[tuple[str, str, int, int, Decimal]]] = defaultdict(list)
        self.buckets: dict[str, Counter[int]] = defaultdict(Counter)
        for measure, item, row_region, year, n, amount in rows.values_list(
            "measure", "item", "region", "year", "count", "amount"
        ).order_by():
            if measure.startswith(DAYS):
                self.buckets[measure.removeprefix(DAYS)][int(item)] += n
            else:
                self.cells[measure].append((item, row_region, year, n, amount))

    def count(self, measure: str, by: str = "") -> Any:
        """The count of ``measure``, or a Counter of it by "item", "region" or "year"."""
        found: Counter = Counter()
        for item, region, year, n, _amount in self.cells[measure]:
            found[{"item": item, "region": region, "year": year, "": None}[by]] += n
        return found[None] if not by else found

    def per_year(self, measure: str, by: str) -> dict[str, dict[str, int]]:
        """``measure`` per year, then by "item" or "region"."""
        table: dict[str, Counter[str]] = defaultdict(Counter)
        for item, region, year, n, _amount in self.cells[measure]:
            table[str(year)][item if by == "item" else region] += n
        return {year: dict(sorted(row.items())) for year, row in sorted(table.items())}

    def amounts(self, measure: str) -> list[tuple[int, str, str, Decimal]]:
        """Sums by year and item ("source/currency"): (year, source, currency, amount)."""
        found: dict[tuple[int, str], list] = defaultdict(lambda: [0, Decimal(0)])
        for item, _region, year, n, amount in self.cells[measure]:
            found[(year, item)][0] += n
            found[(year, item)][1] += amount
        return sorted(
            (year, *item.split("/", 1), amount) for (year, item), (n, amount) in found.items() if n
        )

    def percentiles(
        self, kinds: Iterable[str], fractions: tuple[float, ...]
    ) -> dict[str, tuple[int, list[float]]]:
        """Per kind that has durations: how many, and for each fraction the value
        PostgreSQL's ``percentile_cont`` gives over them in days (one query)."""
        places = {
            kind: [_between(fraction, total) for fraction in fractions]
            for kind in kinds
            if (total := sum(self.buckets[kind].values()))
        }
        found = self._at(
            {
                kind: {r for below, above, _w in own for r in (below, above)}
                for kind, own in places.items()
            }
        )
        result = {}
        for kind, own in places.items():
            values = []
            for below, above, weight in own:
                low, high = _days(found[(kind, below)]), _days(found[(kind, above)])
                values.append(low + (high - low) * weight)
            result[kind] = (sum(self.buckets[kind].values()), values)
        return result

    def median_days(self, kind: str) -> tuple[int, float | None]:
        """How many durations, and their median as ``statistics.median`` gives it over
        ``timedelta.total_seconds() / 86400``."""
        total = sum(self.buckets[kind].values())
        if not total:
            return 0, None
        middle = [total // 2] if total % 2 else [total // 2 - 1, total // 2]
        found = self._at({kind: set(middle)})
        return total, statistics.median(
            timedelta(microseconds=found[(kind, rank)]).total_seconds() / 86400 for rank in middle
        )

    def _at(self, wanted: dict[str, set[int]]) -> dict[tuple[str, int], int]:
        """The lengths at these ranks (from zero, in order) of each kind: the buckets'
        counts say which bucket holds each rank; one query reads those buckets."""
        where, inside = Q(pk__in=[]), {}
        for kind, ranks in wanted.items():
            ordered = sorted(self.buckets[kind].items())
            for rank in ranks:
                before = 0
                for number, n in ordered:
                    if rank < before + n:
                        inside[(kind, rank)] = (number, rank - before)
                        break
                    before += n
            where |= Q(kind=kind, bucket__in={number for number, _ in inside.values()})
        rows = DurationTally.objects.filter(where, **self.scope)
        lengths: dict[tuple[str, int], list[tuple[int, int]]] = defaultdict(list)
        for kind, number, micros, n in (
            rows.values_list("kind", "bucket", "micros")
            .annotate(n=Sum("count"))
            .order_by("kind", "bucket", "micros")
        ):
            lengths[(kind, number)].append((micros, n))
        found = {}
        for (kind, rank), (number, offset) in inside.items():
            before = 0
            for micros, n in lengths[(kind, number)]:
                before += n
                if offset < before:
                    found[(kind, rank)] = micros
                    break
        return found


def _between(fraction: float, total: int) -> tuple[int, int, float]:
    """As ``percentile_cont``: the two ranks around the fraction, and the weight of the
    upper one."""
    position = fraction * (total - 1)
    below = int(position)
    return below, min(below + 1, total - 1), position - below


def _days(micros: int) -> float:
    return micros / 86_400_000_000
