"""Bringing a request to a stage through the real transitions.

``load_demo``, the tests and the benchmark generator use ``bring_to`` so that every
request they make has the history and consent records a real one would have.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from tracker import selectors, services, workflow
from tracker.kernel import clock
from tracker.models import AssistanceRequest, Provider, User
from tracker.services import ActivityDraft, IndicatorDraft
from tracker.workflow import Stage


@dataclass(frozen=True)
class Content:
    """What the secretariat records for a request along the way."""

    findings: str = "Findings of the needs assessment."
    gaps: str = "Gaps identified by the needs assessment."
    plan_summary: str = "Plan of assistance proposed to the State."
    budget: Decimal = Decimal("50000")
    activities: Sequence[ActivityDraft] = (
        ActivityDraft(form="workshop", title="National consultation workshop"),
    )
    providers: Sequence[str] = ()
    indicators: Sequence[IndicatorDraft] = (
        IndicatorDraft(
            name="Officials trained", baseline=Decimal(0), target=Decimal(40), measured=Decimal(35)
        ),
    )
    evaluation_summary: str = "Evaluation of the results with the State."
    lessons: str = ""
    # Days spent in each stage before moving on, for replaying a past request.
    days_per_step: int = 0
    # Leave a plan waiting for the State's decision when stopping in consultation.
    plan_awaiting_decision: bool = False
    declined_reason: str = "Outside the mandate of the programme."
    withdrawn_reason: str = "The State has made other arrangements."


def bring_to(
    ta_request: AssistanceRequest,
    stage: str,
    *,
    officer: User,
    focal_point: User | None = None,
    content: Content | None = None,
) -> AssistanceRequest:
    """Take ``request`` from ``requested`` to ``stage``, recording what each step needs.

    The State's decisions are taken by ``focal_point``, or, without one, recorded by
    the officer from a note verbale.
    """
    content = content or Content()
    moment = ta_request.opened_at
    step = timedelta(days=content.days_per_step)
    for name in workflow.path_to(stage):
        moment += step
        if name == "approve_plan":
            # The plan is proposed halfway through consultation, then decided on.
            with clock.at(moment - step / 2 if step else clock.now()):
                _propose(ta_request, officer, content)
        with clock.at(moment if step else clock.now()):
            ta_request = _step(ta_request, name, officer, focal_point, content)
    if stage == Stage.CONSULTATION and content.plan_awaiting_decision:
        _propose(ta_request, officer, content)
    return ta_request


def _propose(ta_request: AssistanceRequest, officer: User, content: Content) -> None:
    services.propose_plan(
        ta_request=ta_request,
        by=officer,
        summary=content.plan_summary,
        budget_amount=content.budget,
        activities=content.activities,
        providers=Provider.objects.filter(name__in=content.providers),
    )


def _step(
    ta_request: AssistanceRequest,
    name: str,
    officer: User,
    focal_point: User | None,
    content: Content,
) -> AssistanceRequest:
    state_actor = focal_point or officer
    # Without a focal point, staff record the State's decisions from its notes verbales.
    paper_reference = "" if focal_point else f"NV/{ta_request.reference}"
    if name == "complete_assessment":
        services.record_assessment(
            ta_request=ta_request, by=officer, findings=content.findings, gaps=content.gaps
        )
    elif name == "approve_plan":
        return services.take_transition(
            ta_request=ta_request, name=name, by=state_actor, document_reference=paper_reference
        )
    elif name == "complete_implementation":
        for activity in selectors.activities_to_deliver(ta_request):
            services.record_delivery(
                activity=activity, by=officer, delivered_on=_today(), participants=25
            )
    elif name == "close":
        services.record_evaluation(
            ta_request=ta_request,
            by=officer,
            indicators=content.indicators,
            summary=content.evaluation_summary,
            lessons_learned=content.lessons,
        )
    elif name == "decline":
        return services.take_transition(
            ta_request=ta_request, name=name, by=officer, reason=content.declined_reason
        )
    elif name == "withdraw":
        return services.take_transition(
            ta_request=ta_request,
            name=name,
            by=state_actor,
            reason=content.withdrawn_reason,
            document_reference=paper_reference,
        )
    return services.take_transition(ta_request=ta_request, name=name, by=officer)


def _today() -> date:
    return clock.now().date()
