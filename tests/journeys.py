"""Each transition with what it needs recorded first, for the surface tests (admin, API,
portal) that drive every transition through their own forms."""

from __future__ import annotations

from decimal import Decimal

from django.utils import timezone

from tracker import services, workflow
from tracker.services import ActivityDraft, IndicatorDraft

#: (stage the request is in, transition, inputs for an officer, stage after): each
#: transition from its first source stage, with the example its declaration gives.
TRANSITIONS = [
    (workflow.sources(name)[0], name, dict(workflow.about(name).example), workflow.target(name))
    for name in workflow.TRANSITION_NAMES
]


def propose(ta_request, officer, budget="1000"):
    return services.propose_plan(
        ta_request=ta_request,
        by=officer,
        budget_amount=Decimal(budget),
        activities=[ActivityDraft(form="training", title="Training of judges")],
    )


def prepare(ta_request, name, officer) -> None:
    """Record what the transition's guard needs (see test_workflow for the guards)."""
    if name == "complete_assessment":
        services.record_assessment(ta_request=ta_request, by=officer, findings="f", gaps="g")
    elif name in ("approve_plan", "reject_plan", "revise_plan"):
        propose(ta_request, officer)
    elif name == "complete_implementation":
        activity = ta_request.approved_plan().activities.get()
        services.record_delivery(activity=activity, by=officer, delivered_on=timezone.localdate())
    elif name == "close":
        services.record_evaluation(
            ta_request=ta_request,
            by=officer,
            indicators=[IndicatorDraft("Judges trained", Decimal(0), Decimal(50), Decimal(42))],
        )
