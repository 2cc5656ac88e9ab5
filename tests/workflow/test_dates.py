"""Dates that can be true (tracker.workflow.dates): a decision's letter, a delivery, a
formal request are refused in the future or before what they depend on, at their
field, on every surface; the true dates are accepted."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse

from tests.factories import open_request
from tests.journeys import propose
from tracker import services
from tracker.kernel import clock
from tracker.kernel.errors import InvalidInput
from tracker.models import Consent
from tracker.workflow import Decision, Stage, dates

pytestmark = pytest.mark.django_db

LETTER = "NV/TGO/2026/88"


def take(ta_request, name, by, **inputs):
    return services.take_transition(ta_request=ta_request, name=name, by=by, **inputs)


def from_letter(ta_request, name, officer, day):
    """The State's decision ``name``, recorded by an officer from its letter of ``day``."""
    return take(ta_request, name, officer, document_reference=LETTER, document_date=day)


def proposed_days_ago(request_at, officer, days):
    """A request in consultation whose plan version 1 was proposed ``days`` ago."""
    with clock.at(clock.now() - timedelta(days=days)):
        ta_request = request_at(Stage.CONSULTATION)
        propose(ta_request, officer)
    ta_request.refresh_from_db()
    return ta_request


@pytest.mark.parametrize("name", ["approve_plan", "reject_plan"])
def test_a_decision_cannot_be_recorded_from_a_letter_dated_in_the_future(request_at, officer, name):
    ta_request = proposed_days_ago(request_at, officer, 10)
    tomorrow = dates.today() + timedelta(days=1)
    with pytest.raises(InvalidInput) as refused:
        take(
            ta_request,
            name,
            officer,
            document_reference=LETTER,
            document_date=tomorrow,
            **({"reason": "The budget leaves out the regions."} if name == "reject_plan" else {}),
        )
    assert refused.value.fields == {"document_date": "The letter cannot be dated in the future."}
    assert not Consent.objects.filter(decision__in=[Decision.APPROVED, Decision.DECLINED]).exists()


def test_a_plan_cannot_be_approved_by_a_letter_older_than_the_plan(request_at, officer):
    ta_request = proposed_days_ago(request_at, officer, 10)
    with pytest.raises(InvalidInput, match="before plan version 1 was proposed") as refused:
        from_letter(ta_request, "approve_plan", officer, dates.today() - timedelta(days=11))
    assert set(refused.value.fields) == {"document_date"}
    # The day it was proposed, and any day since, can be true.
    approved = from_letter(ta_request, "approve_plan", officer, dates.today() - timedelta(days=10))
    assert approved.stage == Stage.IMPLEMENTATION


def test_a_withdrawal_letter_cannot_predate_the_request(request_at, officer):
    ta_request = request_at(Stage.REQUESTED)
    with pytest.raises(InvalidInput, match="before the request was logged"):
        from_letter(ta_request, "withdraw", officer, dates.today() - timedelta(days=1))
    assert from_letter(ta_request, "withdraw", officer, dates.today()).stage == Stage.WITHDRAWN


def test_open_publication_cannot_be_agreed_by_a_letter_of_tomorrow(request_at, officer):
    ta_request = request_at(Stage.REQUESTED)
    with pytest.raises(InvalidInput, match="in the future"):
        services.decide_open_publication(
            ta_request=ta_request,
            by=officer,
            agree=True,
            document_reference=LETTER,
            document_date=dates.today() + timedelta(days=1),
        )
    ta_request.refresh_from_db()
    assert ta_request.open_publication_since is None


def test_an_activity_cannot_be_delivered_before_the_state_approved_the_plan(request_at, officer):
    ta_request = proposed_days_ago(request_at, officer, 10)
    with clock.at(clock.now() - timedelta(days=5)):
        take(ta_request, "approve_plan", officer, document_reference=LETTER)
    activity = ta_request.approved_plan().activities.get()
    with pytest.raises(InvalidInput, match="before the State approved the plan") as refused:
        services.record_delivery(
            activity=activity, by=officer, delivered_on=dates.today() - timedelta(days=6)
        )
    assert set(refused.value.fields) == {"delivered_on"}
    with pytest.raises(InvalidInput, match="in the future"):
        services.record_delivery(
            activity=activity, by=officer, delivered_on=dates.today() + timedelta(days=1)
        )
    delivered = services.record_delivery(
        activity=activity, by=officer, delivered_on=dates.today() - timedelta(days=5)
    )
    assert delivered.delivered_on == dates.today() - timedelta(days=5)


def test_the_approval_letters_date_is_when_the_state_approved(request_at, officer):
    """Recorded today from a letter of three days ago: a delivery two days ago is true."""
    ta_request = proposed_days_ago(request_at, officer, 10)
    three_days_ago = dates.today() - timedelta(days=3)
    from_letter(ta_request, "approve_plan", officer, three_days_ago)
    plan = ta_request.approved_plan()
    assert plan.approved_on() == three_days_ago
    activity = plan.activities.get()
    delivered = services.record_delivery(activity=activity, by=officer, delivered_on=three_days_ago)
    assert delivered.delivered_on == three_days_ago


def test_the_api_says_it_at_the_field(api, request_at, officer):
    ta_request = proposed_days_ago(request_at, officer, 10)
    response = api("officer").post(
        f"/api/v1/requests/{ta_request.reference}/transitions/approve_plan/",
        {
            "document_reference": LETTER,
            "document_date": str(dates.today() + timedelta(days=30)),
        },
        format="json",
    )
    assert response.status_code == 400, response.json()
    assert response.json()["errors"] == {
        "document_date": ["The letter cannot be dated in the future."]
    }


def test_the_admin_says_it_at_the_field_and_keeps_what_was_typed(client_as, request_at, officer):
    ta_request = proposed_days_ago(request_at, officer, 10)
    future = str(dates.today() + timedelta(days=30))
    response = client_as("officer").post(
        reverse("admin:tracker_assistancerequest_transition", args=[ta_request.pk, "approve_plan"]),
        {
            "revision": ta_request.revision,
            "plan_version": 1,
            "document_reference": LETTER,
            "document_date": future,
        },
    )
    assert response.status_code == 200
    form = response.context["forms"][0]
    assert form.errors["document_date"] == ["The letter cannot be dated in the future."]
    assert form["document_reference"].value() == LETTER
    assert str(form["document_date"].value()) == future
    assert not Consent.objects.filter(decision=Decision.APPROVED).exists()


def test_a_formal_request_cannot_be_dated_tomorrow(officer, togo):
    from tracker.services import FormalRequest

    with pytest.raises(InvalidInput, match="in the future") as refused:
        open_request(
            by=officer,
            requesting_state="TGO",
            formal_request=FormalRequest("note_verbale", "NV/1", dates.today() + timedelta(days=1)),
        )
    assert set(refused.value.fields) == {"document_date"}


def test_the_command_lists_what_was_stored_before_the_rules(request_at, officer, monkeypatch):
    """An approval stored by an earlier version, without the rules, from a letter of the
    next year, and a delivery before it: listed, nothing changed."""
    import io

    from django.core.management import call_command

    clean = io.StringIO()
    ta_request = proposed_days_ago(request_at, officer, 10)
    call_command("check_dates", stdout=clean)
    assert clean.getvalue() == "0 dates could not be true.\n"
    next_year = dates.today() + timedelta(days=365)
    with monkeypatch.context() as earlier:
        earlier.setattr(dates, "check_letter", lambda *args, **kwargs: None)
        earlier.setattr(dates, "check_delivery", lambda *args, **kwargs: None)
        take(
            ta_request, "approve_plan", officer, document_reference=LETTER, document_date=next_year
        )
        activity = ta_request.approved_plan().activities.get()
        services.record_delivery(
            activity=activity, by=officer, delivered_on=dates.today() - timedelta(days=400)
        )
    out = io.StringIO()
    call_command("check_dates", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[-1] == "2 dates could not be true."
    assert lines[0].startswith(f"{ta_request.reference}: ")
    assert "The letter cannot be dated in the future." in lines[0]
    assert "before the State approved the plan" in lines[1]
    assert Consent.objects.get(decision=Decision.APPROVED).document_date == next_year


def test_follow_up_consent_cannot_be_withdrawn_by_a_letter_of_tomorrow(request_at, officer):
    closed = request_at(Stage.CLOSED)
    with pytest.raises(InvalidInput, match="in the future"):
        services.withdraw_follow_up_consent(
            ta_request=closed,
            by=officer,
            document_reference=LETTER,
            document_date=dates.today() + timedelta(days=1),
        )
    assert not Consent.objects.filter(request=closed, decision=Decision.NO_FOLLOW_UP).exists()
    services.withdraw_follow_up_consent(
        ta_request=closed, by=officer, document_reference=LETTER, document_date=dates.today()
    )
    assert Consent.objects.filter(request=closed, decision=Decision.NO_FOLLOW_UP).exists()
