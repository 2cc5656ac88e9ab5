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

A median needs the values, not only their number: lengths are kept to the tenth of a
day in buckets about 1.5 % wide, one row per bucket with its count and its lengths;
the median is found by adding up the buckets' counts, then reading the one bucket's
lengths.
"""

from __future__ import annotations

import itertools
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.db.models import Min, Q, QuerySet, Sum
from django.utils import timezone

from tracker.figures import measures
from tracker.figures.measures import KINDS, MEASURES, Sums
from tracker.models import (
    AssistanceRequest,
    DurationTally,
    FigureTally,
    RegionalGroup,
    TalliedRequest,
    TallyChange,
)

BATCH = 2000
#: Up to this many requests marked and not yet folded, a reading adds them (exact to
#: the moment); past it (after a bulk change, until the worker has folded it) it reads
#: the kept sums alone and says up to when they count every change (``counted_up_to``).
WAITING_READ = 200
#: Two folds never run at once (PostgreSQL's advisory lock; SQLite writes one at a time).
FOLD_LOCK = 7_310_431

Place = tuple[str, str, tuple[str, ...], int]  # region, State, domains, year of opening
Counts = dict[tuple[str, str], list]  # (measure, item) -> [n, amount]
Lengths = Counter[tuple[str, int]]  # (kind, tenths) -> how many
Share = tuple[Place, Counts, Lengths]  # what one request adds, and where
Cell = tuple[str, str, str, str, str, int]  # measure, item, region, State, domain, year
Length = tuple[str, str, str, int, int]  # kind, region, domain, year, tenths
Bucket = tuple[str, str, str, int, int]  # kind, region, domain, year, bucket
#: Where lengths are kept: every request, or a region's, a domain's, a year's (0: every
#: year). A State's lengths, or those of two narrowings at once, are counted live.
EVERY_YEAR = 0


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


def _length_scopes(place: Place) -> list[tuple[str, str, int]]:
    """Where a request's lengths are kept: over every request, its region's, its year's
    and each of its domains'."""
    region, _state, domains, year = place
    return [
        ("", "", EVERY_YEAR),
        (region, "", EVERY_YEAR),
        ("", "", year),
        *(("", domain, EVERY_YEAR) for domain in domains),
    ]


def _spread(share: Share, sign: int, cells: dict[Cell, list], lengths: Counter[Length]) -> None:
    """Add (or with ``sign`` -1, take away) a request's share wherever it counts."""
    place, counts, own_lengths = share
    for region, state, domain, year in _scopes(place):
        for (measure, item), (n, amount) in counts.items():
            cell = cells[(measure, item, region, state, domain, year)]
            cell[0] += sign * n
            cell[1] += sign * amount
    for region, domain, year in _length_scopes(place):
        for (kind, tenths), n in own_lengths.items():
            lengths[(kind, region, domain, year, tenths)] += sign * n


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


#: The short codes of a stored share: positions in these lists. A new measure or
#: kind goes at the end (then ``manage.py count_figures --rebuild`` counts it in).
_MEASURE_CODES = {measure.name: str(code) for code, measure in enumerate(MEASURES)}
_KIND_CODES = {kind: str(code) for code, kind in enumerate(KINDS)}
_REGION_CODES = {region: str(code) for code, region in enumerate(RegionalGroup.values)}
_MEASURES_BY_CODE = {code: name for name, code in _MEASURE_CODES.items()}
_KINDS_BY_CODE = {code: kind for kind, code in _KIND_CODES.items()}
_REGIONS_BY_CODE = {code: region for region, code in _REGION_CODES.items()}


def _encode(pk: int, share: Share) -> TalliedRequest:
    """A share in a few words: "0 TGO 2019 justice,nhri|0 1:closed 9::2 12:vftc/USD:1:1500.00|0:32
    1:118" — where (region, State, year, domains), what it counts (measure, item, count,
    amount; a count of one and an amount of nothing left out) and its lengths (kind,
    tenths, how many), measures, kinds and regions by their codes."""
    (region, state, domains, year), counts, lengths = share
    words = []
    for (measure, item), (n, amount) in sorted(counts.items()):
        word = _MEASURE_CODES[measure]
        if item or n != 1 or amount:
            word += f":{item}"
        if n != 1 or amount:
            word += f":{n}"
        if amount:
            word += f":{amount}"
        words.append(word)
    place = f"{_REGION_CODES[region]} {state} {year} {','.join(domains)}"
    own_lengths = " ".join(
        f"{_KIND_CODES[kind]}:{tenths}" + (f":{n}" if n != 1 else "")
        for (kind, tenths), n in sorted(lengths.items())
    )
    return TalliedRequest(request_id=pk, share=f"{place}|{' '.join(words)}|{own_lengths}")


def _counted(ids: list[int]) -> dict[int, Share]:
    """What the requests added when the tallies last counted them."""
    return {
        row.request_id: _decode(row.share)
        for row in TalliedRequest.objects.filter(request_id__in=ids)
    }


def _decode(share: str) -> Share:
    place, words, own_lengths = share.split("|")
    region, state, year, domains = place.split(" ")
    counts: Counts = {}
    for word in words.split():
        code, item, n, amount = (*word.split(":"), "", "", "")[:4]
        counts[(_MEASURES_BY_CODE[code], item)] = [int(n or 1), Decimal(amount or 0)]
    lengths: Lengths = Counter()
    for word in own_lengths.split():
        code, tenths, n = (*word.split(":"), "")[:3]
        lengths[(_KINDS_BY_CODE[code], int(tenths))] = int(n or 1)
    where = (_REGIONS_BY_CODE[region], state, tuple(filter(None, domains.split(","))), int(year))
    return where, counts, lengths


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


def _fold_lock(wait: bool = False) -> bool:
    """Whether this transaction holds the folds' lock (``wait``: once the fold at work,
    if any, is done)."""
    if connection.vendor != "postgresql":
        return True
    with connection.cursor() as cursor:
        if wait:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [FOLD_LOCK])
            return True
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
        update_fields=["share"],
    )


def _apply(cells: dict[Cell, list], lengths: Counter[Length]) -> None:
    """Add the differences to the sums, in one order (two transactions never wait for
    each other's rows), and drop the cells and buckets that hold nothing any more."""
    tally = FigureTally._meta.db_table
    _upsert(
        f"INSERT INTO {tally} (measure, item, region, state, domain, year, count, amount) "  # noqa: S608
        "VALUES %s ON CONFLICT (measure, item, region, state, domain, year) DO UPDATE SET "
        f"count = {tally}.count + excluded.count, amount = {tally}.amount + excluded.amount",
        [(*cell, n, amount) for cell, (n, amount) in sorted(cells.items()) if n or amount],
    )
    FigureTally.objects.filter(count=0, amount=0, measure__in=_moved(cells)).delete()
    moved = _buckets(lengths)
    if not moved:
        return
    # Only the fold writes lengths (under its lock): read, add, write back.
    for row in DurationTally.objects.filter(_of_buckets(moved)):
        key = (row.kind, row.region, row.domain, row.year, row.bucket)
        moved[key].update(_lengths_of(row.lengths))
    kept = {key: +own for key, own in sorted(moved.items())}  # +: only lengths still held
    if gone := [key for key, own in kept.items() if not own]:
        DurationTally.objects.filter(_of_buckets(gone)).delete()
    DurationTally.objects.bulk_create(
        [_bucket_row(key, own) for key, own in kept.items() if own],
        batch_size=500,
        update_conflicts=True,
        unique_fields=["kind", "region", "domain", "year", "bucket"],
        update_fields=["count", "lengths"],
    )


def _buckets(lengths: Counter[Length]) -> dict[Bucket, Counter[int]]:
    """Lengths by the bucket that keeps them: how many of each tenth."""
    found: dict[Bucket, Counter[int]] = defaultdict(Counter)
    for (kind, region, domain, year, tenths), n in lengths.items():
        if n:
            found[(kind, region, domain, year, bucket(tenths))][tenths] += n
    return found


def _of_buckets(keys: Iterable[Bucket]) -> Q:
    """The rows of these buckets: one condition per question, with its buckets."""
    questions: dict[tuple[str, str, str, int], list[int]] = defaultdict(list)
    for kind, region, domain, year, number in keys:
        questions[(kind, region, domain, year)].append(number)
    where = Q(pk__in=[])
    for (kind, region, domain, year), numbers in questions.items():
        where |= Q(kind=kind, region=region, domain=domain, year=year, bucket__in=numbers)
    return where


def _bucket_row(key: Bucket, own: Counter[int]) -> DurationTally:
    kind, region, domain, year, number = key
    text = " ".join(f"{tenths}:{n}" if n != 1 else str(tenths) for tenths, n in sorted(own.items()))
    return DurationTally(
        kind=kind,
        region=region,
        domain=domain,
        year=year,
        bucket=number,
        count=sum(own.values()),
        lengths=text,
    )


def _lengths_of(text: str) -> Counter[int]:
    """A bucket's lengths, as ``_bucket_row`` wrote them."""
    own: Counter[int] = Counter()
    for word in text.split():
        tenths, _colon, n = word.partition(":")
        own[int(tenths)] += int(n or 1)
    return own


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
        _fold_lock(wait=True)
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
            [_bucket_row(key, own) for key, own in _buckets(lengths).items()], batch_size=BATCH
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
                # A reading's queries are short: compiling them (about 0.1 s for a
                # State's lengths at 1 000 000 requests) costs more than it saves.
                cursor.execute("SET LOCAL jit = off")
        yield


def _lengths_kept_for(
    region: str, state: str, domain: str, first_year: int | None, last_year: int | None
) -> dict[str, Any] | None:
    """Where the lengths of a question are kept (a filter of their cells), or None when
    they are counted live: a State's, or narrowed two ways at once (few requests)."""
    years = first_year is not None or last_year is not None
    if state or sum((bool(region), bool(domain), years)) > 1:
        return None
    if years:
        return {
            "region": "",
            "domain": "",
            "year__gte": max(first_year or 1, 1),
            "year__lte": last_year if last_year is not None else 9999,
        }
    return {"region": region, "domain": domain, "year": EVERY_YEAR}


class KeptSums(Sums):
    """The tallies of every request, or of those of a region, a State, a domain and
    years of opening, with what the requests marked since add; read in a few queries,
    inside ``snapshot()``. ``requests`` are the same requests, for the lengths counted
    live."""

    def __init__(
        self,
        requests: QuerySet[AssistanceRequest],
        region: str = "",
        state: str = "",
        domain: str = "",
        first_year: int | None = None,
        last_year: int | None = None,
    ) -> None:
        super().__init__()
        self.requests = requests
        self.scope: dict[str, Any] = {"state": state, "domain": domain}
        if region:
            self.scope["region"] = region
        if first_year is not None:
            self.scope["year__gte"] = first_year
        if last_year is not None:
            self.scope["year__lte"] = last_year
        self.kept_lengths = _lengths_kept_for(region, state, domain, first_year, last_year)
        self.buckets: dict[str, Counter[int]] = defaultdict(Counter)
        rows = FigureTally.objects.filter(**self.scope).exclude(count=0, amount=0)
        for measure, item, row_region, year, n, amount in rows.values_list(
            "measure", "item", "region", "year", "count", "amount"
        ).order_by():
            self._add(measure, item, row_region, year, n, amount)
        if self.kept_lengths is not None:
            for kind, number, n in (
                DurationTally.objects.filter(**self.kept_lengths)
                .values_list("kind", "bucket")
                .annotate(n=Sum("count"))
                .order_by()
            ):
                self.buckets[kind][number] += n
        #: None: the reading counts every change; else the moment of the oldest change
        #: it leaves out (it counts every change made before).
        self.counted_up_to: datetime | None = None
        self.waiting = self._add_waiting()

    def _add(self, measure: str, item: str, region: str, year: int, n: int, amount: Any) -> None:
        self.cells[measure].append((item, region, year, n, Decimal(amount)))

    @staticmethod
    def _matches(scope: dict[str, Any], **cell: Any) -> bool:
        """Whether a cell is one a filter of ``scope``'s kind selects."""
        year = cell.pop("year")
        return (
            all(scope.get(name, value) == value for name, value in cell.items())
            and scope.get("year", year) == year
            and scope.get("year__gte", year) <= year <= scope.get("year__lte", year)
        )

    def _add_waiting(self) -> Counter[tuple[str, int]]:
        """Add what the requests marked since the last fold change, read-only; the
        lengths they add or take away, by kind and tenth."""
        marked = TallyChange.objects.values_list("request_id", flat=True).distinct().order_by()
        ids = sorted(marked[: WAITING_READ + 1])
        extra: Counter[tuple[str, int]] = Counter()
        if not ids:
            return extra
        if len(ids) > WAITING_READ:
            self.counted_up_to = TallyChange.objects.aggregate(Min("marked_at"))["marked_at__min"]
            return extra
        _now, cells, lengths = _differences(ids, _counted(ids))
        for (measure, item, region, state, domain, year), (n, amount) in cells.items():
            if (n or amount) and self._matches(
                self.scope, region=region, state=state, domain=domain, year=year
            ):
                self._add(measure, item, region, year, n, amount)
        if self.kept_lengths is None:
            return extra
        for (kind, region, domain, year, tenths), n in lengths.items():
            if n and self._matches(self.kept_lengths, region=region, domain=domain, year=year):
                self.buckets[kind][bucket(tenths)] += n
                extra[(kind, tenths)] += n
        return extra

    def percentiles(self) -> dict[str, tuple[int, list[float]]]:
        if self.kept_lengths is None:
            return measures.live_percentiles(self.requests)
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
        rows = DurationTally.objects.filter(where, **(self.kept_lengths or {}))
        lengths: dict[tuple[str, int], Counter[int]] = defaultdict(Counter)
        for kind, number, text in rows.values_list("kind", "bucket", "lengths").order_by():
            lengths[(kind, number)].update(_lengths_of(text))
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
