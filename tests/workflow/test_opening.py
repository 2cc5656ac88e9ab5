"""P1 — assistance only at the State's request (A/HRC/43/31 paras 30, 73, 105)."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django.utils import timezone

from tests.factories import UserFactory, open_request
from tracker import services
from tracker.kernel.errors import InvalidInput, NotAllowed
from tracker.models import Channel, Consent, HistoryEntry
from tracker.services import FormalRequest, RecommendationDraft
from tracker.workflow import Decision, Stage

pytestmark = pytest.mark.django_db

NOTE = FormalRequest("note_verbale", "NV/TGO/2026/12", date(2026, 2, 3))


def test_focal_point_opens_a_request_for_its_own_state(togo_focal):
    ta_request = services.open_request(
        by=togo_focal,
        title="Truth and reconciliation commission",
        domains=["justice", "legislation"],
        forms=["advisory"],
        recommendations=[
            RecommendationDraft(source="treaty_body", document_symbol="CEDAW/C/TGO/CO/6-7")
        ],
    )
    assert re.fullmatch(r"TA-\d{4}-\d{4}", ta_request.reference)
    assert (ta_request.requesting_state_id, ta_request.stage, ta_request.received_via) == (
        "TGO",
        Stage.REQUESTED,
        Channel.PORTAL,
    )
    assert sorted(ta_request.domains.values_list("code", flat=True)) == ["justice", "legislation"]
    assert ta_request.recommendations.get().document_symbol == "CEDAW/C/TGO/CO/6-7"
    opening = HistoryEntry.objects.get(request=ta_request)
    assert (opening.transition, opening.from_stage, opening.to_stage, opening.actor) == (
        "open",
        "",
        Stage.REQUESTED,
        togo_focal,
    )
    assert Consent.objects.get(request=ta_request).decision == Decision.REQUESTED


def test_focal_point_naming_its_own_state_is_fine(togo_focal):
    assert services.open_request(by=togo_focal, title="t", requesting_state="TGO").pk


def test_focal_point_cannot_open_a_request_for_another_state(togo_focal):
    with pytest.raises(NotAllowed, match="Only Senegal can ask for assistance for Senegal"):
        services.open_request(by=togo_focal, title="Nationality code", requesting_state="SEN")
    assert not HistoryEntry.objects.exists()


def test_staff_log_a_request_with_the_states_formal_request(officer):
    ta_request = services.open_request(
        by=officer, title="Nationality code", requesting_state="SEN", formal_request=NOTE
    )
    assert (ta_request.requesting_state_id, ta_request.received_via) == ("SEN", "note_verbale")
    assert (ta_request.document_number, ta_request.document_date) == (
        "NV/TGO/2026/12",
        date(2026, 2, 3),
    )
    assert Consent.objects.get(request=ta_request).document_reference == "NV/TGO/2026/12"


def test_staff_cannot_open_a_request_without_the_requesting_state(officer):
    with pytest.raises(InvalidInput, match="Name the State that asked"):
        services.open_request(by=officer, title="t", formal_request=NOTE)


def test_staff_cannot_open_a_request_for_an_unknown_state(officer):
    with pytest.raises(InvalidInput, match="no State with the code “XXX”"):
        services.open_request(by=officer, title="t", requesting_state="XXX", formal_request=NOTE)


@pytest.mark.parametrize(
    "formal",
    [
        None,
        FormalRequest("note_verbale", "", date(2026, 2, 3)),
        FormalRequest("note_verbale", "NV/1", None),
    ],
    ids=["no-reference", "no-number", "no-date"],
)
def test_staff_cannot_open_a_request_without_the_formal_reference(officer, formal):
    with pytest.raises(InvalidInput, match="Record the State's formal request"):
        services.open_request(by=officer, title="t", requesting_state="TGO", formal_request=formal)


def test_the_formal_request_is_a_note_verbale_or_a_letter(officer):
    with pytest.raises(InvalidInput, match="note verbale, a letter or a UPR follow-up letter"):
        services.open_request(
            by=officer,
            title="t",
            requesting_state="TGO",
            formal_request=FormalRequest("portal", "X", date(2026, 1, 1)),
        )


def test_the_formal_request_cannot_come_from_the_future(officer):
    tomorrow = timezone.localdate() + timedelta(days=2)
    with pytest.raises(InvalidInput, match="future"):
        services.open_request(
            by=officer,
            title="t",
            requesting_state="TGO",
            formal_request=FormalRequest("letter", "L/1", tomorrow),
        )


@pytest.mark.parametrize("role", ["analyst", ""])
def test_nobody_else_can_open_a_request(db, role):
    user = UserFactory(username=f"someone-{role}", role=role)
    with pytest.raises(NotAllowed, match="Only a State's focal point, or an officer"):
        services.open_request(by=user, title="t", requesting_state="TGO", formal_request=NOTE)


def test_an_inactive_focal_point_cannot_open_a_request(togo_focal):
    togo_focal.is_active = False
    with pytest.raises(NotAllowed):
        services.open_request(by=togo_focal, title="t")


def test_a_request_needs_a_title(togo_focal):
    with pytest.raises(InvalidInput, match="title"):
        services.open_request(by=togo_focal, title="  ")


def test_unknown_domains_are_named(togo_focal):
    with pytest.raises(InvalidInput, match="astrology"):
        services.open_request(by=togo_focal, title="t", domains=["health", "astrology"])


def test_references_are_numbered_in_sequence_within_the_year(togo_focal):
    first, second = open_request(togo_focal), open_request(togo_focal)
    year = first.opened_at.year
    assert (first.reference, second.reference) == (f"TA-{year}-0001", f"TA-{year}-0002")
