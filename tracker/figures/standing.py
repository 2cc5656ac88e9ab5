"""Figures kept up to date as the data changes, so that reading them does not scan a
decade of history: the backlog (open requests per stage on any past date).

The live backlog (``reports.open_on``) takes, for each request, the stage of its last
history row (by time, then id) written before the end of the day. So a row counts on
the days from its own to the next row's: ``+1`` for its stage on its day, ``-1`` on
the next row's day. ``StandingCount`` keeps, per stage and region, the number of
requests standing at the end of each day on which it changed; the backlog on a day is
the last count of each stage and region up to it: thirty index lookups, whatever the
size. Each new history row recomputes its request's steps with and without it (a
handful of rows) and applies the difference in the row's own transaction: the count
of that day, and of every later day that has one, so a back-dated row lands where it
belongs. The equality with the live figure is tested on random histories
(tests/test_standing.py); ``rebuild`` recomputes the table from the history.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import date, datetime
from itertools import groupby
from typing import Any, cast

from django.db import connection, transaction
from django.utils import timezone

from tracker.kernel.vocabulary import OPEN
from tracker.models import AssistanceRequest, HistoryEntry, RegionalGroup, StandingCount

Row = tuple[datetime, int, str]  # at, id, stage after the row
Steps = Counter[tuple[date, str]]


def steps(rows: Iterable[Row]) -> Steps:
    """A request's steps: each row's stage counts from its day to the next row's."""
    ordered = sorted(rows, key=lambda row: (row[0], row[1]))
    days = [timezone.localdate(at) for at, _pk, _stage in ordered]
    found: Steps = Counter()
    for index, (_at, _pk, stage) in enumerate(ordered):
        begins = days[index]
        ends = days[index + 1] if index + 1 < len(ordered) else None
        if begins == ends:
            continue  # a later row of the same day stands at its end
        found[(begins, stage)] += 1
        if ends is not None:
            found[(ends, stage)] -= 1
    return found


def record(entry: HistoryEntry) -> None:
    """Apply what a new history row changes to the standing counts."""
    rows = list(
        HistoryEntry.objects.filter(request_id=entry.request_id).values_list("at", "pk", "to_stage")
    )
    change = steps(rows)
    change.subtract(steps(row for row in rows if row[1] != entry.pk))
    region = (
        AssistanceRequest.objects.filter(pk=entry.request_id)
        .values_list("requesting_state__region", flat=True)
        .get()
    )
    table = StandingCount._meta.db_table
    # In one order, so that two transactions never wait for each other's rows.
    for (day, stage), delta in sorted(change.items()):
        if not delta:
            continue
        with connection.cursor() as cursor:
            # Every later day that has a count moves too (a back-dated row).
            cursor.execute(
                f"UPDATE {table} SET total = total + %s "  # noqa: S608
                "WHERE stage = %s AND region = %s AND day > %s",
                [delta, stage, region, day],
            )
            # The day's own count: the last one before it, moved, if the day had none.
            cursor.execute(
                f"INSERT INTO {table} (stage, region, day, total) "  # noqa: S608
                f"VALUES (%s, %s, %s, %s + COALESCE((SELECT total FROM {table} "
                "WHERE stage = %s AND region = %s AND day < %s ORDER BY day DESC LIMIT 1), 0)) "
                f"ON CONFLICT (stage, region, day) DO UPDATE SET total = {table}.total + %s",
                [stage, region, day, delta, stage, region, day, delta],
            )


def rebuild(models: Any = None) -> int:
    """Recompute the whole table from the history (after a bulk load, or a change of
    TIME_ZONE, which moves day boundaries); returns the requests read. ``models`` is a
    migration's app registry when a migration calls it."""
    names = ("AssistanceRequest", "HistoryEntry", "StandingCount")
    found = (
        [models.get_model("tracker", name) for name in names]
        if models
        else [AssistanceRequest, HistoryEntry, StandingCount]
    )
    requests, history, table = (cast(Any, model) for model in found)
    regions = dict(requests.objects.values_list("pk", "requesting_state__region"))
    changes: dict[str, Steps] = {}
    rows = (
        history.objects.order_by("request_id", "at", "pk")
        .values_list("request_id", "at", "pk", "to_stage")
        .iterator(chunk_size=20_000)
    )
    count = 0
    for request_id, own in groupby(rows, key=lambda row: row[0]):
        changes.setdefault(regions[request_id], Counter()).update(
            steps((at, pk, stage) for _request, at, pk, stage in own)
        )
        count += 1
    counts = []
    for region, change in changes.items():
        running: Counter[str] = Counter()
        for day, stage in sorted(key for key, delta in change.items() if delta):
            running[stage] += change[(day, stage)]
            counts.append(table(stage=stage, region=region, day=day, total=running[stage]))
    with transaction.atomic():
        table.objects.all().delete()
        table.objects.bulk_create(counts, batch_size=5000)
    return count


def open_on(day: date, region: str = "") -> dict[str, Any]:
    """The backlog on ``day``, as ``reports.open_on`` gives it over every request (or
    those of ``region``): the last count of each stage and region up to the day."""
    regions = [region] if region else list(RegionalGroup.values)
    table = StandingCount._meta.db_table
    lookup = (
        f"SELECT %s, (SELECT total FROM {table} WHERE stage = %s AND region = %s "  # noqa: S608
        "AND day <= %s ORDER BY day DESC LIMIT 1)"
    )
    pairs = [(stage.value, name) for stage in OPEN for name in regions]
    with connection.cursor() as cursor:
        cursor.execute(
            " UNION ALL ".join([lookup] * len(pairs)),
            [value for stage, name in pairs for value in (stage, stage, name, day)],
        )
        found = cursor.fetchall()
    by_stage = {stage.value: 0 for stage in OPEN}
    for stage, total in found:
        by_stage[stage] += total or 0
    return {"date": day.isoformat(), "total": sum(by_stage.values()), "by_stage": by_stage}
