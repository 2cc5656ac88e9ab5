"""Figures kept up to date as the data changes: the summary and the Figures page over
every request (or a region's, a State's) read a few thousand rows, whatever the number
of requests.

Each request adds to the figures what ``tracker.figures.measures`` declares: a handful
of counts and of lengths. ``TalliedRequest`` keeps what each request added when last
counted (where it counts — region, State, domains, year — and what it adds there);
``FigureTally`` and ``DurationTally`` keep the sums, for every region, State, domain
and year. A write marks its request (``mark``, called by the services' own write
path, in the write's transaction); ``fold`` counts the marked requests again and
applies the difference (the worker, after each write and every 15 s).

Reading never writes and never locks (``KeptSums``): in one read-only snapshot it reads
the sums and adds, for the requests marked since, the difference between what they
add now and what they added when last counted. So a reading is exactly the live
computation (tests/figures/test_tallies.py compares them on random histories), and
can be served by a replica.

A median needs the values, not only their number: lengths are kept per tenth of a day
in buckets about 1.5 % wide, with their count per bucket; the median is found by
adding up the buckets' counts, then reading the one bucket's rows.
"""

from __future__ import annotations

import itertools
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.db.models import Q, Sum
from django.utils import timezone

from tracker.figures import measures
from tracker.figures.measures import KINDS, MEASURES, Sums
from tracker.models import (
    AssistanceRequest,
    DurationTally,
    FigureTally,
    TalliedRequest,
    TallyChange,
)

BATCH = 2000
DAYS = "days/"  # FigureTally measure of a kind's histogram: "days/consultation"
#: Two folds never run at once (PostgreSQL's advisory lock; SQLite writes one at a time).
FOLD_LOCK = 7_310_431

Place = tuple[str, str, tuple[str, ...], int]  # region, State, domains, year of opening
Counts = dict[tuple[str, str], list]  # (measure, item) -> [n, amount]
Lengths = Counter[tuple[str, int]]  # (kind, tenths) -> how many
Share = tuple[Place, Counts, Lengths]  # what one request adds, and where
Cell = tuple[str, str, str, str, str, int]  # measure, item, region, State, domain, year
Length = tuple[str, str, str, str, int, int]  # kind, region, State, domain, year, tenths


# --- what a request adds ------------------------------------------------------------------------


def contributions(ids: list[int]) -> dict[int, Share]:
    """What each request of ``ids`` adds now, and where. A request that no longer
    exists adds nothing."""
    requests = AssistanceRequest.objects.filter(pk__in=ids)
    tz = timezone.get_default_timezone()
    domains: dict[int, list[str]] = defaultdict(list)
    for pk, domain in AssistanceRequest.domains.through.objects.filter(
        assistancerequest_id__in=ids
    ).values_list("assistancerequest_id", "domain_id"):
        domains[pk].append(domain)
    found: dict[int, Share] = {
        pk: (
            (region, state, tuple(sorted(domains[pk])), timezone.localtime(opened_at, tz).year),
            {},
            Counter(),
        )
        for pk, region, state, opened_at in requests.values_list(
            "pk", "requesting_state__region", "requesting_state", "opened_at"
        )
    }
    for measure in MEASURES:
        for pk, item, n, amount in measure.per_request(requests):
            if pk in found:
                counts = found[pk][1]
                old = counts.setdefault((measure.name, str(item)), [0, Decimal(0)])
                old[0] += n
                old[1] += amount
    for pk, kind, tenths in measures.durations(requests):
        if pk in found:
            found[pk][2][(kind, int(tenths))] += 1
    return found


def _scopes(place: Place) -> list[tuple[str, str, str, int]]:
    """Where a request counts: its region, and its State, each for every domain and for
    each of its domains; with its year of opening."""
    region, state, domains, year = place
    return [
        (region, own_state, domain, year) for own_state in ("", state) for domain in ("", *domains)
    ]


def _spread(share: Share, sign: int, cells: dict[Cell, list], lengths: Counter[Length]) -> None:
    """Add (or with ``sign`` -1, take away) a request's share wherever it counts."""
    place, counts, own_lengths = share
    for region, state, domain, year in _scopes(place):
        for (measure, item), (n, amount) in counts.items():
            cell = cells[(measure, item, region, state, domain, year)]
            cell[0] += sign * n
            cell[1] += sign * amount
        for (kind, tenths), n in own_lengths.items():
            lengths[(kind, region, state, domain, year, tenths)] += sign * n


def _differences(
    ids: list[int], before: dict[int, Share]
) -> tuple[dict[int, Share], dict[Cell, list], Counter[Length]]:
    """What the requests add now, and how that differs from ``before``."""
    now = contributions(ids)
    cells: dict[Cell, list] = defaultdict(lambda: [0, Decimal(0)])
    lengths: Counter[Length] = Counter()
    for pk in ids:
        if pk in before:
            _spread(before[pk], -1, cells, lengths)
        if pk in now:
            _spread(now[pk], 1, cells, lengths)
    return now, cells, lengths


def bucket(tenths: int) -> int:
    """A bucket about 1.5 % wide (the bit length and the six bits after the first), in
    the order of the lengths: exact below 12.8 days, mirrored below zero."""
    if tenths < 0:
        return -bucket(-tenths) - 1
    if tenths < 128:
        return tenths
    length = tenths.bit_length()
    return (length << 6) | ((tenths >> (length - 7)) & 63)


# --- a request's share, stored ----------------------------------------------------------------


def _encode(pk: int, share: Share) -> TalliedRequest:
    """A share in a few words: "stage:closed requests plans_rejected::2
    funding:vftc/USD:1:1500.00" and "requested:32 consultation:118:2" (measure, item,
    count and amount; a count of one and an amount of nothing left out)."""
    (region, state, domains, year), counts, lengths = share
    words = []
    for (measure, item), (n, amount) in sorted(counts.items()):
        word = measure
        if item or n != 1 or amount:
            word += f":{item}"
        if n != 1 or amount:
            word += f":{n}"
        if amount:
            word += f":{amount}"
        words.append(word)
    return TalliedRequest(
        request_id=pk,
        region=region,
        state=state,
        year=year,
        domains=" ".join(domains),
        counts=" ".join(words),
        lengths=" ".join(
            f"{kind}:{tenths}" + (f":{n}" if n != 1 else "")
            for (kind, tenths), n in sorted(lengths.items())
        ),
    )


def _counted(ids: list[int]) -> dict[int, Share]:
    """What the requests added when the tallies last counted them."""
    return {
        row.request_id: _decode(row) for row in TalliedRequest.objects.filter(request_id__in=ids)
    }


def _decode(row: TalliedRequest) -> Share:
    counts: Counts = {}
    for word in row.counts.split():
        measure, item, n, amount = (*word.split(":"), "", "", "")[:4]
        counts[(measure, item)] = [int(n or 1), Decimal(amount or 0)]
    lengths: Lengths = Counter()
    for word in row.lengths.split():
        kind, tenths, n = (*word.split(":"), "")[:3]
        lengths[(kind, int(tenths))] = int(n or 1)
    place = (row.region, row.state, tuple(row.domains.split()), row.year)
    return place, counts, lengths


# --- keeping the sums ---------------------------------------------------------------------------


def mark(ids: Iterable[int]) -> None:
    """Note, in the current transaction, that these requests' figures may have changed;
    the worker folds them in once it commits."""
    TallyChange.objects.bulk_create([TallyChange(request_id=pk) for pk in set(ids)])


def fold() -> int:
    """Count again every request marked since the tallies last counted it; how many.
    Only folds take locks here, and only on the tallies: writers and readers never
    wait for a fold."""
    done = 0
    while True:
        with transaction.atomic():
            if not _fold_lock():
                return done  # another fold is at work: it will find these marks
            marks = list(TallyChange.objects.order_by("pk").values_list("pk", "request_id")[:BATCH])
            if not marks:
                return done
            ids = sorted({pk for _mark, pk in marks})
            _recount(ids)
            TallyChange.objects.filter(pk__in=[mark for mark, _pk in marks]).delete()
        done += len(ids)


def _fold_lock() -> bool:
    if connection.vendor != "postgresql":
        return True
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [FOLD_LOCK])
        return bool(cursor.fetchone()[0])


def _recount(ids: list[int]) -> None:
    now, cells, lengths = _differences(ids, _counted(ids))
    _apply(cells, lengths)
    TalliedRequest.objects.filter(request_id__in=[pk for pk in ids if pk not in now]).delete()
    TalliedRequest.objects.bulk_create(
        [_encode(pk, share) for pk, share in now.items()],
        update_conflicts=True,
        unique_fields=["request_id"],
        update_fields=["region", "state", "year", "domains", "counts", "lengths"],
    )


def _histogram(lengths: Counter[Length]) -> dict[Cell, list]:
    counts: dict[Cell, list] = defaultdict(lambda: [0, Decimal(0)])
    for (kind, region, state, domain, year, tenths), n in lengths.items():
        counts[(DAYS + kind, str(bucket(tenths)), region, state, domain, year)][0] += n
    return counts


def _apply(cells: dict[Cell, list], lengths: Counter[Length]) -> None:
    """Add the differences to the sums, in one order (two transactions never wait for
    each other's rows), and drop the lengths no stay has any more."""
    for cell, (n, _amount) in _histogram(lengths).items():
        cells[cell][0] += n
    tally, durations = FigureTally._meta.db_table, DurationTally._meta.db_table
    _upsert(
        f"INSERT INTO {tally} (measure, item, region, state, domain, year, count, amount) "  # noqa: S608
        "VALUES %s ON CONFLICT (measure, item, region, state, domain, year) DO UPDATE SET "
        f"count = {tally}.count + excluded.count, amount = {tally}.amount + excluded.amount",
        [(*cell, n, amount) for cell, (n, amount) in sorted(cells.items()) if n or amount],
    )
    _upsert(
        f"INSERT INTO {durations} (kind, region, state, domain, year, bucket, tenths, count) "  # noqa: S608
        "VALUES %s ON CONFLICT (kind, bucket, tenths, region, state, domain, year) DO UPDATE SET "
        f"count = {durations}.count + excluded.count",
        [
            (kind, region, state, domain, year, bucket(tenths), tenths, n)
            for (kind, region, state, domain, year, tenths), n in sorted(lengths.items())
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
    FigureTally.objects.filter(count=0, amount=0, measure__in=_moved(cells)).delete()


def _moved(cells: dict[Cell, list]) -> set[str]:
    return {cell[0] for cell, (n, amount) in cells.items() if n or amount}


def _upsert(sql: str, rows: list[tuple]) -> None:
    """One statement per few hundred rows: ``sql`` with ``%s`` where the VALUES go."""
    for start in range(0, len(rows), 500):
        chunk = rows[start : start + 500]
        values = ", ".join("(" + ", ".join(["%s"] * len(row)) + ")" for row in chunk)
        with connection.cursor() as cursor:
            cursor.execute(sql % values, [value for row in chunk for value in row])


def rebuild() -> int:
    """Count every request again from scratch (after a bulk load); how many."""
    cells: dict[Cell, list] = defaultdict(lambda: [0, Decimal(0)])
    lengths: Counter[Length] = Counter()
    with transaction.atomic():
        for model in (FigureTally, DurationTally, TalliedRequest, TallyChange):
            model.objects.all().delete()
        total = 0
        every = AssistanceRequest.objects.order_by("pk").values_list("pk", flat=True)
        for batch in itertools.batched(every.iterator(chunk_size=5000), 5000):
            shares = contributions(list(batch))
            for share in shares.values():
                _spread(share, 1, cells, lengths)
            TalliedRequest.objects.bulk_create(
                [_encode(pk, share) for pk, share in shares.items()], batch_size=BATCH
            )
            total += len(shares)
        for cell, (n, _amount) in _histogram(lengths).items():
            cells[cell][0] += n
        FigureTally.objects.bulk_create(
            [
                FigureTally(
                    measure=m, item=i, region=r, state=s, domain=d, year=y, count=n, amount=a
                )
                for (m, i, r, s, d, y), (n, a) in cells.items()
                if n or a
            ],
            batch_size=BATCH,
        )
        DurationTally.objects.bulk_create(
            [
                DurationTally(
                    kind=k, region=r, state=s, domain=d, year=y, bucket=bucket(t), tenths=t, count=n
                )
                for (k, r, s, d, y, t), n in lengths.items()
                if n
            ],
            batch_size=BATCH,
        )
    return total


# --- reading the sums ---------------------------------------------------------------------------


@contextmanager
def snapshot() -> Iterator[None]:
    """One read-only view of the data for a whole reading: the sums, the marks and the
    records they are counted from, as of one moment (on PostgreSQL, a REPEATABLE READ
    READ ONLY transaction: no lock taken, a replica can serve it). Inside a transaction
    already, that transaction's view."""
    if connection.in_atomic_block:
        yield
        return
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        yield


class KeptSums(Sums):
    """The tallies of every request, or of those of a region, a State, a domain and
    years of opening, with what the requests marked since add; read in a few queries,
    inside ``snapshot()``."""

    def __init__(
        self,
        region: str = "",
        state: str = "",
        domain: str = "",
        first_year: int | None = None,
        last_year: int | None = None,
    ) -> None:
        super().__init__()
        self.scope: dict[str, Any] = {"state": state, "domain": domain}
        if region:
            self.scope["region"] = region
        if first_year is not None:
            self.scope["year__gte"] = first_year
        if last_year is not None:
            self.scope["year__lte"] = last_year
        self.buckets: dict[str, Counter[int]] = defaultdict(Counter)
        rows = FigureTally.objects.filter(**self.scope).exclude(count=0, amount=0)
        for measure, item, row_region, year, n, amount in rows.values_list(
            "measure", "item", "region", "year", "count", "amount"
        ).order_by():
            self._add(measure, item, row_region, year, n, amount)
        self.waiting = self._add_waiting()

    def _add(self, measure: str, item: str, region: str, year: int, n: int, amount: Any) -> None:
        if measure.startswith(DAYS):
            self.buckets[measure.removeprefix(DAYS)][int(item)] += n
        else:
            self.cells[measure].append((item, region, year, n, Decimal(amount)))

    def _within(self, region: str, state: str, domain: str, year: int) -> bool:
        scope = self.scope
        return (
            state == scope["state"]
            and domain == scope["domain"]
            and region == scope.get("region", region)
            and scope.get("year__gte", year) <= year <= scope.get("year__lte", year)
        )

    def _add_waiting(self) -> Counter[tuple[str, int]]:
        """Add what the requests marked since the last fold change, read-only; the
        lengths they add or take away, by kind and tenth."""
        ids = sorted(set(TallyChange.objects.values_list("request_id", flat=True)))
        extra: Counter[tuple[str, int]] = Counter()
        if not ids:
            return extra
        _now, cells, lengths = _differences(ids, _counted(ids))
        for (measure, item, region, state, domain, year), (n, amount) in cells.items():
            if (n or amount) and self._within(region, state, domain, year):
                self._add(measure, item, region, year, n, amount)
        for (kind, region, state, domain, year, tenths), n in lengths.items():
            if n and self._within(region, state, domain, year):
                self.buckets[kind][bucket(tenths)] += n
                extra[(kind, tenths)] += n
        return extra

    def percentiles(self) -> dict[str, tuple[int, list[float]]]:
        fractions = measures.FRACTIONS
        places = {
            kind: [_between(fraction, total) for fraction in fractions]
            for kind in KINDS
            if (total := sum(self.buckets[kind].values()))
        }
        found = self._at(
            {
                kind: {rank for below, above, _w in own for rank in (below, above)}
                for kind, own in places.items()
            }
        )
        result = {}
        for kind, own in places.items():
            values = []
            for below, above, weight in own:
                low, high = found[(kind, below)], found[(kind, above)]
                values.append((low + (high - low) * weight) / 10)
            result[kind] = (sum(self.buckets[kind].values()), values)
        return result

    def _at(self, wanted: dict[str, set[int]]) -> dict[tuple[str, int], float]:
        """The lengths at these ranks (from zero, in order) of each kind: the buckets'
        counts say which bucket holds each rank; one query reads those buckets."""
        where, inside = Q(pk__in=[]), {}
        for kind, ranks in wanted.items():
            ordered = sorted((number, n) for number, n in self.buckets[kind].items() if n)
            for rank in ranks:
                before = 0
                for number, n in ordered:
                    if rank < before + n:
                        inside[(kind, rank)] = (number, rank - before)
                        break
                    before += n
            where |= Q(kind=kind, bucket__in={number for number, _ in inside.values()})
        rows = DurationTally.objects.filter(where, **self.scope)
        lengths: dict[tuple[str, int], Counter[int]] = defaultdict(Counter)
        for kind, number, tenths, n in (
            rows.values_list("kind", "bucket", "tenths").annotate(n=Sum("count")).order_by()
        ):
            lengths[(kind, number)][tenths] += n
        for (kind, tenths), n in self.waiting.items():
            lengths[(kind, bucket(tenths))][tenths] += n
        found = {}
        for (kind, rank), (number, offset) in inside.items():
            before = 0
            for tenths, n in sorted(lengths[(kind, number)].items()):
                before += n
                if offset < before:
                    found[(kind, rank)] = float(tenths)
                    break
        return found


def _between(fraction: float, total: int) -> tuple[int, int, float]:
    """As ``percentile_cont``: the two ranks around the fraction, and the weight of the
    upper one."""
    position = fraction * (total - 1)
    below = int(position)
    return below, min(below + 1, total - 1), position - below
