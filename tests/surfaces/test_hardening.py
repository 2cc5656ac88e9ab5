"""What hostile input, careless clients and a real deployment found, each reproduced:
a 4xx with a reason a person understands, never a 500."""

from __future__ import annotations

import csv
import io

import pytest
from django.db import IntegrityError, InternalError, OperationalError, connection, transaction

from tests import samples
from tests.factories import open_request
from tests.journeys import propose
from tracker import services
from tracker.api.parsers import MAX_DEPTH
from tracker.interop import exports
from tracker.models import Consent, Document, HistoryEntry, Message, Plan
from tracker.workflow import Stage

pytestmark = pytest.mark.django_db

FORMULA = '=HYPERLINK("http://evil.example","click")'


# --- deeply nested JSON --------------------------------------------------------------


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 5000])
@pytest.mark.parametrize("persona", [None, "officer"])
def test_deeply_nested_json_is_a_400_on_every_body(api, persona, depth):
    # The token endpoint takes anyone; opening a request takes a signed-in caller.
    path = "/api/v1/auth/token/" if persona is None else "/api/v1/requests/"
    response = api(persona).post(path, nested(depth), content_type="application/json")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "parse_error"
    assert f"nested more than {MAX_DEPTH} levels" in body["detail"]


def test_json_at_the_depth_limit_is_read(api):
    body = '{"username": "nobody", "password": "x", "otp_token": ' + nested(MAX_DEPTH - 1) + "}"
    response = api().post("/api/v1/auth/token/", body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] != "parse_error"  # read, then refused for what it says


# --- NUL bytes in the admin's and the portal's parameters ---------------------------


@pytest.fixture
def officer_client(client, officer):
    client.force_login(officer)
    return client


@pytest.mark.parametrize(
    "query",
    [
        "stage__exact=%00",
        "overdue=%00",
        "requesting_state__region__exact=%00",
        "officer__id__exact=%00",
        "domains__code__exact=%00",
        "funding__source__exact=%00",
        "requesting_state__code__exact=%00",
        "q=%00",
        "o=%00",
        "p=%00",
        "all=%00",
    ],
)
def test_a_nul_byte_in_any_admin_list_parameter_is_a_400(officer_client, query):
    response = officer_client.get(f"/admin/tracker/assistancerequest/?{query}")
    assert response.status_code == 400
    assert "NUL" in response.content.decode()


def test_a_nul_byte_in_a_form_is_a_400_and_nothing_is_saved(client, togo_focal):
    client.force_login(togo_focal)
    response = client.post("/portal/requests/new/", {"title": "Prisons\x00"})
    assert response.status_code == 400
    assert not togo_focal.member_state.requests.exists()


def test_a_nul_byte_in_the_api_query_stays_the_apis_json_400(api):
    response = api("analyst").get("/api/v1/requests/?search=%00")
    assert response.status_code == 400
    assert response.json()["code"]


# --- spreadsheet formulas in CSV exports -----------------------------------------------


def cells(content: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.lstrip("\ufeff"))))


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_cells_that_a_spreadsheet_would_run_are_neutralised(start):
    response = exports.csv_response("x.csv", ["title", "n"], [[f"{start}1+1", -3]])
    rows = cells(b"".join(response.streaming_content).decode())
    assert rows[1] == [f"'{start}1+1", "-3"]  # text defused; numbers stay numbers


def test_the_api_list_csv_neutralises_a_formula_title(api, togo_focal):
    open_request(togo_focal, title=FORMULA)
    response = api("analyst").get("/api/v1/requests/?format=csv")
    rows = cells(b"".join(response.streaming_content).decode())
    assert rows[1][rows[0].index("title")] == "'" + FORMULA


def test_the_admin_csv_neutralises_a_formula_title(officer_client, togo_focal):
    opened = open_request(togo_focal, title=FORMULA)
    response = officer_client.post(
        "/admin/tracker/assistancerequest/?assigned=all",
        {"action": "export_csv", "_selected_action": [opened.pk]},
    )
    rows = cells(b"".join(response.streaming_content).decode())
    assert rows[1][rows[0].index("title")] == "'" + FORMULA


def test_the_summary_csv_goes_through_the_same_writer(api, togo_focal):
    open_request(togo_focal, title=FORMULA)
    response = api("analyst").get("/api/v1/reports/summary/?format=csv")
    assert response["Content-Type"].startswith("text/csv")
    content = b"".join(response.streaming_content).decode()
    assert all(not cell.startswith(("=", "+", "@")) for row in cells(content) for cell in row)


# --- CSV only where it is built ----------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    ["", "history/", "plans/", "evaluation/"],
)
def test_csv_is_refused_where_there_is_none(api, request_at, path):
    closed = request_at(Stage.CLOSED)
    response = api("analyst").get(f"/api/v1/requests/{closed.reference}/{path}?format=csv")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


@pytest.mark.parametrize("path", ["/api/v1/requests/", "/api/v1/reports/summary/"])
def test_csv_is_given_where_it_is_built(api, path):
    response = api("analyst").get(f"{path}?format=csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")


# --- the browsable API ----------------------------------------------------------------------


@pytest.mark.parametrize("path", ["", "history/", "plans/", "evaluation/"])
def test_html_is_not_offered_by_the_api(api, request_at, path):
    closed = request_at(Stage.CLOSED)
    response = api("analyst").get(
        f"/api/v1/requests/{closed.reference}/{path}", HTTP_ACCEPT="text/html"
    )
    assert response.status_code == 406
    assert response.json()["code"] == "not_acceptable"


def test_a_browser_gets_json_from_the_api(api):
    response = api("analyst").get(
        "/api/v1/requests/", HTTP_ACCEPT="text/html,application/xhtml+xml,*/*;q=0.8"
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"


# --- every error under /api/v1/ is JSON -------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/requests/foo/history/",
        "/api/v1/nothing/",
        "/api/v1/requests/TA-1/",
        "/api/v1/requests/TA-2026-0001/transitions/UPPER/",
    ],
)
def test_an_unknown_address_under_the_api_is_a_json_404(api, path):
    response = api("analyst").get(path)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert set(response.json()) == {"detail", "code"}


# --- the role is checked first -----------------------------------------------------------------

MALFORMED = "{not json"


@pytest.mark.parametrize(
    ("method", "path", "stage"),
    [
        ("post", "/api/v1/requests/", None),
        ("post", "transitions/accept/", Stage.REQUESTED),
        ("post", "transitions/withdraw/", Stage.REQUESTED),
        ("put", "priority/", Stage.REQUESTED),
        ("put", "assessment/", Stage.NEEDS_ASSESSMENT),
        ("post", "plans/", Stage.CONSULTATION),
        ("post", "activities/", Stage.IMPLEMENTATION),
        ("patch", "activities/", Stage.IMPLEMENTATION),
        ("put", "evaluation/", Stage.EVALUATION),
    ],
)
def test_a_role_that_may_never_write_gets_403_before_its_body_is_read(
    api, request_at, method, path, stage
):
    if stage is not None:
        path = f"/api/v1/requests/{request_at(stage).reference}/{path}"
    response = getattr(api("analyst"), method)(path, MALFORMED, content_type="application/json")
    assert response.status_code == 403


@pytest.mark.parametrize(
    ("persona", "path", "stage"),
    [
        ("togo_focal", "assessment/", Stage.NEEDS_ASSESSMENT),
        ("togo_focal", "plans/", Stage.CONSULTATION),
        ("togo_focal", "transitions/accept/", Stage.REQUESTED),
        ("officer", "priority/", Stage.REQUESTED),
    ],
)
def test_a_role_that_may_not_take_this_step_gets_403_before_its_body_is_read(
    api, request_at, persona, path, stage
):
    url = f"/api/v1/requests/{request_at(stage).reference}/{path}"
    method = "put" if path in ("assessment/", "priority/") else "post"
    response = getattr(api(persona), method)(url, MALFORMED, content_type="application/json")
    assert response.status_code == 403


def test_the_right_role_with_a_malformed_body_gets_400(api, request_at):
    url = f"/api/v1/requests/{request_at(Stage.NEEDS_ASSESSMENT).reference}/assessment/"
    response = api("officer").put(url, MALFORMED, content_type="application/json")
    assert response.status_code == 400


def test_the_stage_is_checked_before_the_body(api, request_at):
    url = f"/api/v1/requests/{request_at(Stage.CLOSED).reference}/transitions/accept/"
    response = api("officer").post(url, MALFORMED, content_type="application/json")
    assert response.status_code == 409


# --- append-only in the database too --------------------------------------------------------


@pytest.fixture
def recorded(request_at, officer, togo_focal):
    ta_request = request_at(Stage.CONSULTATION)
    propose(ta_request, officer)
    services.take_transition(
        ta_request=ta_request, name="reject_plan", by=togo_focal, reason="Too costly"
    )
    services.write_message(
        ta_request=ta_request,
        by=togo_focal,
        text="Too costly indeed",
        attachments=[samples.upload("why.txt", b"Costs")],
    )
    return ta_request


REFUSED = (IntegrityError, InternalError, OperationalError)


@pytest.fixture
def postgres_only(db):
    if connection.vendor != "postgresql":
        pytest.skip("the database's own guard is PostgreSQL's (triggers); CI runs it there")


@pytest.mark.parametrize(
    ("model", "change"),
    [
        (HistoryEntry, "comment = 'rewritten'"),
        (Consent, "comment = 'rewritten'"),
        (Plan, "summary = 'rewritten'"),
        (Message, "text = 'rewritten'"),
        (Document, "name = 'rewritten.txt'"),
    ],
)
def test_raw_sql_cannot_rewrite_or_delete_what_happened(postgres_only, recorded, model, change):
    table = model._meta.db_table
    statements = (f"UPDATE {table} SET {change}", f"DELETE FROM {table}")  # noqa: S608
    for statement in statements:
        with (
            pytest.raises(REFUSED, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(statement)
    assert model.objects.exists()


def test_new_rows_are_still_written(recorded, togo_focal, officer):
    propose(recorded, officer)
    services.take_transition(ta_request=recorded, name="approve_plan", by=togo_focal)
    assert Consent.objects.filter(request=recorded, decision="approved").count() == 1


# --- errors on a CSV request are JSON; formats are checked ---------------------------------------


def test_an_error_on_a_csv_request_is_json(api):
    response = api("analyst").get("/api/v1/requests/?format=csv&stage=nowhere")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json()["errors"]["stage"]


@pytest.mark.parametrize("path", ["/api/v1/requests/", "/api/v1/reports/summary/"])
@pytest.mark.parametrize("value", ["", "xml"])
def test_an_unknown_format_is_refused_in_json(api, path, value):
    response = api("analyst").get(f"{path}?format={value}")
    assert response.status_code in (400, 404)
    assert response["Content-Type"] == "application/json"


@pytest.mark.parametrize("query", ["page=0", "page=%C2%B2", "page_size=101", "page=true"])
def test_pagination_is_checked_even_for_csv(api, query):
    response = api("analyst").get(f"/api/v1/requests/?format=csv&{query}")
    assert response.status_code == 400


def test_form_bodies_are_refused_the_api_takes_json(api):
    response = api("officer").post("/api/v1/requests/", {"title": "Help"})  # multipart
    assert response.status_code == 415
    assert response.json()["code"] == "unsupported_media_type"


def test_a_length_limit_holds_for_the_text_as_sent(api):
    # Found by the fuzzer: surrounding spaces were trimmed before the length was checked.
    too_long = {"title": "\n" + "x" * 200}
    assert api("togo_focal").post("/api/v1/requests/", too_long, format="json").status_code == 400
    kept = api("togo_focal").post("/api/v1/requests/", {"title": "  Prisons  "}, format="json")
    assert kept.status_code == 201
    assert kept.json()["title"] == "Prisons"  # the service trims what it keeps
