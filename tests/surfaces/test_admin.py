"""The secretariat's admin, driven with the test client."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.conftest import messages_of
from tests.factories import UserFactory, open_request
from tests.journeys import TRANSITIONS, prepare, propose
from tracker import services, workflow
from tracker.kernel import clock
from tracker.models import AssistanceRequest, Consent, Funding, LinkedRecommendation, Plan
from tracker.workflow import Stage, dates

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/tracker/assistancerequest/"
#: The list of every request: an officer lands on their own (``assigned=mine``).
EVERYONE = f"{CHANGELIST}?assigned=all"


def change_url(request):
    return reverse("admin:tracker_assistancerequest_change", args=[request.pk])


def transition_url(request, name):
    return reverse("admin:tracker_assistancerequest_transition", args=[request.pk, name])


# --- access -------------------------------------------------------------------------------


def test_focal_points_have_no_admin_access(client_as):
    response = client_as("togo_focal").get(CHANGELIST)
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


@pytest.fixture
def superuser(db):
    return UserFactory(username="root", role="", is_staff=True, is_superuser=True)


@pytest.mark.parametrize("persona", ["officer", "analyst", "superuser"])
def test_every_admin_page_renders_for_each_staff_role(client_as, request_at, persona):
    requests = [request_at(stage) for stage in Stage.values]
    client = client_as(persona)
    urls = ["/admin/", "/admin/tracker/"]
    for model in (
        "assistancerequest",
        "memberstate",
        "domain",
        "assistanceform",
        "provider",
        "user",
        "notification",
    ):
        urls.append(f"/admin/tracker/{model}/")
    urls += [change_url(r) for r in requests]
    urls += ["/admin/tracker/memberstate/TGO/change/", f"{CHANGELIST}?overdue=yes"]
    for url in urls:
        assert client.get(url).status_code == 200, url


def test_superusers_need_their_second_factor(client, superuser):
    client.force_login(superuser)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_only_officers_log_requests(client_as):
    assert client_as("analyst").get(f"{CHANGELIST}add/").status_code == 403
    assert client_as("officer").get(f"{CHANGELIST}add/").status_code == 200


def test_requests_cannot_be_deleted(client_as, request_at):
    ta_request = request_at(Stage.REQUESTED)
    client = client_as("officer")
    assert client.get(f"{CHANGELIST}{ta_request.pk}/delete/").status_code == 403
    response = client.get(CHANGELIST)
    assert (
        "delete_selected" not in response.context["action_form"].fields["action"].choices.__str__()
    )


# --- the list -------------------------------------------------------------------------------


def test_list_puts_overdue_first_then_the_states_priority(client_as, togo_focal, officer):
    with clock.at(timezone.now() - timedelta(days=30)):
        open_request(togo_focal, title="Late")
    open_request(togo_focal, title="First")
    second = open_request(togo_focal, title="Second")
    services.set_priority(ta_request=second, by=togo_focal, rank=1)
    response = client_as("officer").get(EVERYONE)
    titles = [r.title for r in response.context["cl"].result_list]
    assert titles == ["Late", "Second", "First"]
    assert [r.overdue for r in response.context["cl"].result_list] == [True, False, False]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("stage=needs_assessment", ["Accepted"]),
        ("overdue=no", ["Accepted", "Senegal's", "Fresh"]),
        ("requesting_state__region__exact=AFRICA", ["Accepted", "Senegal's", "Fresh"]),
        ("requesting_state__region__exact=ASIA_PACIFIC", []),
        ("requesting_state__code__exact=SEN", ["Senegal's"]),
        ("domains__code__exact=health", ["Fresh"]),
        ("funding__source__exact=vftc", ["Senegal's"]),
        ("q=Sénégal", ["Senegal's"]),
        ("q=fresh", ["Fresh"]),
    ],
)
def test_list_filters_and_search(client_as, togo_focal, officer, query, expected):
    accepted = open_request(togo_focal, title="Accepted")
    services.take_transition(ta_request=accepted, name="accept", by=officer)
    senegal = open_request(officer, title="Senegal's", state="SEN")
    Funding.objects.create(request=senegal, source="vftc", amount=1000)
    open_request(togo_focal, title="Fresh", domains=["health"])
    response = client_as("officer").get(f"{EVERYONE}&{query}")
    assert response.status_code == 200
    assert sorted(r.title for r in response.context["cl"].result_list) == sorted(expected)


def test_filter_by_officer(client_as, togo_focal, officer, other_officer):
    ta_request = open_request(togo_focal, title="Mine")
    services.take_transition(
        ta_request=ta_request, name="accept", by=officer, officer=other_officer
    )
    open_request(togo_focal, title="Nobody's")
    response = client_as("officer").get(f"{EVERYONE}&officer__id__exact={other_officer.pk}")
    assert [r.title for r in response.context["cl"].result_list] == ["Mine"]


def test_search_by_reference(client_as, togo_focal):
    ta_request = open_request(togo_focal, title="Needle")
    open_request(togo_focal, title="Hay")
    response = client_as("officer").get(f"{EVERYONE}&q={ta_request.reference}")
    assert [r.title for r in response.context["cl"].result_list] == ["Needle"]


@pytest.mark.parametrize("rows", [1, 100])
def test_list_runs_a_bounded_number_of_queries(
    client_as, togo_focal, officer, django_assert_max_num_queries, rows
):
    for n in range(rows):
        ta_request = open_request(togo_focal, title=f"Request {n}")
        if n % 2:
            services.take_transition(ta_request=ta_request, name="accept", by=officer)
    client = client_as("officer")
    # 11: the page's 10, and whether the account has a second factor it must give.
    with django_assert_max_num_queries(11):
        response = client.get(EVERYONE)
    assert len(response.context["cl"].result_list) == rows


def test_change_page_runs_a_bounded_number_of_queries(
    client_as, request_at, django_assert_max_num_queries
):
    ta_request = request_at(Stage.CLOSED)
    client = client_as("officer")
    with django_assert_max_num_queries(25):
        assert client.get(change_url(ta_request)).status_code == 200


# --- logging a request received on paper (P1) -----------------------------------------------


def test_officer_logs_a_request_received_by_note_verbale(client_as):
    response = client_as("officer").post(
        f"{CHANGELIST}add/",
        {
            "requesting_state": "SEN",
            "title": "Nationality code",
            "received_via": "note_verbale",
            "document_number": "NV/SEN/2026/4",
            "document_date": "2026-01-10",
            "domains": ["legislation"],
        },
    )
    ta_request = AssistanceRequest.objects.get()
    assert response.status_code == 302
    assert response["Location"] == change_url(ta_request)
    assert (ta_request.requesting_state_id, ta_request.document_number) == ("SEN", "NV/SEN/2026/4")


@pytest.mark.parametrize(
    ("missing", "message"),
    [
        ("requesting_state", "Name the State that asked for assistance."),
        ("document_number", "Record the State's formal request"),
        ("document_date", "Record the State's formal request"),
    ],
)
def test_the_add_form_requires_the_state_and_its_formal_request(client_as, missing, message):
    data = {
        "requesting_state": "SEN",
        "title": "Nationality code",
        "received_via": "letter",
        "document_number": "L/4",
        "document_date": "2026-01-10",
    }
    data[missing] = ""
    response = client_as("officer").post(f"{CHANGELIST}add/", data)
    assert response.status_code == 200
    (form,) = response.context["forms"]
    assert form.errors[missing][0].startswith(message)  # at its field
    assert response.context["forms"][0]["title"].value() == "Nationality code"
    assert not AssistanceRequest.objects.exists()


# --- transitions --------------------------------------------------------------------------


@pytest.mark.parametrize(("stage", "name", "data", "expected"), TRANSITIONS)
def test_each_transition_through_the_admin(
    client_as, request_at, officer, stage, name, data, expected
):
    ta_request = request_at(stage)
    prepare(ta_request, name, officer)
    ta_request.refresh_from_db()
    client = client_as("officer")
    page = client.get(change_url(ta_request))
    assert transition_url(ta_request, name) in [a["url"] for a in page.context["request_actions"]]
    form = client.get(transition_url(ta_request, name)).context["forms"][0]
    initial = {k: v for k, v in form.initial.items() if v is not None}
    response = client.post(transition_url(ta_request, name), initial | data)
    assert response.status_code == 302, messages_of(response)
    ta_request.refresh_from_db()
    assert ta_request.stage == expected
    assert ta_request.history.last().transition == name
    # What was done, and where the request stands now.
    (said,) = messages_of(response)
    assert said.startswith(f"{ta_request.reference}: “{workflow.about(name).label}” done.")
    assert f"now at the stage “{Stage(expected).label}”" in said


def test_accepting_says_who_has_the_request_now_and_what_comes_next(client_as, request_at, officer):
    officer.first_name, officer.last_name = "Olga", "Ivanova"
    officer.save()
    ta_request = request_at(Stage.REQUESTED)
    response = client_as("officer").post(
        transition_url(ta_request, "accept"), {"revision": ta_request.revision}
    )
    assert messages_of(response) == [
        f"{ta_request.reference}: “Accept” done. The request is now at the stage "
        "“Needs assessment”, with Olga Ivanova. Next, the needs assessment, with the State."
    ]


def test_the_approval_page_names_the_plan_it_approves(client_as, request_at, officer):
    ta_request = request_at(Stage.CONSULTATION)
    propose(ta_request, officer, budget="36500")
    page = client_as("officer").get(transition_url(ta_request, "approve_plan")).content.decode()
    assert "Plan version 1: budget 36,500.00 USD; activities: Training of judges." in page


def test_staff_approval_without_the_states_document_is_refused_in_the_admin(
    client_as, request_at, officer
):
    ta_request = request_at(Stage.CONSULTATION)
    propose(ta_request, officer)
    ta_request.refresh_from_db()
    response = client_as("officer").post(
        transition_url(ta_request, "approve_plan"),
        {"revision": ta_request.revision, "plan_version": 1, "comment": "Agreed by phone"},
    )
    assert response.status_code == 200
    (form,) = response.context["forms"]
    assert "written communication" in form.errors["document_reference"][0]
    assert form["comment"].value() == "Agreed by phone"
    ta_request.refresh_from_db()
    assert ta_request.stage == Stage.CONSULTATION
    assert not Consent.objects.filter(decision="approved").exists()


def test_a_transition_refused_by_its_guard_is_a_message_not_an_error(client_as, request_at):
    ta_request = request_at(Stage.NEEDS_ASSESSMENT)
    response = client_as("officer").post(
        transition_url(ta_request, "complete_assessment"), {"revision": ta_request.revision}
    )
    assert response.status_code == 302
    assert response["Location"] == change_url(ta_request)
    assert any("Record the needs assessment" in m for m in messages_of(response))
    ta_request.refresh_from_db()
    assert ta_request.stage == Stage.NEEDS_ASSESSMENT


def test_a_transition_from_the_wrong_stage_is_refused(client_as, request_at):
    ta_request = request_at(Stage.CLOSED)
    response = client_as("officer").get(transition_url(ta_request, "accept"))
    assert response.status_code == 302
    assert any("nothing more can happen" in m for m in messages_of(response))


@pytest.mark.parametrize("method", ["get", "post"])
def test_analysts_cannot_take_transitions(client_as, request_at, method):
    ta_request = request_at(Stage.REQUESTED)
    response = getattr(client_as("analyst"), method)(
        transition_url(ta_request, "accept"), {"revision": ta_request.revision}
    )
    assert response.status_code == 302
    assert "Only secretariat officers can do this: accept a request." in messages_of(response)
    ta_request.refresh_from_db()
    assert ta_request.stage == Stage.REQUESTED


def test_a_decision_on_a_stale_page_is_a_conflict(client_as, request_at, officer):
    ta_request = request_at(Stage.REQUESTED)
    stale = ta_request.revision
    services.take_transition(ta_request=ta_request, name="accept", by=officer)
    response = client_as("officer").post(
        transition_url(ta_request, "decline"), {"revision": stale, "reason": "Late"}
    )
    assert any("has changed since you opened it" in m for m in messages_of(response))
    ta_request.refresh_from_db()
    assert ta_request.stage == Stage.NEEDS_ASSESSMENT


def test_an_unknown_transition_is_404(client_as, request_at):
    assert (
        client_as("officer").get(transition_url(request_at("requested"), "teleport")).status_code
        == 404
    )


def test_no_buttons_for_analysts(client_as, request_at):
    page = client_as("analyst").get(change_url(request_at(Stage.REQUESTED)))
    assert page.context["request_actions"] == []


# --- content --------------------------------------------------------------------------------


def test_officer_records_the_assessment_in_the_admin(client_as, request_at):
    ta_request = request_at(Stage.NEEDS_ASSESSMENT)
    url = reverse("admin:tracker_assistancerequest_assessment", args=[ta_request.pk])
    response = client_as("officer").post(url, {"findings": "Old law", "gaps": "No NHRI"})
    assert response.status_code == 302
    assert ta_request.assessment_is_complete()


def test_assessment_form_refuses_outside_its_stage(client_as, request_at):
    ta_request = request_at(Stage.CONSULTATION)
    url = reverse("admin:tracker_assistancerequest_assessment", args=[ta_request.pk])
    response = client_as("officer").post(url, {"findings": "Old law", "gaps": "No NHRI"})
    assert response.status_code == 200
    assert any("only at the stage Needs assessment" in m for m in messages_of(response))


def test_officer_proposes_a_plan_with_activities(client_as, request_at):
    ta_request = request_at(Stage.CONSULTATION)
    url = reverse("admin:tracker_assistancerequest_plan", args=[ta_request.pk])
    data = {
        "budget_amount": "12000",
        "budget_currency": "USD",
        "activities-TOTAL_FORMS": "3",
        "activities-INITIAL_FORMS": "0",
        "activities-0-form": "training",
        "activities-0-title": "Training of prison staff",
        "activities-1-form": "workshop",
        "activities-1-title": "Validation workshop",
    }
    response = client_as("officer").post(url, data)
    assert response.status_code == 302
    plan = Plan.objects.get(request=ta_request)
    assert sorted(plan.activities.values_list("title", flat=True)) == [
        "Training of prison staff",
        "Validation workshop",
    ]


def test_a_plan_without_activities_is_refused(client_as, request_at):
    ta_request = request_at(Stage.CONSULTATION)
    url = reverse("admin:tracker_assistancerequest_plan", args=[ta_request.pk])
    response = client_as("officer").post(
        url,
        {
            "budget_amount": "12000",
            "budget_currency": "USD",
            "activities-TOTAL_FORMS": "3",
            "activities-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert response.context["forms"][1].non_form_errors() == ["A plan has at least one activity."]
    assert not Plan.objects.exists()


def test_officer_records_delivery_and_evaluation(client_as, request_at):
    ta_request = request_at(Stage.IMPLEMENTATION)
    client = client_as("officer")
    activity = ta_request.approved_plan().activities.get()
    response = client.post(
        reverse("admin:tracker_assistancerequest_delivery", args=[ta_request.pk]),
        {"activity": activity.pk, "delivered_on": str(dates.today()), "participants": "30"},
    )
    assert response.status_code == 302
    activity.refresh_from_db()
    assert activity.participants == 30
    services.take_transition(
        ta_request=ta_request, name="complete_implementation", by=activity.plan.proposed_by
    )
    response = client.post(
        reverse("admin:tracker_assistancerequest_evaluation", args=[ta_request.pk]),
        {
            "summary": "Good",
            "lessons_learned": "Start early",
            "indicators-TOTAL_FORMS": "2",
            "indicators-INITIAL_FORMS": "0",
            "indicators-0-name": "Staff trained",
            "indicators-0-baseline": "0",
            "indicators-0-target": "30",
            "indicators-0-measured": "30",
        },
    )
    assert response.status_code == 302
    assert ta_request.has_measured_outcome()


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("action", ["assessment", "plan", "delivery", "evaluation"])
def test_analysts_cannot_record_content(client_as, request_at, action, method):
    ta_request = request_at(Stage.NEEDS_ASSESSMENT)
    url = reverse(f"admin:tracker_assistancerequest_{action}", args=[ta_request.pk])
    response = getattr(client_as("analyst"), method)(url, {"findings": "f", "gaps": "g"})
    assert response.status_code == 302
    assert any("Only secretariat officers" in m for m in messages_of(response))
    assert not ta_request.assessment_is_complete()


@pytest.mark.parametrize(
    ("stage", "action"),
    [
        (Stage.NEEDS_ASSESSMENT, "assessment"),
        (Stage.CONSULTATION, "plan"),
        (Stage.IMPLEMENTATION, "delivery"),
        (Stage.EVALUATION, "evaluation"),
    ],
)
def test_content_forms_render_for_officers(client_as, request_at, stage, action):
    url = reverse(f"admin:tracker_assistancerequest_{action}", args=[request_at(stage).pk])
    assert client_as("officer").get(url).status_code == 200


# --- bulk actions -----------------------------------------------------------------------------


def test_assign_an_officer_to_the_selection(client_as, togo_focal, other_officer):
    requests = [open_request(togo_focal, title=t) for t in ("A", "B")]
    client = client_as("officer")
    selection = {"action": "assign_officer", "_selected_action": [r.pk for r in requests]}
    page = client.post(EVERYONE, selection)
    assert page.status_code == 200
    response = client.post(EVERYONE, selection | {"apply": "1", "officer": other_officer.pk})
    assert response.status_code == 302
    assert set(AssistanceRequest.objects.values_list("officer", flat=True)) == {other_officer.pk}


def test_analysts_cannot_assign(client_as, togo_focal, other_officer):
    ta_request = open_request(togo_focal)
    response = client_as("analyst").post(
        EVERYONE,
        {
            "action": "assign_officer",
            "_selected_action": [ta_request.pk],
            "apply": "1",
            "officer": other_officer.pk,
        },
    )
    ta_request.refresh_from_db()
    assert ta_request.officer is None
    assert response.status_code in (200, 302)


def test_export_the_selection_to_csv(client_as, officer):
    ivory = open_request(officer, title="Réforme pénitentiaire", state="CIV", domains=["detention"])
    open_request(officer, title="Not selected", state="SEN")
    response = client_as("analyst").post(
        EVERYONE, {"action": "export_csv", "_selected_action": [ivory.pk]}
    )
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))
    assert rows[0][:3] == ["reference", "state_code", "state"]
    assert rows[1][:6] == [
        ivory.reference,
        "CIV",
        "Côte d'Ivoire",
        "AFRICA",
        "Réforme pénitentiaire",
        "requested",
    ]
    assert rows[1][-1] == "detention"
    assert len(rows) == 2


# --- the home page: each staff member's work -------------------------------------------------


@pytest.mark.parametrize("persona", ["officer", "analyst"])
def test_the_home_page_runs_a_bounded_number_of_queries(
    client_as, request_at, persona, django_assert_max_num_queries
):
    for stage in Stage.values * 3:
        request_at(stage)
    client = client_as(persona)
    with django_assert_max_num_queries(14):
        response = client.get("/admin/")
    assert response.status_code == 200


def test_an_officers_queue_lists_its_own_open_requests_overdue_first(
    client_as, request_at, officer, other_officer
):
    waiting = request_at(Stage.NEEDS_ASSESSMENT)
    with clock.at(timezone.now() - timedelta(days=200)):
        late = request_at(Stage.NEEDS_ASSESSMENT)
    request_at(Stage.CLOSED)
    theirs = open_request(late.requesting_state.focal_points.first())
    services.take_transition(ta_request=theirs, name="accept", by=other_officer)
    queue = client_as("officer").get("/admin/").context["queue"]
    assert [r.reference for r in queue] == [late.reference, waiting.reference]
    assert client_as("officer").get("/admin/").context["queue_count"] == 2


# --- a request's page: where it stands and what comes next -------------------------------------


def test_the_expected_step_comes_first_as_the_primary_action(client_as, request_at):
    page = client_as("officer").get(change_url(request_at(Stage.REQUESTED)))
    steps = page.context["request_actions"]
    assert [s["label"] for s in steps[:2]] == ["Accept", "Decline"]
    assert steps[0]["primary"]
    assert not steps[1]["primary"]
    html = page.content.decode()
    assert 'id="request-status"' in html
    assert 'class="button primary"' in html


def test_a_step_not_possible_yet_is_shown_disabled_with_its_guards_reason(
    client_as, request_at, officer
):
    ta_request = request_at(Stage.NEEDS_ASSESSMENT)
    page = client_as("officer").get(change_url(ta_request))
    complete = next(
        s for s in page.context["request_actions"] if s["label"] == "Complete assessment"
    )
    assert complete["url"] == ""
    assert complete["reason"].startswith("Record the needs assessment's findings")
    assert "Record the needs assessment&#x27;s findings" in page.content.decode()
    services.record_assessment(ta_request=ta_request, by=officer, findings="f", gaps="g")
    page = client_as("officer").get(change_url(ta_request))
    complete = next(
        s for s in page.context["request_actions"] if s["label"] == "Complete assessment"
    )
    assert complete["url"] == transition_url(ta_request, "complete_assessment")
    assert complete["primary"]


# --- the queue --------------------------------------------------------------------------------


def titles(response):
    return sorted(r.title for r in response.context["cl"].result_list)


@pytest.fixture
def queue(togo_focal, senegal_focal, officer, other_officer):
    mine = open_request(togo_focal, title="Mine")
    services.take_transition(ta_request=mine, name="accept", by=officer)
    theirs = open_request(senegal_focal, title="Theirs")
    services.take_transition(ta_request=theirs, name="accept", by=other_officer)
    open_request(officer, title="Nobody's", state="CAF")  # agenda item 10, and an LDC
    upr = open_request(togo_focal, title="UPR follow-up")
    services.take_transition(ta_request=upr, name="accept", by=officer)
    LinkedRecommendation.objects.create(request=upr, source="upr", upr_cycle=3)


def test_an_officer_lands_on_their_own_requests(client_as, queue):
    assert titles(client_as("officer").get(CHANGELIST)) == ["Mine", "UPR follow-up"]


def test_analysts_land_on_every_request(client_as, queue):
    assert len(titles(client_as("analyst").get(CHANGELIST))) == 4


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("assigned=unassigned", ["Nobody's"]),
        ("assigned=all", ["Mine", "Nobody's", "Theirs", "UPR follow-up"]),
        ("assigned=all&requesting_state__under_agenda_item_10__exact=1", ["Nobody's"]),
        (
            "assigned=all&requesting_state__is_ldc__exact=1",
            ["Mine", "Nobody's", "Theirs", "UPR follow-up"],
        ),
        ("assigned=all&upr=yes", ["UPR follow-up"]),
        ("assigned=all&upr=no", ["Mine", "Nobody's", "Theirs"]),
    ],
)
def test_the_queue_filters(client_as, queue, query, expected):
    assert titles(client_as("officer").get(f"{CHANGELIST}?{query}")) == expected


def test_completing_with_an_activity_undelivered_warns_and_asks(client_as, request_at, officer):
    from tracker.services import ActivityDraft

    ta_request = request_at(Stage.CONSULTATION)
    services.propose_plan(
        ta_request=ta_request,
        by=officer,
        budget_amount=Decimal("1000"),
        activities=[
            ActivityDraft("training", "Training of judges"),
            ActivityDraft("training", "Training of clerks"),
        ],
    )
    services.take_transition(
        ta_request=ta_request, name="approve_plan", by=officer, document_reference="NV/1"
    )
    judges = ta_request.approved_plan().activities.get(title="Training of judges")
    services.record_delivery(activity=judges, by=officer, delivered_on=dates.today())
    ta_request.refresh_from_db()
    client = client_as("officer")
    url = transition_url(ta_request, "complete_implementation")
    page = client.get(url).content.decode()
    assert "Complete without the activity not delivered: Training of clerks." in page
    response = client.post(url, {"revision": ta_request.revision})
    assert response.status_code == 200
    assert response.context["forms"][0].errors["without_undelivered"] == [
        "Tick this box to complete implementation without them."
    ]
    ta_request.refresh_from_db()
    assert ta_request.stage == Stage.IMPLEMENTATION
    response = client.post(url, {"revision": ta_request.revision, "without_undelivered": "on"})
    assert response.status_code == 302
    ta_request.refresh_from_db()
    assert ta_request.stage == Stage.EVALUATION


def test_a_refused_step_lists_every_problem_at_the_top_linked_to_its_field(
    client_as, request_at, officer
):
    """The error summary (GOV.UK's pattern): "Error:" in the title, each problem linked
    to its field, the field's own message beside it."""
    ta_request = request_at(Stage.CONSULTATION)
    propose(ta_request, officer)
    ta_request.refresh_from_db()
    response = client_as("officer").post(
        transition_url(ta_request, "approve_plan"),
        {
            "revision": ta_request.revision,
            "plan_version": 1,
            "document_reference": "NV/1",
            "document_date": str(dates.today() + timedelta(days=3)),
        },
    )
    page = response.content.decode()
    assert "<title>Error: " in page
    summary = page.split('class="errornote error-summary"')[1].split("</div>")[0]
    assert 'href="#id_document_date"' in summary
    assert "The letter cannot be dated in the future." in summary
    assert page.count("The letter cannot be dated in the future.") == 2  # and at its field
