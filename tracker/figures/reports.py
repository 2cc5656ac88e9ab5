"""Figures for analysts and donors, computed in the database.

Every function takes the requests a user may see (``selectors.visible_requests``)
so that a focal point's figures cover its own State only. Nothing loops over rows
in Python: counts are GROUP BY queries, medians an ordered-set aggregate (a
registered aggregate on SQLite), the backlog a correlated subquery over history.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.db.models.functions import ExtractYear
from django.utils import timezone

from tracker import workflow
from tracker.models import AssistanceRequest, HistoryEntry, UprRecommendation
from tracker.workflow import Stage, deadlines


def _counts(requests: QuerySet[AssistanceRequest], key: str) -> dict[Any, int]:
    rows = (
        requests.exclude(**{f"{key}__isnull": True})
        .values_list(key)
        .annotate(n=Count("pk", distinct=True))
        .order_by(key)
    )
    return dict(rows)


def summary(requests: QuerySet[AssistanceRequest], now: datetime | None = None) -> dict[str, Any]:
    now = now or timezone.now()
    by_stage = _counts(requests, "stage")
    total = sum(by_stage.values())
    withdrawn = by_stage.get(Stage.WITHDRAWN, 0)
    return {
        "total": total,
        "by_stage": {stage: by_stage.get(stage, 0) for stage in Stage.values},
        "by_region": _counts(requests, "requesting_state__region"),
        "by_domain": _counts(requests, "domains__code"),
        "by_year": {
            str(year): n
            for year, n in requests.annotate(year=ExtractYear("opened_at"))
            .values_list("year")
            .annotate(n=Count("pk"))
            .order_by("year")
        },
        "median_days_in_stage": median_days_in_stage(requests),
        # Share of all requests that their State withdrew (A/HRC/43/31 para 30).
        "withdrawal_rate": ratio(withdrawn, total),
        "overdue": requests.filter(deadlines.overdue_q(now)).count(),
        # A/HRC/43/31 para 115: how much assistance follows up the review's
        # recommendations, counted on the imported UPR records the requests link to.
        "upr_records": {
            "requests": following_upr_records(requests),
            "records": upr_records(requests),
        },
    }


def following_upr_records(requests: QuerySet[AssistanceRequest]) -> int:
    """How many of the requests link to an imported UPR record (free text aside)."""
    return requests.filter(recommendations__record__isnull=False).values("pk").distinct().count()


def upr_records(requests: QuerySet[AssistanceRequest]) -> int:
    """How many imported UPR records the requests follow up."""
    return (
        UprRecommendation.objects.filter(links__request__in=requests)
        .values("pk")
        .distinct()
        .count()
    )


def ratio(part: int, whole: int) -> float | None:
    if not whole:
        return None
    return float((Decimal(part) / Decimal(whole)).quantize(Decimal("0.0001"), ROUND_HALF_UP))


_DAYS = {
    "postgresql": "EXTRACT(EPOCH FROM (left_at - entered_at)) / 86400.0",
    "sqlite": "julianday(left_at) - julianday(entered_at)",
}
# SQLite's are registered on each connection (tracker.apps, tracker.figures.Percentile).
_PERCENTILES = {
    "postgresql": "percentile_cont(0.5) WITHIN GROUP (ORDER BY days), "
    "percentile_cont(0.9) WITHIN GROUP (ORDER BY days)",
    "sqlite": "median(days), percentile_90(days)",
}


def stays(requests: QuerySet[AssistanceRequest]) -> dict[str, tuple[int, float, float]]:
    """Per stage, the stays that ended: how many, their median and 90th-percentile
    days. A stay starts at the history row that entered the stage and ends at the
    next row that changed the stage (a rejected plan does not restart consultation)."""
    try:
        ids_sql, ids_params = requests.values("pk").query.sql_with_params()
    except EmptyResultSet:  # requests.none(): someone who sees none
        return {}
    vendor = connection.vendor
    history = HistoryEntry._meta.db_table
    sql = f"""
        WITH changes AS (
            SELECT h.to_stage AS stage, h.at AS entered_at,
                   LEAD(h.at) OVER (PARTITION BY h.request_id ORDER BY h.at, h.id) AS left_at
            FROM {history} h
            WHERE h.from_stage <> h.to_stage AND h.request_id IN ({ids_sql})
        ),
        stays AS (
            SELECT stage, {_DAYS[vendor]} AS days FROM changes WHERE left_at IS NOT NULL
        )
        SELECT stage, count(*), {_PERCENTILES[vendor]} FROM stays GROUP BY stage
    """  # noqa: S608 (only table names and fixed fragments are formatted in)
    with connection.cursor() as cursor:
        cursor.execute(sql, ids_params)
        return {stage: (n, median, p90) for stage, n, median, p90 in cursor.fetchall()}


def median_days_in_stage(requests: QuerySet[AssistanceRequest]) -> dict[str, float]:
    """Median days requests spent in each stage before leaving it (``stays``)."""
    found = stays(requests)
    return {
        stage.value: round(float(found[stage][1]), 1) for stage in workflow.OPEN if stage in found
    }


# --- backlog (A/HRC/43/31 paras 95-97) ----------------------------------------------------


def open_on(requests: QuerySet[AssistanceRequest], day: date) -> dict[str, Any]:
    """Open requests per stage as they stood at the end of ``day``, from their history."""
    end = timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))
    stage_then = (
        HistoryEntry.objects.filter(request=OuterRef("pk"), at__lt=end)
        .order_by("-at", "-pk")
        .values("to_stage")[:1]
    )
    rows = (
        requests.annotate(stage_then=Subquery(stage_then))
        .filter(stage_then__in=workflow.OPEN)
        .values_list("stage_then")
        .annotate(n=Count("pk"))
        .order_by()
    )
    counts = dict(rows)
    by_stage = {stage.value: counts.get(stage, 0) for stage in workflow.OPEN}
    return {"date": day.isoformat(), "total": sum(by_stage.values()), "by_stage": by_stage}


def change(before: int, after: int) -> dict[str, Any]:
    """The change from ``before`` to ``after`` as the report states it: 2 300 → 2 386 is +3.7 %."""
    if not before:
        return {"difference": after - before, "percent": None, "text": "n/a"}
    percent = (Decimal(after - before) * 100 / Decimal(before)).quantize(
        Decimal("0.1"), ROUND_HALF_UP
    )
    return {
        "difference": after - before,
        "percent": float(percent),
        "text": f"{'+' if percent > 0 else ''}{percent} %",
    }


def backlog(
    requests: QuerySet[AssistanceRequest],
    on: date,
    compare: date | None = None,
    counted: Callable[[date], dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """The backlog on ``on`` (and ``compare``), counted live from the history, or by
    ``counted`` (the standing backlog, which gives the same)."""
    count = counted or (lambda day: open_on(requests, day))
    result: dict[str, Any] = {"on": count(on)}
    if compare is not None:
        then = count(compare)
        now_ = result["on"]
        result["compare"] = then
        result["change"] = {
            "total": change(then["total"], now_["total"]),
            "by_stage": {
                stage: change(then["by_stage"][stage], now_["by_stage"][stage])
                for stage in now_["by_stage"]
            },
        }
    return result


BACKLOG_COLUMNS = ("stage", "on", "open_on", "compare", "open_on_compare", "difference", "percent")


def backlog_rows(found: dict[str, Any]) -> list[list[object]]:
    """The backlog as rows: each stage, then all open requests."""
    on, then = found["on"], found.get("compare")
    table = []
    for stage in [*on["by_stage"], "total"]:
        count = on["by_stage"][stage] if stage != "total" else on["total"]
        row: list[object] = [stage, on["date"], count]
        if then is not None:
            before = then["by_stage"][stage] if stage != "total" else then["total"]
            moved = (
                found["change"]["by_stage"][stage] if stage != "total" else found["change"]["total"]
            )
            row += [then["date"], before, moved["difference"], moved["percent"]]
        table.append(row)
    return table
