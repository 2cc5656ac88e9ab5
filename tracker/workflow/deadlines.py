"""When a request is overdue: service-level times per stage, defined once.

The admin's filters, the portal, the API's ``overdue`` filter and the reminders all
use ``overdue_q`` / ``is_overdue``. Defaults follow docs/design.md, "Reminders"; override
them with the ``SERVICE_LEVEL_DAYS`` setting (environment variable of the same name,
e.g. ``SERVICE_LEVEL_DAYS="requested=10;consultation=21"``).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import BooleanField, Case, Q, Value, When

from tracker.workflow import Stage

DEFAULT_SERVICE_LEVEL_DAYS: dict[str, int] = {
    Stage.REQUESTED: 14,  # a new request is acknowledged within 14 days
    Stage.NEEDS_ASSESSMENT: 90,
    Stage.CONSULTATION: 30,  # a plan waits at most 30 days for the State's decision
    Stage.IMPLEMENTATION: 365,
    Stage.EVALUATION: 60,
}


def service_levels() -> dict[str, timedelta]:
    days = DEFAULT_SERVICE_LEVEL_DAYS | getattr(settings, "SERVICE_LEVEL_DAYS", {})
    return {stage: timedelta(days=int(n)) for stage, n in days.items()}


def overdue_q(now: datetime) -> Q:
    """Requests that have stayed in their stage longer than its service level."""
    condition = Q(pk__in=[])
    for stage, allowed in service_levels().items():
        condition |= Q(stage=stage, stage_entered_at__lt=now - allowed)
    return condition


def overdue_annotation(now: datetime) -> Case:
    return Case(
        When(overdue_q(now), then=Value(True)), default=Value(False), output_field=BooleanField()
    )


def due_at(stage: str, stage_entered_at: datetime) -> datetime | None:
    allowed = service_levels().get(stage)
    return stage_entered_at + allowed if allowed is not None else None


def is_overdue(stage: str, stage_entered_at: datetime, now: datetime) -> bool:
    due = due_at(stage, stage_entered_at)
    return due is not None and now > due
