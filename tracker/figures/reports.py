"""The figures that are not tallies: the backlog on a date, counted live from the
history (a correlated subquery: the standing backlog, ``tracker.figures.standing``,
keeps it for every request and region), the imported UPR records followed, and how
changes and shares are stated.

Every function takes the requests a user may see (``selectors.visible_requests``)
so that a focal point's figures cover its own State only.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.utils import timezone

from tracker import workflow
from tracker.models import AssistanceRequest, HistoryEntry, UprRecommendation


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


# --- backlog (A/HRC/43/31 paras 95-97) ----------------------------------------------------


def open_on(requests: QuerySet[AssistanceRequest], day: date) -> dict[str, Any]:
    """Open requests per stage as they stood at the end of ``day``, from their history."""
    # The end of the day: the next one's start (of the last day there is, its last moment).
    end = timezone.make_aware(
        datetime.combine(day + timedelta(days=1), time.min)
        if day < date.max
        else datetime.combine(day, time.max)
    )
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
