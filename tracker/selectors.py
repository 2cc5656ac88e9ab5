"""Every read that the admin, the portal, the API and the reports share.

Scoping lives here and only here: a view never builds its own "requests this user
may see". A focal point sees its own State's requests and nothing else of another
State (A/HRC/43/31 para 114); officers and analysts see everything.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import Count, F, Q, QuerySet
from django.utils.translation import gettext as _

from tracker import deadlines, workflow
from tracker.errors import NotFound
from tracker.models import AssistanceRequest, Evaluation, EvaluationKind, User
from tracker.workflow import Role, Stage


def sees_everything(user: User | None) -> bool:
    return bool(
        user is not None
        and user.is_authenticated
        and user.is_active
        and user.role in (Role.OFFICER, Role.ANALYST)
    )


def visible_requests(user: User | None) -> QuerySet[AssistanceRequest]:
    requests = AssistanceRequest.objects.select_related("requesting_state", "officer")
    if sees_everything(user):
        return requests
    if (
        user is not None
        and user.is_authenticated
        and user.is_active
        and user.role == Role.FOCAL_POINT
    ):
        return requests.filter(requesting_state_id=user.member_state_id)
    return requests.none()


def get_request(user: User | None, reference: str) -> AssistanceRequest:
    """The request with this reference, if ``user`` may see it.

    Another State's request answers exactly like one that does not exist.
    """
    request = visible_requests(user).filter(reference=reference).first()
    if request is None:
        raise NotFound(_("There is no request %(reference)s.") % {"reference": reference})
    return request


def published_lessons(user: User | None) -> QuerySet[Evaluation]:
    """Lessons of closed requests a user may read: its own State's, and those other
    States chose to publish (A/HRC/43/31 para 114)."""
    if user is None or not user.is_authenticated or not user.is_active or not user.role:
        return Evaluation.objects.none()
    lessons = Evaluation.objects.filter(
        kind=EvaluationKind.FINAL, request__stage=Stage.CLOSED
    ).exclude(lessons_learned="")
    if sees_everything(user):
        return lessons.select_related("request__requesting_state")
    return lessons.filter(
        Q(lessons_published=True) | Q(request__requesting_state_id=user.member_state_id)
    ).select_related("request__requesting_state")


# --- what a staff member's first screen shows ----------------------------------------------

#: How many requests the admin's home page lists in an officer's queue.
QUEUE_SHOWN = 10


def officer_queue(user: User, now: datetime) -> QuerySet[AssistanceRequest]:
    """Open requests assigned to ``user``: overdue first, then the State's own ranking
    (A/HRC/43/31 para 40: the State's priorities lead), then the longest waiting."""
    return (
        visible_requests(user)
        .filter(officer_id=user.pk, stage__in=workflow.OPEN)
        .annotate(overdue=deadlines.overdue_annotation(now))
        .order_by("-overdue", F("priority").asc(nulls_last=True), "stage_entered_at")
    )


def unassigned_new_requests(user: User) -> QuerySet[AssistanceRequest]:
    """New requests no officer has taken yet, oldest first."""
    return (
        visible_requests(user)
        .filter(stage=Stage.REQUESTED, officer__isnull=True)
        .order_by("opened_at")
    )


def stage_figures(user: User, now: datetime) -> dict[str, Any]:
    """Requests per stage (open, then ended) and how many open ones are overdue, in two
    grouped queries."""
    requests = visible_requests(user)
    per_stage = dict(requests.values_list("stage").annotate(n=Count("pk")).order_by())
    return {
        "open": [(Stage(s).label, per_stage.get(s, 0)) for s in workflow.OPEN],
        "ended": [(Stage(s).label, per_stage.get(s, 0)) for s in workflow.TERMINAL],
        "open_total": sum(per_stage.get(s, 0) for s in workflow.OPEN),
        "overdue": requests.filter(deadlines.overdue_q(now)).count(),
    }
