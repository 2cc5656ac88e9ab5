"""The REST API: who may do what, every transition, listing, bad input."""

from __future__ import annotations

import pytest

from tests.factories import open_request
from tests.journeys import TRANSITIONS, prepare, propose
from tracker import selectors, services
from tracker.demo.scenarios import Content
from tracker.models import AssistanceRequest, Consent
from tracker.workflow import Stage, dates

pytestmark = pytest.mark.django_db

ROLES = ("own", "other", "officer", "analyst", "anon")
PERSONAS = {
    "own": "togo_focal",
    "other": "senegal_focal",
    "officer": "officer",
    "analyst": "analyst",
    "anon": None,
}


def _activity(request):
    return {
        "activity": request.approved_plan().activities.get().pk,
        "delivered_on": str(dates.today()),
    }


PLAN = {"budget_amount": "1000.00", "activities": [{"form": "training", "title": "T"}]}
EVALUATION = {
    "summary": "s",
    "indicators": [{"name": "n", "baseline": "0", "target": "1", "measured": "1"}],
}

# (method, path after the request's URL or an absolute path, stage, body,
#  expected status for own State, other State, officer, analyst, anonymous)
MATRIX = [
    ("get", "/api/v1/member-states/", None, None, (200, 200, 200, 200, 401)),
    ("get", "/api/v1/requests/", None, None, (200, 200, 200, 200, 401)),
    ("post", "/api/v1/requests/", None, {"title": "Help"}, (201, 201, 400, 403, 401)),
    ("get", "", Stage.REQUESTED, None, (200, 404, 200, 200, 401)),
    ("get", "history/", Stage.REQUESTED, None, (200, 404, 200, 200, 401)),
    ("post", "transitions/withdraw/", Stage.REQUESTED, {"reason": "r"}, (200, 404, 400, 403, 401)),
    ("post", "transitions/accept/", Stage.REQUESTED, {}, (403, 404, 200, 403, 401)),
    ("put", "priority/", Stage.REQUESTED, {"rank": 1}, (200, 404, 403, 403, 401)),
    (
        "put",
        "assessment/",
        Stage.NEEDS_ASSESSMENT,
        {"findings": "f", "gaps": "g"},
        (403, 404, 200, 403, 401),
    ),
    ("get", "plans/", Stage.CONSULTATION, None, (200, 404, 200, 200, 401)),
    ("post", "plans/", Stage.CONSULTATION, PLAN, (403, 404, 201, 403, 401)),
    ("post", "activities/", Stage.IMPLEMENTATION, _activity, (403, 404, 200, 403, 401)),
    ("patch", "activities/", Stage.IMPLEMENTATION, _activity, (403, 404, 200, 403, 401)),
    ("get", "evaluation/", Stage.CLOSED, None, (200, 404, 200, 200, 401)),
    ("put", "evaluation/", Stage.EVALUATION, EVALUATION, (403, 404, 200, 403, 401)),
    ("put", "evaluation/", Stage.CLOSED, {"lessons_published": True}, (200, 404, 403, 403, 401)),
    ("get", "/api/v1/reports/summary/", None, None, (200, 200, 200, 200, 401)),
    ("get", "/api/v1/reports/backlog/?on=2026-01-31", None, None, (200, 200, 200, 200, 401)),
]


CASES = [
    pytest.param(
        method, path, stage, body, role, status, id=f"{method} {path or 'detail'} {stage} {role}"
    )
    for method, path, stage, body, statuses in MATRIX
    for role, status in zip(ROLES, statuses, strict=True)
]


@pytest.mark.parametrize(("method", "path", "stage", "body", "role", "expected"), CASES)
def test_every_endpoint_for_every_role(api, request_at, method, path, stage, body, role, expected):
    url = path
    if stage is not None:
        ta_request = request_at(stage, content=Content(lessons="Share early"))
        url = f"/api/v1/requests/{ta_request.reference}/{path}"
        body = body(ta_request) if callable(body) else body
    response = getattr(api(PERSONAS[role]), method)(url, body, format="json")
    assert response.status_code == expected, response.content


@pytest.mark.parametrize(
    ("name", "body"),
    [("approve_plan", {}), ("reject_plan", {"reason": "x"}), ("withdraw", {"reason": "x"})],
)
def test_analysts_change_nothing(api, request_at, name, body):
    ta_request = request_at(Stage.CONSULTATION, content=Content(plan_awaiting_decision=True))
    ta_request.refresh_from_db()
    before = (ta_request.revision, Consent.objects.count())
    response = api("analyst").post(
        f"/api/v1/requests/{ta_request.reference}/transitions/{name}/", body, format="json"
    )
    assert response.status_code == 403
    ta_request.refresh_from_db()
    assert (ta_request.revision, Consent.objects.count()) == before


def test_another_states_request_looks_like_none(api, request_at):
    ta_request = request_at(Stage.REQUESTED)
    client = api("senegal_focal")
    hidden = client.get(f"/api/v1/requests/{ta_request.reference}/")
    missing = client.get("/api/v1/requests/TA-1999-9999/")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json()["detail"].startswith("No ")
    assert missing.json()["detail"].startswith("No ")
    assert client.get("/api/v1/requests/").json()["count"] == 0


# --- token -------------------------------------------------------------------------------


def test_token_authentication(api, togo_focal, request_at):
    request_at(Stage.REQUESTED)
    client = api()
    response = client.post(
        "/api/v1/auth/token/",
        {"username": "afi", "password": "correct horse battery staple"},
        format="json",
    )
    assert response.status_code == 200
    client.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    assert client.get("/api/v1/requests/").json()["count"] == 1


def test_wrong_password_gets_no_token(api, togo_focal):
    response = api().post(
        "/api/v1/auth/token/", {"username": "afi", "password": "guess"}, format="json"
    )
    assert response.status_code == 400
    assert "token" not in response.json()


def test_session_authentication_works_too(client, togo_focal, request_at):
    request_at(Stage.REQUESTED)
    client.force_login(togo_focal)
    assert client.get("/api/v1/requests/").json()["count"] == 1


# --- every transition through the API ------------------------------------------------------


@pytest.mark.parametrize(("stage", "name", "data", "expected"), TRANSITIONS)
def test_each_transition_through_the_api(api, request_at, officer, stage, name, data, expected):
    ta_request = request_at(stage)
    prepare(ta_request, name, officer)
    ta_request.refresh_from_db()
    client = api("officer")
    detail = client.get(f"/api/v1/requests/{ta_request.reference}/").json()
    assert name in detail["available_transitions"]
    response = client.post(
        f"/api/v1/requests/{ta_request.reference}/transitions/{name}/",
        {**data, "expected_revision": detail["revision"]},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["stage"] == expected
    assert response.json()["revision"] == detail["revision"] + 1


@pytest.mark.parametrize(
    ("stage", "name", "data", "status", "message"),
    [
        (Stage.NEEDS_ASSESSMENT, "accept", {}, 409, "only at the stage Requested"),
        (Stage.NEEDS_ASSESSMENT, "complete_assessment", {}, 409, "Record the needs assessment"),
        (Stage.CONSULTATION, "approve_plan", {"document_reference": "NV/1"}, 409, "no plan yet"),
        (Stage.CONSULTATION, "approve_plan", {}, 409, "no plan yet"),
        (
            Stage.CONSULTATION,
            "reject_plan",
            {"reason": "r", "document_reference": "L"},
            409,
            "no plan yet",
        ),
        (Stage.IMPLEMENTATION, "revise_plan", {}, 409, "propose a new version"),
        (Stage.IMPLEMENTATION, "complete_implementation", {}, 409, "at least one activity"),
        (Stage.EVALUATION, "close", {}, 409, "outcome indicator"),
        (Stage.WITHDRAWN, "withdraw", {"document_reference": "NV/1"}, 409, "nothing more"),
        (Stage.REQUESTED, "decline", {}, 400, "reason for declining"),
        (Stage.REQUESTED, "withdraw", {}, 400, "written communication"),
        (Stage.REQUESTED, "teleport", {}, 404, "no transition named"),
        (Stage.REQUESTED, "accept", {"reason": "x"}, 400, "accept does not take reason"),
        (Stage.REQUESTED, "accept", {"reson": "x"}, 400, "Unknown field(s): reson"),
        (Stage.REQUESTED, "accept", {"officer": "nobody"}, 400, "no user with that username"),
        (Stage.REQUESTED, "accept", {"expected_revision": 99}, 409, "has changed since"),
    ],
)
def test_refused_transitions_say_why(api, request_at, stage, name, data, status, message):
    ta_request = request_at(stage)
    response = api("officer").post(
        f"/api/v1/requests/{ta_request.reference}/transitions/{name}/", data, format="json"
    )
    assert response.status_code == status
    assert message.lower() in str(response.json()).lower()
    ta_request.refresh_from_db()
    assert ta_request.stage == stage


NEVER_ALLOWED = [
    (persona, stage, name, data)
    for persona in ("togo_focal", "analyst")
    for stage, name, data, _after in TRANSITIONS
    # the requesting State takes these itself (tested above and below)
    if not (persona == "togo_focal" and name in ("approve_plan", "reject_plan", "withdraw"))
]


@pytest.mark.parametrize(("persona", "stage", "name", "data"), NEVER_ALLOWED)
def test_roles_that_may_never_take_a_transition_get_403(
    api, request_at, officer, persona, stage, name, data
):
    ta_request = request_at(stage)
    prepare(ta_request, name, officer)
    response = api(persona).post(
        f"/api/v1/requests/{ta_request.reference}/transitions/{name}/", data, format="json"
    )
    assert response.status_code == 403
    ta_request.refresh_from_db()
    assert ta_request.stage == stage


def test_the_state_approves_its_plan_through_the_api(api, request_at, officer):
    ta_request = request_at(Stage.CONSULTATION)
    propose(ta_request, officer)
    response = api("togo_focal").post(
        f"/api/v1/requests/{ta_request.reference}/transitions/approve_plan/",
        {"plan_version": 1},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["approved_plan_version"] == 1


def test_focal_point_cannot_take_staff_transitions(api, request_at):
    ta_request = request_at(Stage.REQUESTED)
    response = api("togo_focal").post(
        f"/api/v1/requests/{ta_request.reference}/transitions/accept/", {}, format="json"
    )
    assert response.status_code == 403
    assert response.json() == {
        "detail": "Only secretariat officers can do this: accept a request.",
        "code": "forbidden",
    }


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        ('{"reason": ', "application/json"),
        ('["a list"]', "application/json"),
        ('{"plan_version": "two"}', "application/json"),
        ('{"document_date": "yesterday"}', "application/json"),
    ],
)
def test_malformed_bodies_are_400(api, request_at, officer, body, content_type):
    ta_request = request_at(Stage.CONSULTATION)
    propose(ta_request, officer)  # who, stage and guards pass: only the body is wrong
    response = api("togo_focal").generic(
        "POST",
        f"/api/v1/requests/{ta_request.reference}/transitions/reject_plan/",
        body,
        content_type=content_type,
    )
    assert response.status_code == 400
    assert response.json()


# --- opening --------------------------------------------------------------------------------


def test_officer_opens_a_request_with_the_formal_reference(api):
    response = api("officer").post(
        "/api/v1/requests/",
        {
            "title": "Nationality code",
            "requesting_state": "SEN",
            "formal_request": {"kind": "note_verbale", "number": "NV/12", "date": "2026-01-15"},
            "domains": ["legislation"],
            "recommendations": [{"source": "treaty_body", "document_symbol": "CEDAW/C/SEN/CO/3-7"}],
            "funding": [{"source": "vftc", "amount": "25000"}],
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert response["Location"] == f"/api/v1/requests/{body['reference']}/"
    assert body["requesting_state"] == "SEN"
    assert body["recommendations"][0]["document_symbol"] == "CEDAW/C/SEN/CO/3-7"
    assert body["funding"][0]["amount"] == "25000.00"


def test_focal_point_cannot_open_for_another_state(api):
    response = api("togo_focal").post(
        "/api/v1/requests/", {"title": "Help", "requesting_state": "SEN"}, format="json"
    )
    assert response.status_code == 403
    assert "Only Senegal can ask for assistance" in response.json()["detail"]
    assert not AssistanceRequest.objects.exists()


def test_an_unknown_recommending_state_is_a_400(api):
    response = api("togo_focal").post(
        "/api/v1/requests/",
        {
            "title": "x",
            "recommendations": [{"source": "upr", "recommending_state": "ZZZ", "text": "t"}],
        },
        format="json",
    )
    assert response.status_code == 400
    assert "ZZZ" in response.json()["detail"]
    assert not AssistanceRequest.objects.exists()


def test_a_focal_point_may_name_its_own_state_in_lower_case(api):
    response = api("togo_focal").post(
        "/api/v1/requests/", {"title": "x", "requesting_state": "tgo"}, format="json"
    )
    assert response.status_code == 201


def test_nul_bytes_are_refused_not_crashing(api):
    response = api("togo_focal").post("/api/v1/requests/", {"title": "a\x00b"}, format="json")
    assert response.status_code == 400
    assert api("analyst").get("/api/v1/requests/?search=a%00b").status_code == 400


# --- content ---------------------------------------------------------------------------------


def test_plans_are_listed_with_their_activities(api, request_at, officer):
    ta_request = request_at(Stage.CONSULTATION)
    response = api("officer").post(
        f"/api/v1/requests/{ta_request.reference}/plans/",
        {**PLAN, "providers": ["UNDP"]},
        format="json",
    )
    assert response.status_code == 400
    assert "Unknown provider(s): UNDP" in response.json()["detail"]
    response = api("officer").post(
        f"/api/v1/requests/{ta_request.reference}/plans/", PLAN, format="json"
    )
    assert response.status_code == 201
    plans = api("togo_focal").get(f"/api/v1/requests/{ta_request.reference}/plans/").json()
    assert [(p["version"], p["activities"][0]["title"]) for p in plans] == [(1, "T")]


def test_the_evaluation_cannot_publish_lessons_for_the_state(api, request_at):
    ta_request = request_at(Stage.EVALUATION)
    response = api("officer").put(
        f"/api/v1/requests/{ta_request.reference}/evaluation/",
        {**EVALUATION, "lessons_published": True},
        format="json",
    )
    assert response.status_code == 400
    assert "State's own choice" in response.json()["detail"]


def test_the_evaluation_of_a_request_without_one_is_404(api, request_at):
    ta_request = request_at(Stage.EVALUATION)
    response = api("officer").get(f"/api/v1/requests/{ta_request.reference}/evaluation/")
    assert response.status_code == 404


def test_delivery_of_an_activity_of_another_request_is_refused(api, request_at):
    mine, other = request_at(Stage.IMPLEMENTATION), request_at(Stage.IMPLEMENTATION)
    response = api("officer").post(
        f"/api/v1/requests/{mine.reference}/activities/", _activity(other), format="json"
    )
    assert response.status_code == 400
    assert "no such activity" in response.json()["detail"]


# --- listing ---------------------------------------------------------------------------------


@pytest.fixture
def listing(togo_focal, senegal_focal, officer):
    accepted = open_request(togo_focal, title="Prisons", domains=["detention"])
    services.take_transition(ta_request=accepted, name="accept", by=officer)
    open_request(senegal_focal, title="Nationality code", domains=["legislation"])
    open_request(officer, title="Elections", state="MEX", domains=["elections"])


@pytest.mark.parametrize(
    ("query", "titles"),
    [
        ("stage=needs_assessment", ["Prisons"]),
        ("state=SEN", ["Nationality code"]),
        ("state=sen", ["Nationality code"]),
        ("region=LATIN_AMERICA_CARIBBEAN", ["Elections"]),
        ("domain=detention", ["Prisons"]),
        ("overdue=true", []),
        ("overdue=false", ["Elections", "Nationality code", "Prisons"]),
        ("opened_after=2000-01-01", ["Elections", "Nationality code", "Prisons"]),
        ("opened_before=2000-01-01", []),
        ("search=nationality", ["Nationality code"]),
        ("search=Mexique", ["Elections"]),
    ],
)
def test_list_filters(api, listing, query, titles):
    response = api("analyst").get(f"/api/v1/requests/?{query}")
    assert response.status_code == 200
    assert sorted(r["title"] for r in response.json()["results"]) == titles


def test_list_ordering(api, listing):
    results = api("analyst").get("/api/v1/requests/?ordering=title").json()["results"]
    assert [r["title"] for r in results] == ["Elections", "Nationality code", "Prisons"]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("colour=blue", "Unknown query parameter(s): colour"),
        ("stage=flying", "Select a valid choice"),
        ("region=MARS", "Select a valid choice"),
        ("opened_after=yesterday", "Enter a valid date"),
        ("overdue=perhaps", "Select a valid choice"),
        ("ordering=password", "Cannot order by password"),
        ("page_size=0", "page_size is a whole number from 1 to 100"),
        ("page_size=101", "page_size is a whole number from 1 to 100"),
        ("page_size=99999999999999999999", "page_size is a whole number"),
        ("page_size=ten", "page_size is a whole number"),
    ],
)
def test_bad_list_parameters_are_400_with_a_reason(api, listing, query, message):
    response = api("analyst").get(f"/api/v1/requests/?{query}")
    assert response.status_code == 400
    assert message in str(response.json())


def test_page_size_is_honoured(api, listing):
    body = api("analyst").get("/api/v1/requests/?page_size=2").json()
    assert (body["count"], len(body["results"])) == (3, 2)
    assert body["next"]


def test_list_as_csv(api, listing):
    response = api("analyst").get("/api/v1/requests/?format=csv&state=SEN")
    content = b"".join(response.streaming_content).decode("utf-8")
    lines = content.lstrip("\ufeff").splitlines()
    assert lines[0].startswith("reference,state_code,state,region,title,stage")
    assert len(lines) == 2
    assert ",SEN,Senegal,AFRICA,Nationality code,requested," in lines[1]


def test_csv_is_scoped_like_json(api, listing):
    response = api("togo_focal").get("/api/v1/requests/?format=csv")
    content = b"".join(response.streaming_content).decode("utf-8")
    assert "Prisons" in content
    assert "Nationality code" not in content


@pytest.mark.parametrize("page_size", [1, 100])
def test_list_runs_constant_queries(
    api, togo_focal, officer, page_size, django_assert_max_num_queries
):
    for n in range(100):
        ta_request = open_request(togo_focal, title=f"R{n}", domains=["health", "justice"])
        if n % 3 == 0:
            services.take_transition(ta_request=ta_request, name="accept", by=officer)
    client = api("analyst")
    with django_assert_max_num_queries(6):
        response = client.get(f"/api/v1/requests/?page_size={page_size}")
    assert len(response.json()["results"]) == page_size


@pytest.mark.parametrize("stage", [Stage.REQUESTED, Stage.CLOSED])
def test_detail_runs_constant_queries(api, request_at, stage, django_assert_max_num_queries):
    ta_request = request_at(stage)
    client = api("togo_focal")
    with django_assert_max_num_queries(20):
        assert client.get(f"/api/v1/requests/{ta_request.reference}/").status_code == 200


# --- throttling ------------------------------------------------------------------------------


def test_anonymous_clients_are_throttled(api, settings, togo_focal):
    # Anonymous calls to protected endpoints stop at 401; the token endpoint is where
    # an anonymous client can try passwords, so that is where the limit matters.
    settings.API_THROTTLE_RATES = {"anon": "3/minute", "user": "100/minute"}
    client = api()
    guesses = [
        client.post(
            "/api/v1/auth/token/", {"username": "afi", "password": f"guess{n}"}, format="json"
        ).status_code
        for n in range(4)
    ]
    assert guesses == [400, 400, 400, 429]


def test_authenticated_clients_are_throttled(api, settings, togo_focal):
    settings.API_THROTTLE_RATES = {"anon": "100/minute", "user": "2/minute"}
    client = api("togo_focal")
    statuses = [client.get("/api/v1/requests/").status_code for _ in range(3)]
    assert statuses == [200, 200, 429]


# --- OpenAPI ---------------------------------------------------------------------------------


def test_the_schema_is_valid_and_complete(client):
    from django.core.management import call_command

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", "/dev/null")
    schema = client.get("/api/schema/?format=json").json()
    paths = set(schema["paths"])
    assert {
        "/api/v1/auth/token/",
        "/api/v1/member-states/",
        "/api/v1/requests/",
        "/api/v1/requests/{reference}/",
        "/api/v1/requests/{reference}/transitions/{name}/",
        "/api/v1/requests/{reference}/history/",
        "/api/v1/requests/{reference}/priority/",
        "/api/v1/requests/{reference}/assessment/",
        "/api/v1/requests/{reference}/plans/",
        "/api/v1/requests/{reference}/activities/",
        "/api/v1/requests/{reference}/evaluation/",
        "/api/v1/reports/summary/",
        "/api/v1/reports/backlog/",
    } <= paths
    params = {p["name"] for p in schema["paths"]["/api/v1/requests/"]["get"]["parameters"]}
    assert {
        "stage",
        "state",
        "region",
        "domain",
        "opened_after",
        "opened_before",
        "overdue",
        "search",
        "ordering",
        "page",
        "page_size",
    } <= params
    transition = schema["paths"]["/api/v1/requests/{reference}/transitions/{name}/"]["post"]
    assert {"200", "400", "403", "404", "409"} <= set(transition["responses"])
    assert transition["requestBody"]["content"]["application/json"]["examples"]


def test_swagger_ui_is_served(client):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    assert b"swagger-ui" in response.content


def test_lessons_published_through_the_api_reach_other_states(api, request_at, senegal_focal):
    ta_request = request_at(Stage.CLOSED, content=Content(lessons="Involve the NHRI"))
    response = api("togo_focal").put(
        f"/api/v1/requests/{ta_request.reference}/evaluation/",
        {"lessons_published": True},
        format="json",
    )
    assert response.json()["lessons_published"] is True
    assert selectors.published_lessons(senegal_focal).get().request == ta_request


def test_every_problem_of_a_plan_is_named_by_its_input_in_the_api(api, request_at):
    ta_request = request_at(Stage.CONSULTATION)
    response = api("officer").post(
        f"/api/v1/requests/{ta_request.reference}/plans/",
        {
            "budget_amount": "100",
            "budget_currency": "ZZZ",
            "activities": [
                {"form": "training", "title": "Training"},
                {
                    "form": "workshop",
                    "title": "Workshop",
                    "starts_on": "2026-05-10",
                    "ends_on": "2026-05-01",
                },
            ],
        },
        format="json",
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert body["errors"] == {
        "budget_currency": [
            "“ZZZ” is not an ISO 4217 currency in use (for example USD, EUR, CHF)."
        ],
        "activities.1.ends_on": ["An activity cannot end before it starts."],
    }
    assert not ta_request.plans.exists()


def test_funding_at_opening_follows_the_same_rules_as_afterwards(api):
    response = api("togo_focal").post(
        "/api/v1/requests/",
        {"title": "Prisons", "funding": [{"source": "vftc", "amount": "0", "currency": "ZZZ"}]},
        format="json",
    )
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"funding.0.amount", "funding.0.currency"}
    assert not AssistanceRequest.objects.filter(title="Prisons").exists()
