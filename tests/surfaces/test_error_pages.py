"""Error pages: the portal's look, the person's language, a way back; JSON under /api/."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def signed_in(client, user):
    client.post(
        "/portal/login/", {"username": user.username, "password": "correct horse battery staple"}
    )
    return client


@pytest.fixture
def broken_dashboard(monkeypatch):
    """The focal point's dashboard fails unexpectedly."""

    def fail(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr("tracker.portal.views.selectors.visible_requests", fail)


def test_an_unknown_address_is_a_404_page_with_a_way_back(client, togo_focal):
    signed_in(client, togo_focal)
    response = client.get("/portal/nothing-here/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "Page not found" in page
    assert 'href="/portal/"' in page  # back to the focal point's requests
    assert "portal.css" in page


def test_staff_are_sent_back_to_the_admin(client, analyst):
    client.post("/admin/login/", {"username": "ana", "password": "correct horse battery staple"})
    page = client.get("/portal/nothing-here/").content.decode()
    assert 'href="/admin/"' in page


def test_error_pages_speak_the_persons_language(client, togo_focal):
    client.cookies["django_language"] = "fr"
    page = client.get("/portal/nothing-here/").content.decode()
    assert 'lang="fr"' in page
    assert "Page introuvable" in page


def test_a_refusal_is_a_403_page(client, db):
    from tests.factories import UserFactory

    UserFactory(username="norole", role="", is_staff=False)
    client.post(
        "/portal/login/", {"username": "norole", "password": "correct horse battery staple"}
    )
    response = client.get("/portal/")
    assert response.status_code == 403
    assert "Not allowed" in response.content.decode()


def test_a_bad_host_is_a_400_page(client):
    response = client.get("/portal/login/", HTTP_HOST="evil.example")
    assert response.status_code == 400
    assert "Bad request" in response.content.decode()


def test_an_expired_form_says_so_and_loses_nothing(togo_focal):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/portal/login/", {"username": "afi", "password": "x"})
    assert response.status_code == 403
    page = response.content.decode()
    assert "The form has expired" in page
    assert "Go to the sign-in page" in page


def test_a_crash_is_a_500_page_without_details(client, togo_focal, broken_dashboard):
    signed_in(client, togo_focal)
    client.raise_request_exception = False
    response = client.get("/portal/")
    assert response.status_code == 500
    page = response.content.decode()
    assert "Something went wrong" in page
    assert "database went away" not in page


def test_a_crash_in_french(client, togo_focal, broken_dashboard):
    signed_in(client, togo_focal)  # Afi's account speaks French
    client.raise_request_exception = False
    togo_focal.language = "fr"
    togo_focal.save(update_fields=["language"])
    client.cookies["django_language"] = "fr"
    page = client.get("/portal/").content.decode()
    assert "Un problème est survenu" in page


def test_api_errors_stay_json(client):
    response = client.get("/api/v1/nothing-here/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_an_error_page_that_cannot_be_drawn_is_still_that_error(client, monkeypatch):
    # e.g. static files not collected on a server: the page falls back to plain HTML.
    def broken(*args, **kwargs):
        raise ValueError("Missing staticfiles manifest entry")

    monkeypatch.setattr("tracker.web.errorpages.render", broken)
    response = client.get("/portal/nothing-here/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()
