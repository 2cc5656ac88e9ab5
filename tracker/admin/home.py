"""The admin's home page: each staff member's first screen holds its work. Officers see
their queue and the new requests nobody has taken; everyone sees the figures."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from tracker import selectors, workflow
from tracker.models import User


def context(user: User) -> dict[str, Any]:
    now = timezone.now()
    home: dict[str, Any] = {"figures": selectors.stage_figures(user, now)}
    if workflow.is_officer(user):
        queue = selectors.officer_queue(user, now)
        home["queue"] = list(queue[: selectors.QUEUE_SHOWN])
        home["queue_count"] = queue.count()
        unassigned = selectors.unassigned_new_requests(user)
        home["unassigned"] = list(unassigned[: selectors.QUEUE_SHOWN])
    return home
