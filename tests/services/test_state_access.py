"""A State keeps its own list: its lead focal point invites and deactivates colleagues
in the portal; the portal shows who has access to the State's requests; every change
of access is a row the State and the officers read; a deactivated colleague's session
and API token stop at once."""

from __future__ import annotations

import pytest
from django.test import Client
from rest_framework.test import APIClient

from tests.factories import FocalPointFactory
from tracker import services
from tracker.kernel.errors import NotAllowed, Refused
from tracker.models import AccessChange, Invitation

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"


@pytest.fixture
def lead(togo_focal):
    togo_focal.leads_state = True
    togo_focal.save()
    return togo_focal


@pytest.fixture
def colleague(db):
    return FocalPointFactory(username="kossi", member_state_id="TGO", email="kossi@gouv.tg")


def test_the_lead_invites_a_colleague_of_its_own_state_only(lead, mailoutbox):
    services.invite_focal_point(
        by=lead, state="TGO", first_name="Kodjo", last_name="Amah", email="k@gouv.tg"
    )
    assert Invitation.objects.get().member_state_id == "TGO"
    with pytest.raises(NotAllowed):
        services.invite_focal_point(
            by=lead, state="BEN", first_name="X", last_name="Y", email="x@gouv.bj"
        )
    assert AccessChange.objects.get().kind == AccessChange.INVITED


def test_a_focal_point_who_does_not_lead_invites_nobody(togo_focal):
    with pytest.raises(NotAllowed):
        services.invite_focal_point(
            by=togo_focal, state="TGO", first_name="K", last_name="A", email="k@gouv.tg"
        )


def test_deactivating_a_colleague_ends_their_session_and_token_at_once(lead, colleague):
    session = Client()
    session.post("/portal/login/", {"username": "kossi", "password": PASSWORD})
    assert session.get("/portal/").status_code == 200
    token = services.issue_token(colleague)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert api.get("/api/v1/requests/").status_code == 200

    lead_page = Client()
    lead_page.post("/portal/login/", {"username": "afi", "password": PASSWORD})
    page = lead_page.get("/portal/access/").content.decode()
    assert "Take away the access of" in page
    done = lead_page.post("/portal/access/", {"do": "deactivate", "person": colleague.pk})
    assert done.status_code == 302

    assert session.get("/portal/").status_code == 302  # signed out
    assert api.get("/api/v1/requests/").status_code == 401
    change = AccessChange.objects.get(kind=AccessChange.DEACTIVATED)
    assert (change.by, change.member_state_id) == (lead, "TGO")
    assert "kossi@gouv.tg" in lead_page.get("/portal/access/").content.decode()


def test_nobody_deactivates_another_states_focal_point_or_themselves(lead, senegal_focal):
    with pytest.raises(NotAllowed):
        services.deactivate_focal_point(by=lead, person=senegal_focal)
    with pytest.raises(Refused):
        services.deactivate_focal_point(by=lead, person=lead)
    # Through the page, another State's person is not even found.
    client = Client()
    client.post("/portal/login/", {"username": "afi", "password": PASSWORD})
    refused = client.post("/portal/access/", {"do": "deactivate", "person": senegal_focal.pk})
    assert "There is no such focal point of your State." in refused.content.decode()
    senegal_focal.refresh_from_db()
    assert senegal_focal.is_active


def test_the_state_sees_who_has_access_with_their_last_sign_in(
    client_as, togo_focal, colleague, request_at, officer
):
    officer.first_name, officer.last_name = "Olga", "Ivanova"
    officer.save()
    request_at("needs_assessment")
    page = client_as("togo_focal").get("/portal/access/").content.decode()
    assert "Olga Ivanova" in page  # the officer of a Togo request
    assert "kossi@gouv.tg" in page
    assert "Take away the access of" not in page  # not the lead
    assert "Invite a colleague" not in page


def test_everyone_revokes_their_own_api_token(client_as, togo_focal):
    services.issue_token(togo_focal)
    portal = client_as("togo_focal")
    assert "Revoke my API token" in portal.get("/portal/access/").content.decode()
    portal.post("/portal/access/", {"do": "revoke_token"})
    from rest_framework.authtoken.models import Token

    assert not Token.objects.filter(user=togo_focal).exists()


def test_the_lead_invites_a_colleague_from_the_portal_every_problem_at_its_field(
    lead, mailoutbox, django_capture_on_commit_callbacks
):
    client = Client()
    client.post("/portal/login/", {"username": "afi", "password": PASSWORD})
    refused = client.post(
        "/portal/access/", {"do": "invite", "email": "k@gouv.tg", "language": "fr"}
    )
    assert set(refused.context["form"].errors) == {"first_name", "last_name"}
    assert 'value="k@gouv.tg"' in refused.content.decode()  # kept
    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post(
            "/portal/access/",
            {
                "do": "invite",
                "first_name": "Kodjo",
                "last_name": "Amah",
                "email": "k@gouv.tg",
                "language": "fr",
            },
        )
    assert sent.status_code == 302
    (mail,) = mailoutbox
    assert mail.to == ["k@gouv.tg"]
    assert Invitation.objects.get().invited_by == lead
