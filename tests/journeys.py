"""Each transition with what it needs recorded first, for the surface tests (admin, API,
portal) that drive every transition through their own forms."""

from __future__ import annotations

from decimal import Decimal

from django.utils import timezone

from tracker import services
from tracker.services import ActivityDraft, IndicatorDraft
from tracker.workflow import Stage

#: (stage the request is in, transition, inputs for an officer, stage after)
TRANSITIONS = [
    (Stage.REQUESTED, "accept", {}, Stage.NEEDS_ASSESSMENT),
    (Stage.REQUESTED, "decline", {"reason": "Out of scope"}, Stage.DECLINED),
    (Stage.NEEDS_ASSESSMENT, "complete_assessment", {}, Stage.CONSULTATION),
    (Stage.CONSULTATION, "approve_plan", {"document_reference": "NV/9"}, Stage.IMPLEMENTATION),
    (Stage.CONSULTATION, "reject_plan", {"reason": "Too costly", "document_reference": "L/1"},
     Stage.CONSULTATION),
    (Stage.IMPLEMENTATION, "revise_plan", {}, Stage.CONSULTATION),
    (Stage.IMPLEMENTATION, "complete_implementation", {}, Stage.EVALUATION),
    (Stage.EVALUATION, "close", {}, Stage.CLOSED),
    (Stage.EVALUATION, "withdraw", {"document_reference": "NV/10"}, Stage.WITHDRAWN),
]  # fmt: skip


def propose(request, officer, budget="1000"):
    return services.propose_plan(
        request=request,
        by=officer,
        budget_amount=Decimal(budget),
        activities=[ActivityDraft(form="training", title="Training of judges")],
    )


def prepare(request, name, officer) -> None:
    """Record what the transition's guard needs (see test_workflow for the guards)."""
    if name == "complete_assessment":
        services.record_assessment(request=request, by=officer, findings="f", gaps="g")
    elif name in ("approve_plan", "reject_plan", "revise_plan"):
        propose(request, officer)
    elif name == "complete_implementation":
        activity = request.approved_plan().activities.get()
        services.record_delivery(activity=activity, by=officer, delivered_on=timezone.localdate())
    elif name == "close":
        services.record_evaluation(
            request=request,
            by=officer,
            indicators=[IndicatorDraft("Judges trained", Decimal(0), Decimal(50), Decimal(42))],
        )
