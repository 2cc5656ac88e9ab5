"""Every read that the admin, the portal, the API and the reports share.

Scoping lives here and only here: a view never builds its own "requests this user
may see". A focal point sees its own State's requests and nothing else of another
State (A/HRC/43/31 para 114); officers and analysts see everything.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from django.db.models import (
    Count,
    Exists,
    F,
    Model,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    prefetch_related_objects,
)
from django.utils.translation import gettext as _

from tracker import deadlines, workflow
from tracker.errors import NotFound
from tracker.models import (
    Activity,
    AssistanceForm,
    AssistanceRequest,
    Domain,
    Evaluation,
    Funding,
    HistoryEntry,
    LinkedRecommendation,
    MemberState,
    NeedsAssessment,
    Plan,
    Provider,
    User,
)
from tracker.vocabulary import EvaluationKind
from tracker.workflow import Role, Stage


def visible_requests(user: User | None) -> QuerySet[AssistanceRequest]:
    requests = AssistanceRequest.objects.select_related("requesting_state", "officer")
    if workflow.sees_everything(user):
        return requests
    if user is not None and workflow.is_focal_point(user):
        return requests.filter(requesting_state_id=user.member_state_id)
    return requests.none()


def with_progress(requests: QuerySet[AssistanceRequest]) -> QuerySet[AssistanceRequest]:
    """What a list needs to say where each request stands and whether the State must
    decide (plans with their consents, evaluations) in a constant number of queries."""
    return requests.prefetch_related(
        Prefetch("plans", queryset=Plan.objects.prefetch_related("consents")), "evaluations"
    )


def get_request(user: User | None, reference: str) -> AssistanceRequest:
    """The request with this reference, if ``user`` may see it.

    Another State's request answers exactly like one that does not exist.
    """
    ta_request = visible_requests(user).filter(reference=reference).first()
    if ta_request is None:
        raise NotFound(_("There is no request %(reference)s.") % {"reference": reference})
    return ta_request


def published_lessons(user: User | None) -> QuerySet[Evaluation]:
    """Lessons of closed requests a user may read: its own State's, and those other
    States chose to publish (A/HRC/43/31 para 114)."""
    if not (workflow.sees_everything(user) or workflow.is_focal_point(user)):
        return Evaluation.objects.none()
    lessons = Evaluation.objects.filter(
        kind=EvaluationKind.FINAL, request__stage=Stage.CLOSED
    ).exclude(lessons_learned="")
    if workflow.sees_everything(user) or user is None:
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


def timeline(ta_request: AssistanceRequest) -> list[HistoryEntry]:
    """The request's history, oldest first, each row with its actor and the consent
    record written with it (``entry.consent``, when there is one)."""
    return list(ta_request.history.select_related("actor", "consent__plan").order_by("at", "pk"))


# --- reference data and choices the forms offer -----------------------------------------------


def sections_with_rows(
    ta_request: AssistanceRequest, models: Sequence[type[Model]]
) -> set[type[Model]]:
    """Which of ``models`` (each with a ``request`` key) have rows for this request."""
    if not models:
        return set()
    flags = {
        f"has_{model._meta.model_name}": Exists(
            model._default_manager.filter(request=OuterRef("pk"))
        )
        for model in models
    }
    found: dict[str, bool] = (
        AssistanceRequest.objects.filter(pk=ta_request.pk).values(**flags).get()  # type: ignore[assignment]
    )
    return {model for model in models if found[f"has_{model._meta.model_name}"]}


def member_states() -> QuerySet[MemberState]:
    return MemberState.objects.all()


def domains() -> QuerySet[Domain]:
    return Domain.objects.all()


def assistance_forms() -> QuerySet[AssistanceForm]:
    return AssistanceForm.objects.all()


def providers() -> QuerySet[Provider]:
    return Provider.objects.all()


def officers() -> QuerySet[User]:
    """Active secretariat officers, who may be assigned a request."""
    return User.objects.filter(role=Role.OFFICER, is_active=True).order_by("username")


def user_named(username: str) -> User | None:
    """Whoever has this username; the rules then say whether that person may be named."""
    return User.objects.filter(username=username).first()


def providers_named(names: Iterable[str]) -> list[Provider]:
    return list(Provider.objects.filter(name__in=list(names)))


def activities_to_deliver(ta_request: AssistanceRequest | None) -> QuerySet[Activity]:
    """Activities of the plan version the State approved: only those are delivered."""
    approved = ta_request.approved_plan() if ta_request is not None else None
    return approved.activities.all() if approved is not None else Activity.objects.none()


def activity_of(ta_request: AssistanceRequest, activity_id: int) -> Activity | None:
    """One activity of this request's plans, or None (another request's is not found)."""
    return Activity.objects.filter(pk=activity_id, plan__request=ta_request).first()


def needs_assessment(ta_request: AssistanceRequest) -> NeedsAssessment | None:
    return NeedsAssessment.objects.filter(request=ta_request).first()


def final_evaluation(ta_request: AssistanceRequest) -> Evaluation | None:
    """The request's final evaluation with its indicators (one rule: the model's)."""
    prefetch_related_objects([ta_request], "evaluations__indicators")
    return ta_request.final_evaluation()


def plans_of(ta_request: AssistanceRequest) -> QuerySet[Plan]:
    """Every plan version of the request, newest first, with what a page shows of each."""
    return (
        ta_request.plans.prefetch_related("providers", "activities__form")
        .select_related("proposed_by")
        .order_by("-version")
    )


def recommendations_of(ta_request: AssistanceRequest) -> QuerySet[LinkedRecommendation]:
    return ta_request.recommendations.select_related("recommending_state").order_by("pk")


def funding_of(ta_request: AssistanceRequest) -> QuerySet[Funding]:
    return ta_request.funding.order_by("pk")


def search_requests(
    user: User, words: str = "", stage: str = "", year: int | None = None
) -> QuerySet[AssistanceRequest]:
    """The requests ``user`` may see that match: words in the reference, the title or a
    domain's name or code; a stage; the year they were opened. Newest first."""
    found = visible_requests(user)
    if words:
        found = found.filter(
            Q(reference__icontains=words)
            | Q(title__icontains=words)
            | Q(domains__code__icontains=words)
            | Q(domains__name_en__icontains=words)
            | Q(domains__name_fr__icontains=words)
        ).distinct()
    if stage:
        found = found.filter(stage=stage)
    if year:
        found = found.filter(opened_at__year=year)
    return found.order_by("-opened_at", "-pk")
