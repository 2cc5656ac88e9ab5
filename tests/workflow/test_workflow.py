"""Every row of the workflow table, allowed and refused (docs/design.md, "The workflow")."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.journeys import propose
from tracker import services, workflow
from tracker.kernel.errors import Conflict, InvalidInput, NotAllowed, NotFound, Refused
from tracker.models import Consent, HistoryEntry
from tracker.services import IndicatorDraft
from tracker.workflow import Decision, Stage, dates

pytestmark = pytest.mark.django_db


def take(request, name, by, **inputs):
    return services.take_transition(ta_request=request, name=name, by=by, **inputs)


# --- accept --------------------------------------------------------------------------


def test_officer_accepts_and_is_assigned(request_at, officer):
    ta_request = take(request_at(Stage.REQUESTED), "accept", officer)
    assert ta_request.stage == Stage.NEEDS_ASSESSMENT
    assert ta_request.officer == officer


def test_accept_assigns_the_named_officer(request_at, officer, other_officer):
    ta_request = take(request_at(Stage.REQUESTED), "accept", officer, officer=other_officer)
    assert ta_request.officer == other_officer


def test_accept_refuses_to_assign_someone_who_is_not_an_officer(request_at, officer, analyst):
    ta_request = request_at(Stage.REQUESTED)
    with pytest.raises(InvalidInput, match="not an active secretariat officer"):
        take(ta_request, "accept", officer, officer=analyst)
    ta_request.refresh_from_db()
    assert ta_request.stage == Stage.REQUESTED


@pytest.mark.parametrize("persona", ["togo_focal", "analyst"])
def test_only_staff_accept(request_at, persona, persona_user):
    with pytest.raises(NotAllowed, match="Only secretariat officers can do this: accept a request"):
        take(request_at(Stage.REQUESTED), "accept", persona_user(persona))


def test_accept_only_from_requested(request_at, officer):
    refusal = r"^Accept a request: not while .* only at the stage Requested"
    with pytest.raises(Refused, match=refusal):
        take(request_at(Stage.NEEDS_ASSESSMENT), "accept", officer)


# --- decline -------------------------------------------------------------------------


@pytest.mark.parametrize("stage", [Stage.REQUESTED, Stage.NEEDS_ASSESSMENT])
def test_officer_declines_with_a_reason(request_at, officer, stage):
    ta_request = take(request_at(stage), "decline", officer, reason="Outside the programme")
    assert ta_request.stage == Stage.DECLINED
    assert ta_request.history.last().comment == "Outside the programme"


def test_decline_needs_a_reason(request_at, officer):
    ta_request = request_at(Stage.REQUESTED)
    with pytest.raises(InvalidInput, match="Give the reason for declining"):
        take(ta_request, "decline", officer, reason="   ")
    assert ta_request.history.count() == 1


def test_decline_is_refused_once_consultation_began(request_at, officer):
    with pytest.raises(Refused, match="only at the stage Requested or Needs assessment"):
        take(request_at(Stage.CONSULTATION), "decline", officer, reason="Changed our mind")


def test_states_do_not_decline_they_withdraw(request_at, togo_focal):
    with pytest.raises(NotAllowed):
        take(request_at(Stage.REQUESTED), "decline", togo_focal, reason="No longer needed")


# --- complete_assessment (P5) ---------------------------------------------------------


def test_assessment_completes_with_findings_and_gaps(request_at, officer):
    ta_request = request_at(Stage.NEEDS_ASSESSMENT)
    services.record_assessment(
        ta_request=ta_request, by=officer, findings="Law of 1998", gaps="No NHRI"
    )
    assert take(ta_request, "complete_assessment", officer).stage == Stage.CONSULTATION


def test_no_consultation_without_a_needs_assessment(request_at, officer):
    with pytest.raises(Refused, match="Record the needs assessment"):
        take(request_at(Stage.NEEDS_ASSESSMENT), "complete_assessment", officer)


@pytest.mark.parametrize(("findings", "gaps"), [("Law of 1998", ""), ("", "No NHRI")])
def test_an_assessment_without_findings_or_gaps_is_not_recorded(
    request_at, officer, findings, gaps
):
    ta_request = request_at(Stage.NEEDS_ASSESSMENT)
    with pytest.raises(InvalidInput) as refused:
        services.record_assessment(ta_request=ta_request, by=officer, findings=findings, gaps=gaps)
    assert list(refused.value.fields) == ["gaps" if findings else "findings"]
    assert not ta_request.assessment_is_complete()


def test_only_staff_record_the_assessment(request_at, togo_focal):
    with pytest.raises(NotAllowed):
        services.record_assessment(
            ta_request=request_at(Stage.NEEDS_ASSESSMENT), by=togo_focal, findings="f", gaps="g"
        )


def test_the_assessment_is_recorded_only_during_needs_assessment(request_at, officer):
    with pytest.raises(Refused, match="only at the stage Needs assessment"):
        services.record_assessment(
            ta_request=request_at(Stage.REQUESTED), by=officer, findings="f", gaps="g"
        )


# --- approve_plan / reject_plan (P2) ---------------------------------------------------


def test_focal_point_approves_the_current_plan_version(request_at, officer, togo_focal):
    ta_request = request_at(Stage.CONSULTATION)
    plan = propose(ta_request, officer)
    ta_request = take(ta_request, "approve_plan", togo_focal, plan_version=1)
    assert ta_request.stage == Stage.IMPLEMENTATION
    consent = Consent.objects.get(request=ta_request, decision=Decision.APPROVED)
    assert (consent.plan, consent.recorded_by, consent.document_reference) == (
        plan,
        togo_focal,
        "",
    )


def test_staff_record_written_approval_with_its_reference(request_at, officer):
    ta_request = request_at(Stage.CONSULTATION)
    propose(ta_request, officer)
    take(
        ta_request,
        "approve_plan",
        officer,
        document_reference="NV/TGO/2026/88",
        document_date=dates.today(),
    )
    consent = Consent.objects.get(request=ta_request, decision=Decision.APPROVED)
    assert consent.document_reference == "NV/TGO/2026/88"
    assert consent.document_date == dates.today()
    assert consent.recorded_by == officer


def test_staff_cannot_approve_without_the_states_written_consent(request_at, officer):
    ta_request = request_at(Stage.CONSULTATION)
    propose(ta_request, officer)
    with pytest.raises(InvalidInput, match="give the reference of its written communication"):
        take(ta_request, "approve_plan", officer)
    ta_request.refresh_from_db()
    assert ta_request.stage == Stage.CONSULTATION
    assert not Consent.objects.filter(decision=Decision.APPROVED).exists()


def test_focal_point_cannot_approve_other_states_plan(request_at, officer, senegal_focal):
    ta_request = request_at(Stage.CONSULTATION)
    propose(ta_request, officer)
    with pytest.raises(NotAllowed, match=r"^Only Togo can do this: approve this plan\.$"):
        take(ta_request, "approve_plan", senegal_focal)


def test_analyst_cannot_approve(request_at, officer, analyst):
    ta_request = request_at(Stage.CONSULTATION)
    propose(ta_request, officer)
    with pytest.raises(NotAllowed):
        take(ta_request, "approve_plan", analyst)


def test_no_approval_without_a_plan(request_at, togo_focal):
    with pytest.raises(Refused, match="There is no plan yet"):
        take(request_at(Stage.CONSULTATION), "approve_plan", togo_focal)


def test_approval_is_refused_for_a_version_the_state_did_not_see(request_at, officer, togo_focal):
    ta_request = request_at(Stage.CONSULTATION)
    propose(ta_request, officer)
    propose(ta_request, officer, budget="2000")
    with pytest.raises(Conflict, match="Plan version 2 has replaced version 1"):
        take(ta_request, "approve_plan", togo_focal, plan_version=1)


def test_approve_only_in_consultation(request_at, togo_focal):
    with pytest.raises(Refused, match="only at the stage Consultation"):
        take(request_at(Stage.NEEDS_ASSESSMENT), "approve_plan", togo_focal)


def test_rejecting_a_plan_keeps_consultation_and_records_the_refusal(
    request_at, officer, togo_focal
):
    ta_request = request_at(Stage.CONSULTATION)
    plan = propose(ta_request, officer)
    ta_request = take(ta_request, "reject_plan", togo_focal, reason="Budget too small")
    assert ta_request.stage == Stage.CONSULTATION
    consent = Consent.objects.get(request=ta_request, decision=Decision.DECLINED)
    assert (consent.plan, consent.comment) == (plan, "Budget too small")


def test_reject_needs_a_reason(request_at, officer, togo_focal):
    ta_request = request_at(Stage.CONSULTATION)
    propose(ta_request, officer)
    with pytest.raises(InvalidInput, match="reason for rejecting"):
        take(ta_request, "reject_plan", togo_focal)


def test_staff_record_a_written_rejection_only_with_its_reference(request_at, officer):
    ta_request = request_at(Stage.CONSULTATION)
    propose(ta_request, officer)
    with pytest.raises(InvalidInput, match="written communication"):
        take(ta_request, "reject_plan", officer, reason="Letter of the minister")
    take(ta_request, "reject_plan", officer, reason="Letter", document_reference="L/2026/4")
    assert Consent.objects.get(decision=Decision.DECLINED).document_reference == "L/2026/4"


def test_other_state_cannot_reject(request_at, officer, senegal_focal):
    ta_request = request_at(Stage.CONSULTATION)
    propose(ta_request, officer)
    with pytest.raises(NotAllowed, match="Only Togo can do this: reject this plan"):
        take(ta_request, "reject_plan", senegal_focal, reason="No")


def test_a_rejected_version_cannot_be_approved_until_a_new_one_is_proposed(
    request_at, officer, togo_focal
):
    ta_request = request_at(Stage.CONSULTATION)
    propose(ta_request, officer)
    take(ta_request, "reject_plan", togo_focal, reason="Budget too small")
    with pytest.raises(Refused, match="Plan version 1 was rejected"):
        take(ta_request, "approve_plan", togo_focal)
    propose(ta_request, officer, budget="3000")
    ta_request = take(ta_request, "approve_plan", togo_focal, plan_version=2)
    assert ta_request.approved_plan().version == 2


# --- revise_plan ---------------------------------------------------------------------


def test_material_change_sends_the_request_back_for_consent(request_at, officer, togo_focal):
    ta_request = request_at(Stage.IMPLEMENTATION)
    propose(ta_request, officer, budget="90000")
    ta_request = take(ta_request, "revise_plan", officer, comment="Budget doubled")
    assert ta_request.stage == Stage.CONSULTATION
    assert ta_request.approved_plan().version == 1
    with pytest.raises(
        Refused, match=r"^The State must approve plan version 2 before implementation resumes\.$"
    ):
        take(ta_request, "complete_implementation", officer)
    ta_request = take(ta_request, "approve_plan", togo_focal, plan_version=2)
    assert ta_request.stage == Stage.IMPLEMENTATION
    assert ta_request.approved_plan().version == 2


def test_revise_needs_a_new_plan_version(request_at, officer):
    with pytest.raises(Refused, match="propose a new version before revising"):
        take(request_at(Stage.IMPLEMENTATION), "revise_plan", officer)


def test_only_staff_revise(request_at, officer, togo_focal):
    ta_request = request_at(Stage.IMPLEMENTATION)
    propose(ta_request, officer)
    with pytest.raises(NotAllowed):
        take(ta_request, "revise_plan", togo_focal)


def test_plans_are_proposed_only_in_consultation_or_implementation(request_at, officer):
    with pytest.raises(Refused, match="only at the stage Consultation or Implementation"):
        propose(request_at(Stage.NEEDS_ASSESSMENT), officer)


def test_only_staff_propose_plans(request_at, togo_focal):
    with pytest.raises(NotAllowed):
        propose(request_at(Stage.CONSULTATION), togo_focal)


# --- complete_implementation ------------------------------------------------------------


def test_implementation_completes_once_an_activity_was_delivered(request_at, officer):
    ta_request = request_at(Stage.IMPLEMENTATION)
    activity = ta_request.approved_plan().activities.get()
    services.record_delivery(
        activity=activity, by=officer, delivered_on=dates.today(), participants=30
    )
    assert take(ta_request, "complete_implementation", officer).stage == Stage.EVALUATION


def test_no_evaluation_before_any_delivery(request_at, officer):
    with pytest.raises(Refused, match="at least one activity"):
        take(request_at(Stage.IMPLEMENTATION), "complete_implementation", officer)


def test_delivery_is_recorded_only_for_the_approved_plan(request_at, officer):
    ta_request = request_at(Stage.IMPLEMENTATION)
    draft = propose(ta_request, officer, budget="7")
    with pytest.raises(InvalidInput, match="approved plan"):
        services.record_delivery(
            activity=draft.activities.get(), by=officer, delivered_on=dates.today()
        )


def test_only_staff_complete_implementation(request_at, togo_focal):
    with pytest.raises(NotAllowed):
        take(request_at(Stage.EVALUATION), "complete_implementation", togo_focal)


# --- close (P6) ----------------------------------------------------------------------


def test_close_with_a_measured_outcome(request_at, officer):
    ta_request = request_at(Stage.EVALUATION)
    services.record_evaluation(
        ta_request=ta_request,
        by=officer,
        indicators=[IndicatorDraft("Judges trained", Decimal(0), Decimal(50), Decimal(42))],
    )
    assert take(ta_request, "close", officer).stage == Stage.CLOSED


@pytest.mark.parametrize(
    "indicator",
    [
        IndicatorDraft("Judges trained", Decimal(0), Decimal(50), None),
        IndicatorDraft("Judges trained", None, Decimal(50), Decimal(42)),
        IndicatorDraft("Judges trained", Decimal(0), None, Decimal(42)),
    ],
    ids=["not-measured", "no-baseline", "no-target"],
)
def test_no_close_without_a_measured_indicator(request_at, officer, indicator):
    ta_request = request_at(Stage.EVALUATION)
    services.record_evaluation(ta_request=ta_request, by=officer, indicators=[indicator])
    with pytest.raises(Refused, match="baseline, target and measured value"):
        take(ta_request, "close", officer)


def test_no_close_without_an_evaluation(request_at, officer):
    with pytest.raises(Refused, match="A request closes only with an evaluation"):
        take(request_at(Stage.EVALUATION), "close", officer)


def test_an_evaluation_needs_an_indicator(request_at, officer):
    with pytest.raises(InvalidInput, match="at least one outcome indicator"):
        services.record_evaluation(
            ta_request=request_at(Stage.EVALUATION), by=officer, indicators=[]
        )


def test_two_indicators_cannot_share_a_name(request_at, officer):
    # Follow-ups measure each indicator again by its name.
    twice = [
        IndicatorDraft("Judges trained", Decimal(0), Decimal(50), Decimal(42)),
        IndicatorDraft("judges trained ", Decimal(0), Decimal(9), Decimal(9)),
    ]
    ta_request = request_at(Stage.EVALUATION)
    with pytest.raises(InvalidInput) as refused:
        services.record_evaluation(ta_request=ta_request, by=officer, indicators=twice)
    assert refused.value.fields == {"indicators.1.name": "Another indicator has this name."}
    assert ta_request.final_evaluation() is None


def test_only_staff_close(request_at, togo_focal):
    with pytest.raises(NotAllowed):
        take(request_at(Stage.EVALUATION), "close", togo_focal)


# --- withdraw (P4) ---------------------------------------------------------------------


@pytest.mark.parametrize("stage", workflow.OPEN)
def test_the_state_withdraws_from_every_open_stage(request_at, togo_focal, stage):
    ta_request = take(request_at(stage), "withdraw", togo_focal, reason="Other arrangements")
    assert ta_request.stage == Stage.WITHDRAWN
    consent = Consent.objects.get(request=ta_request, decision=Decision.WITHDRAWN)
    assert consent.recorded_by == togo_focal


def test_staff_record_a_written_withdrawal(request_at, officer):
    ta_request = take(
        request_at(Stage.CONSULTATION), "withdraw", officer, document_reference="NV/2026/301"
    )
    assert ta_request.stage == Stage.WITHDRAWN
    assert Consent.objects.get(decision=Decision.WITHDRAWN).document_reference == "NV/2026/301"


def test_staff_cannot_withdraw_on_their_own(request_at, officer):
    with pytest.raises(InvalidInput, match="written communication"):
        take(request_at(Stage.CONSULTATION), "withdraw", officer)


def test_other_state_cannot_withdraw(request_at, senegal_focal):
    with pytest.raises(NotAllowed, match="Only Togo can do this: withdraw this request"):
        take(request_at(Stage.REQUESTED), "withdraw", senegal_focal)


@pytest.mark.parametrize("terminal", workflow.TERMINAL)
@pytest.mark.parametrize("name", workflow.TRANSITION_NAMES)
def test_nothing_moves_after_withdrawal_decline_or_close(
    request_at, officer, togo_focal, terminal, name
):
    ta_request = request_at(terminal)
    actor = togo_focal if name in ("approve_plan", "reject_plan", "withdraw") else officer
    with pytest.raises(Refused, match="nothing more can happen to it"):
        take(ta_request, name, actor, reason="r", document_reference="d")
    rows = HistoryEntry.objects.filter(request=ta_request).count()
    assert rows == len(workflow.path_to(terminal)) + 1


# --- what a caller may do now -----------------------------------------------------------


@pytest.mark.parametrize(
    ("stage", "persona", "expected"),
    [
        (Stage.REQUESTED, "officer", ["accept", "decline", "withdraw"]),
        (Stage.REQUESTED, "togo_focal", ["withdraw"]),
        (Stage.REQUESTED, "senegal_focal", []),
        (Stage.REQUESTED, "analyst", []),
        (Stage.NEEDS_ASSESSMENT, "officer", ["decline", "withdraw"]),
        (Stage.CLOSED, "officer", []),
        (Stage.CLOSED, "togo_focal", []),
    ],
)
def test_available_transitions_for_the_caller(request_at, persona_user, stage, persona, expected):
    ta_request = request_at(stage)
    assert workflow.available_transitions(ta_request, persona_user(persona)) == expected


def test_available_transitions_in_consultation_with_a_plan(request_at, officer, togo_focal):
    ta_request = request_at(Stage.CONSULTATION)
    propose(ta_request, officer)
    assert workflow.available_transitions(ta_request, togo_focal) == [
        "approve_plan",
        "reject_plan",
        "withdraw",
    ]


def test_an_unknown_transition_is_named_in_the_error(request_at, officer):
    with pytest.raises(NotFound, match="There is no transition named “teleport”"):
        take(request_at(Stage.REQUESTED), "teleport", officer)


def test_contract_names_match_the_design():
    assert [s.value for s in Stage] == [
        "requested",
        "needs_assessment",
        "consultation",
        "implementation",
        "evaluation",
        "closed",
        "withdrawn",
        "declined",
    ]
    assert workflow.TRANSITION_NAMES == (
        "accept",
        "decline",
        "complete_assessment",
        "approve_plan",
        "reject_plan",
        "revise_plan",
        "complete_implementation",
        "close",
        "withdraw",
    )
