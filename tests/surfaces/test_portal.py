"""The State portal's views: scoping, and each action allowed and refused."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone, translation

from tests.conftest import messages_of
from tests.factories import UserFactory, open_request
from tests.journeys import propose
from tracker import services
from tracker.demo.scenarios import Content, bring_to
from tracker.kernel import clock
from tracker.kernel.errors import Conflict, DomainError
from tracker.models import AssistanceRequest, Consent
from tracker.workflow import Stage

pytestmark = pytest.mark.django_db


@pytest.fixture
def portal(client, togo_focal):
    client.force_login(togo_focal)
    return client


def url(request, action=""):
    return f"/portal/requests/{request.reference}/{action + '/' if action else ''}"


# --- who gets in --------------------------------------------------------------------------


def test_anonymous_users_are_sent_to_log_in(client):
    response = client.get("/portal/")
    assert response.status_code == 302
    assert response["Location"].startswith("/portal/login/")


@pytest.mark.parametrize("persona", ["officer", "analyst"])
def test_staff_are_sent_to_the_admin(client, persona_user, persona):
    client.force_login(persona_user(persona))
    response = client.get("/portal/")
    assert (response.status_code, response["Location"]) == (302, "/admin/")


def test_accounts_without_a_role_are_refused(client, db):
    client.force_login(UserFactory(username="nobody", role=""))
    assert client.get("/portal/").status_code == 403


def test_focal_point_logs_in_and_out(client, togo_focal):
    response = client.post(
        "/portal/login/", {"username": "afi", "password": "correct horse battery staple"}
    )
    assert (response.status_code, response["Location"]) == (302, "/portal/")
    assert client.get("/portal/").status_code == 200
    client.post("/portal/logout/")
    assert client.get("/portal/").status_code == 302


# --- scoping ---------------------------------------------------------------------------------


def test_dashboard_shows_only_the_states_own_requests(portal, togo_focal, senegal_focal):
    open_request(togo_focal, title="Ours")
    open_request(senegal_focal, title="Senegal's")
    content = portal.get("/portal/").content.decode()
    assert "Ours" in content
    assert "Senegal&#x27;s" not in content
    assert "Senegal's" not in content


@pytest.mark.parametrize("action", ["", "approve_plan", "reject_plan", "withdraw"])
def test_another_states_request_is_404(client, senegal_focal, request_at, action):
    ta_request = request_at(Stage.CONSULTATION)
    client.force_login(senegal_focal)
    assert client.get(url(ta_request, action)).status_code == 404
    assert client.post(url(ta_request, action), {"revision": 0, "text": "x"}).status_code == 404
    assert client.post(url(ta_request, "publish"), {"publish": "1"}).status_code == 404


def test_an_unknown_reference_is_404(portal):
    assert portal.get("/portal/requests/TA-1999-0001/").status_code == 404


# --- dashboard and request page ------------------------------------------------------------


def test_dashboard_says_what_the_state_must_do(portal, request_at, officer):
    ta_request = request_at(Stage.CONSULTATION)
    propose(ta_request, officer)
    content = portal.get("/portal/").content.decode()
    assert "Plan version 1 has been waiting for your decision since today." in content
    assert 'aria-current="step">Consultation<' in content


def test_dashboard_lists_every_decision_of_the_state_with_their_number(
    portal, request_at, officer, senegal_focal
):
    """A plan to approve and a brief the secretariat drafted: both at the top, counted;
    a brief the State wrote itself, and another State's plan, are not its decisions."""
    consulting = request_at(Stage.CONSULTATION)
    propose(consulting, officer)
    drafted, own = request_at(Stage.CLOSED), request_at(Stage.CLOSED)
    services.write_brief(ta_request=drafted, by=officer, context="c", done="d", results="r")
    services.write_brief(ta_request=own, by=own.opened_by, context="c", done="d", results="r")
    elsewhere = bring_to(open_request(senegal_focal), Stage.CONSULTATION, officer=officer)
    propose(elsewhere, officer)
    content = portal.get("/portal/").content.decode()
    assert "Your decisions are needed (2)" in content
    assert f"Approve or reject plan version 1 of {consulting.reference}" in content
    assert f"Approve the brief the secretariat drafted for {drafted.reference}" in content
    assert f"drafted for {own.reference}" not in content
    assert elsewhere.reference not in content
    services.publish_brief(ta_request=drafted, by=own.opened_by, publish=True)
    assert "Your decision is needed (1)" in portal.get("/portal/").content.decode()


def test_a_plan_waiting_for_days_says_how_many(portal, request_at, officer):
    ta_request = request_at(Stage.CONSULTATION)
    with clock.at(timezone.now() - timedelta(days=12)):
        propose(ta_request, officer)
    content = portal.get("/portal/").content.decode()
    assert "Plan version 1 has been waiting for your decision for 12 days." in content


def test_request_page_shows_plan_assessment_evaluation_and_timeline(portal, request_at):
    ta_request = request_at(Stage.CLOSED, content=Content(lessons="Start with the NHRI."))
    content = portal.get(url(ta_request)).content.decode()
    for text in (
        "Findings of the needs assessment.",
        "Plan version 1",
        "National consultation workshop",
        "Officials trained",
        "Start with the NHRI.",
        "Share the lessons with other States",
        "Togo asked for assistance.",
        "The secretariat proposed plan version 1.",
        "Togo approved plan version 1.",
        "The secretariat closed the request after its evaluation.",
    ):
        assert text in content


# --- decisions ------------------------------------------------------------------------------


@pytest.fixture
def with_plan(request_at, officer):
    ta_request = request_at(Stage.CONSULTATION)
    propose(ta_request, officer)
    ta_request.refresh_from_db()
    return ta_request


def test_approving_asks_for_confirmation_then_approves(portal, with_plan):
    page = portal.get(url(with_plan, "approve_plan"))
    assert "You are about to approve plan version 1" in page.content.decode()
    response = portal.post(
        url(with_plan, "approve_plan"), {"revision": with_plan.revision, "plan_version": 1}
    )
    assert response.status_code == 302
    with_plan.refresh_from_db()
    assert with_plan.stage == Stage.IMPLEMENTATION
    assert Consent.objects.get(request=with_plan, decision="approved").plan.version == 1
    (said,) = messages_of(portal.get(response["Location"]))
    assert said.endswith("Next, the activities of the plan are delivered.")


def test_rejecting_needs_a_reason(portal, with_plan):
    response = portal.post(
        url(with_plan, "reject_plan"), {"revision": with_plan.revision, "plan_version": 1}
    )
    assert response.status_code == 200
    # At its field, not in a banner.
    assert response.context["form"].errors["text"] == ["Give the reason for rejecting the plan."]
    assert "Give the reason for rejecting the plan." not in messages_of(response)
    response = portal.post(
        url(with_plan, "reject_plan"),
        {"revision": with_plan.revision, "plan_version": 1, "text": "Budget too small"},
    )
    assert response.status_code == 302
    assert Consent.objects.get(request=with_plan, decision="declined").comment == "Budget too small"


def test_withdrawing(portal, request_at):
    ta_request = request_at(Stage.NEEDS_ASSESSMENT)
    response = portal.post(
        url(ta_request, "withdraw"), {"revision": ta_request.revision, "text": "Done"}
    )
    assert response.status_code == 302
    ta_request.refresh_from_db()
    assert ta_request.stage == Stage.WITHDRAWN


def test_a_decision_not_possible_now_is_refused_with_the_reason(portal, request_at):
    ta_request = request_at(Stage.REQUESTED)
    response = portal.post(url(ta_request, "approve_plan"), {"revision": ta_request.revision})
    assert response.status_code == 200
    assert "only at the stage Consultation" in response.content.decode()
    ta_request.refresh_from_db()
    assert ta_request.stage == Stage.REQUESTED


def test_a_decision_no_longer_possible_says_so_when_its_page_opens(portal, with_plan):
    """The plan approved in another tab: the reject page says so, and offers no button."""
    portal.post(url(with_plan, "approve_plan"), {"revision": with_plan.revision, "plan_version": 1})
    page = portal.get(url(with_plan, "reject_plan")).content.decode()
    assert "only at the stage Consultation" in page
    assert "Confirm:" not in page
    assert "Back to the request" in page


def test_a_decision_on_a_stale_page_is_refused(portal, with_plan, officer):
    seen = with_plan.revision
    propose(with_plan, officer, budget="9")  # the secretariat changes the plan meanwhile
    response = portal.post(url(with_plan, "approve_plan"), {"revision": seen, "plan_version": 1})
    assert any("has changed since you opened it" in m for m in messages_of(response))
    with_plan.refresh_from_db()
    assert with_plan.stage == Stage.CONSULTATION


def test_staff_only_transitions_are_not_offered(portal, request_at):
    ta_request = request_at(Stage.REQUESTED)
    assert portal.get(url(ta_request, "accept")).status_code == 404


def test_forms_need_the_csrf_token(togo_focal, with_plan):
    client = Client(enforce_csrf_checks=True)
    client.force_login(togo_focal)
    response = client.post(
        url(with_plan, "approve_plan"), {"revision": with_plan.revision, "plan_version": 1}
    )
    assert response.status_code == 403
    with_plan.refresh_from_db()
    assert with_plan.stage == Stage.CONSULTATION


# --- new request, priorities, lessons -------------------------------------------------------


def test_new_request_lands_in_requested_for_the_state(portal, togo_focal):
    response = portal.post(
        "/portal/requests/new/",
        {
            "title": "Prison reform",
            "description": "Overcrowding",
            "domains": ["detention"],
            "assistance_forms": ["training"],
            "rec-TOTAL_FORMS": "2",
            "rec-INITIAL_FORMS": "0",
            "rec-0-source": "upr",
            "rec-0-upr_cycle": "4",
            "rec-0-recommending_state": "FRA",
            "rec-0-text": "Improve the conditions of detention.",
            "rec-0-mandate": "typed under another mechanism, then hidden",
        },
    )
    ta_request = AssistanceRequest.objects.get()
    assert response["Location"] == url(ta_request)
    assert (ta_request.requesting_state_id, ta_request.stage, ta_request.received_via) == (
        "TGO",
        Stage.REQUESTED,
        "portal",
    )
    linked = ta_request.recommendations.get()
    assert (linked.recommending_state_id, linked.mandate) == ("FRA", "")


def new_request_with(portal, **row):
    return portal.post(
        "/portal/requests/new/",
        {
            "title": "Prison reform",
            "rec-TOTAL_FORMS": "2",
            "rec-INITIAL_FORMS": "0",
            **{f"rec-0-{name}": value for name, value in row.items()},
        },
    )


@pytest.mark.parametrize(
    ("row", "field", "problem"),
    [
        (
            {"source": "upr", "upr_cycle": "4"},
            "text",
            "Give the recommendation's text or the symbol of the document it is in.",
        ),
        ({"document_symbol": "CAT/C/TGO/CO/3"}, "source", "Choose the mechanism."),
    ],
)
def test_a_recommendation_that_does_not_say_which_is_refused_at_its_field(
    portal, row, field, problem
):
    response = new_request_with(portal, **row)
    assert response.status_code == 200
    page = response.content.decode()
    rows = response.context["recommendations"]
    assert rows.forms[0].errors[field] == [problem]
    assert f'href="#id_rec-0-{field}"' in page.split('class="error-summary"')[1]
    assert all(value in page for value in row.values())  # kept
    assert not AssistanceRequest.objects.exists()


def test_the_form_shows_each_mechanisms_fields_by_style_sheet(portal):
    page = portal.get("/portal/requests/new/").content.decode()
    assert 'name="rec-0-mandate" maxlength="200" data-mechanisms="special_procedure"' in page
    assert 'data-mechanisms="upr treaty_body special_procedure"' in page  # the words
    assert "<script" not in page


def test_new_request_without_a_title_is_refused_and_keeps_the_input(portal):
    response = portal.post(
        "/portal/requests/new/",
        {"title": "", "description": "Keep me", "rec-TOTAL_FORMS": "0", "rec-INITIAL_FORMS": "0"},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Keep me" in page
    # Said at the top, linked to the field, and in the title.
    assert "<title>Error: " in page
    assert 'href="#id_title"' in page.split('class="error-summary"')[1].split("</div>")[0]
    assert not AssistanceRequest.objects.exists()


def test_the_state_reorders_its_priorities_without_javascript(portal, togo_focal):
    a, b, c = (open_request(togo_focal, title=t) for t in "ABC")
    response = portal.post(
        "/portal/priorities/",
        {f"rank-{a.reference}": "3", f"rank-{b.reference}": "1", f"rank-{c.reference}": "2"},
    )
    assert response.status_code == 302
    order = AssistanceRequest.objects.order_by("priority").values_list("title", flat=True)
    assert list(order) == ["B", "C", "A"]


def test_two_requests_cannot_share_a_priority(portal, togo_focal):
    """1, 1, 7: refused at both first ones, with what was typed kept; nothing renumbered."""
    a, b, c = (open_request(togo_focal, title=t) for t in "ABC")
    before = list(AssistanceRequest.objects.order_by("pk").values_list("priority", flat=True))
    typed = {f"rank-{a.reference}": "1", f"rank-{b.reference}": "1", f"rank-{c.reference}": "7"}
    response = portal.post("/portal/priorities/", typed)
    assert response.status_code == 200
    page = response.content.decode()
    # At each field, and in the summary at the top.
    assert page.count("Priority 1 is given to more than one request: give each its own.") == 4
    assert f'id="rank-{a.reference}-error"' in page
    assert f'id="rank-{c.reference}-error"' not in page
    assert f'name="rank-{c.reference}" value="7"' in page
    summary = page.split('class="error-summary"')[1].split("</div>")[0]
    assert f'href="#rank-{a.reference}"' in summary
    assert f'href="#rank-{b.reference}"' in summary
    after = list(AssistanceRequest.objects.order_by("pk").values_list("priority", flat=True))
    assert after == before


def test_a_rank_must_be_a_number(portal, togo_focal):
    ta_request = open_request(togo_focal, title="A")
    response = portal.post("/portal/priorities/", {f"rank-{ta_request.reference}": "first"})
    page = response.content.decode()
    assert f'id="rank-{ta_request.reference}-error">A priority is a whole number' in page
    assert f'name="rank-{ta_request.reference}" value="first"' in page


def test_publishing_lessons_shares_them_with_other_states(
    portal, client, request_at, senegal_focal
):
    ta_request = request_at(Stage.CLOSED, content=Content(lessons="Start with the NHRI."))
    other = Client()
    other.force_login(senegal_focal)
    assert "Start with the NHRI." not in other.get("/portal/good-practices/").content.decode()
    portal.post(url(ta_request, "publish"), {"publish": "1"})
    assert "Start with the NHRI." in other.get("/portal/good-practices/").content.decode()


# --- accounts and languages ---------------------------------------------------------------


def test_password_reset_by_email(client, togo_focal):
    response = client.post("/portal/password/reset/", {"email": togo_focal.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert "/portal/password/reset/" in mail.outbox[0].body


def test_password_change(portal):
    response = portal.post(
        "/portal/password/",
        {
            "old_password": "correct horse battery staple",
            "new_password1": "a much longer passphrase 42",
            "new_password2": "a much longer passphrase 42",
        },
    )
    assert response.status_code == 302


def test_switching_to_french_is_remembered(portal, togo_focal):
    response = portal.post("/portal/language/", {"language": "fr", "next": "/portal/"})
    assert response.cookies["django_language"].value == "fr"
    togo_focal.refresh_from_db()
    assert togo_focal.language == "fr"
    with translation.override("fr"):
        expected = translation.gettext("Open requests")
    assert expected != "Open requests"
    assert expected in portal.get("/portal/").content.decode()


@pytest.mark.parametrize(
    "path",
    [
        "/portal/",
        "/portal/priorities/",
        "/portal/good-practices/",
        "/portal/requests/new/",
        "/portal/password/",
    ],
)
def test_every_portal_page_renders_in_french(portal, path):
    portal.cookies["django_language"] = "fr"
    response = portal.get(path)
    assert response.status_code == 200
    assert '<html lang="fr" dir="ltr">' in response.content.decode()
    with translation.override("fr"):
        assert translation.gettext("Good practices") in response.content.decode()


def test_decisions_are_services_not_views(portal, with_plan, togo_focal):
    """The portal's refusal message is the service's own message."""
    with pytest.raises(Conflict) as refused:
        services.take_transition(
            ta_request=with_plan, name="approve_plan", by=togo_focal, plan_version=7
        )
    response = portal.post(
        url(with_plan, "approve_plan"), {"revision": with_plan.revision, "plan_version": 7}
    )
    assert str(refused.value) in messages_of(response)


@pytest.mark.parametrize("count", [2, 30])
def test_dashboard_runs_a_bounded_number_of_queries(
    portal, togo_focal, request_at, count, django_assert_max_num_queries
):
    for n in range(count):
        request_at([Stage.CLOSED, Stage.CONSULTATION, Stage.REQUESTED][n % 3])
    # The cards, and the State's decisions over every request (their plans, consents
    # and drafted briefs: four queries), whatever their number.
    with django_assert_max_num_queries(18):
        response = portal.get("/portal/")
    assert response.status_code == 200


# --- the State's ranking (P3) --------------------------------------------------------------


def test_the_dashboard_asks_the_state_to_rank_requests_it_has_not_ranked(portal, request_at):
    request_at(Stage.REQUESTED)
    assert 'id="rank-prompt"' not in portal.get("/portal/").content.decode()  # just one
    request_at(Stage.REQUESTED)
    page = portal.get("/portal/").content.decode()
    assert "2 open requests have not been ranked by you yet" in page
    # The cards agree with the prompt: no priority the State did not give.
    assert page.count("Not ranked by you yet") == 2
    assert "Priority 1" not in page


def test_once_ranked_only_requests_opened_since_are_asked_for(portal, request_at, togo_focal):
    first, second = request_at(Stage.REQUESTED), request_at(Stage.REQUESTED)
    services.rank_requests(
        by=togo_focal,
        state=togo_focal.member_state,
        ranks={second.reference: 1, first.reference: 2},
    )
    page = portal.get("/portal/").content.decode()
    assert 'id="rank-prompt"' not in page
    assert "Priority 1" in page
    assert "Not ranked by you yet" not in page
    request_at(Stage.REQUESTED)
    page = portal.get("/portal/").content.decode()
    assert "1 open request has not been ranked by you yet" in page
    assert page.count("Not ranked by you yet") == 1


def test_staff_ranking_nothing_leaves_the_prompt(portal, request_at, officer):
    request_at(Stage.REQUESTED)
    ta_request = request_at(Stage.REQUESTED)
    with pytest.raises(DomainError):
        services.set_priority(ta_request=ta_request, by=officer, rank=1)
    assert 'id="rank-prompt"' in portal.get("/portal/").content.decode()


def test_the_request_page_says_who_handles_it_and_how_long_the_stage_takes(
    portal, request_at, officer
):
    officer.first_name, officer.last_name, officer.email = "Olga", "Petrova", "olga@example.org"
    officer.save()
    content = portal.get(url(request_at(Stage.NEEDS_ASSESSMENT))).content.decode()
    assert "handled by <bdi>Olga Petrova</bdi>" in content
    assert "mailto:olga@example.org" in content
    assert "This stage should take at most 90 days" in content


def test_after_a_rejection_the_page_says_what_happens_next(portal, with_plan, togo_focal):
    services.take_transition(
        ta_request=with_plan, name="reject_plan", by=togo_focal, reason="Too costly"
    )
    content = portal.get(url(with_plan)).content.decode()
    assert "You rejected plan version 1. The secretariat will propose a new version" in content
    assert "Togo rejected plan version 1." in content


# --- all the State's requests --------------------------------------------------------------


@pytest.fixture
def many(togo_focal, senegal_focal, request_at):
    prisons = open_request(togo_focal, title="Prison reform", domains=["detention"])
    request_at(Stage.CLOSED)
    open_request(senegal_focal, title="Prison standards")  # another State's
    for n in range(30):
        open_request(togo_focal, title=f"Seminar {n}")
    return prisons


def listed(response):
    return [r.title for r in response.context["page"].object_list]


def test_all_requests_lists_the_states_own_a_page_at_a_time(portal, many):
    first = portal.get("/portal/requests/")
    assert first.context["page"].paginator.count == 32
    assert len(listed(first)) == 25
    assert "Prison standards" not in listed(first) + listed(portal.get("/portal/requests/?page=2"))


@pytest.mark.parametrize(
    ("query", "titles"),
    [
        ("q=prison", ["Prison reform"]),
        ("q=detention", ["Prison reform"]),
        ("q=Seminar 29", ["Seminar 29"]),
        ("stage=closed&q=", ["Support to the national human rights institution"]),
    ],
)
def test_all_requests_are_found_by_words_and_stage(portal, many, query, titles):
    assert listed(portal.get(f"/portal/requests/?{query}")) == titles


def test_all_requests_by_reference_and_year(portal, many):
    assert listed(portal.get(f"/portal/requests/?q={many.reference}")) == ["Prison reform"]
    year = many.opened_at.year
    assert len(listed(portal.get(f"/portal/requests/?year={year}&q=prison"))) == 1
    assert listed(portal.get(f"/portal/requests/?year={year - 5}")) == []


def test_a_bad_search_is_explained_not_a_crash(portal, many):
    response = portal.get("/portal/requests/?year=nineteen&stage=nowhere")
    assert response.status_code == 200
    assert response.context["form"].errors.keys() == {"year", "stage"}


def test_all_requests_runs_a_bounded_number_of_queries(portal, many, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        portal.get("/portal/requests/")
