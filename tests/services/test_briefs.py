"""Good-practice briefs (A/HRC/43/31 para 114): the State writes or approves its brief,
publishes it by its own choice and may take it back; published briefs are found by
words, domain, region and year, and exported for the Council."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.conftest import messages_of
from tracker import services
from tracker.kernel import clock
from tracker.kernel.errors import Conflict, InvalidInput, NotAllowed, Refused
from tracker.models import Brief
from tracker.workflow import Stage

pytestmark = pytest.mark.django_db

PARTS = {
    "context": "Overcrowded prisons.",
    "done": "Judges trained on alternatives.",
    "results": "Pre-trial detention fell by a third.",
    "differently": "Involve the bar association earlier.",
}


@pytest.fixture
def closed(request_at):
    return request_at(Stage.CLOSED)


@pytest.fixture
def published(closed, togo_focal):
    services.write_brief(ta_request=closed, by=togo_focal, **PARTS)
    services.publish_brief(ta_request=closed, by=togo_focal, publish=True)
    return closed


def practices(client, user, query=""):
    client.force_login(user)
    return client.get(f"/portal/good-practices/{query}").content.decode()


def test_a_missing_part_is_named(closed, togo_focal):
    with pytest.raises(InvalidInput) as refused:
        services.write_brief(ta_request=closed, by=togo_focal, context="x", done="", results="")
    assert refused.value.fields == {
        "done": "Write this part of the brief.",
        "results": "Write this part of the brief.",
    }


def test_only_the_state_publishes_and_only_closed_requests_have_briefs(
    closed, request_at, officer, senegal_focal, togo_focal
):
    services.write_brief(ta_request=closed, by=officer, **PARTS)  # a draft for the State
    with pytest.raises(NotAllowed):
        services.publish_brief(ta_request=closed, by=officer, publish=True)
    with pytest.raises(NotAllowed):
        services.write_brief(ta_request=closed, by=senegal_focal, **PARTS)
    with pytest.raises(Refused):
        services.write_brief(ta_request=request_at(Stage.IMPLEMENTATION), by=togo_focal, **PARTS)


def test_other_states_read_a_published_brief_and_find_it(client, published, senegal_focal):
    page = practices(client, senegal_focal)
    assert "Judges trained on alternatives." in page
    assert "Involve the bar association earlier." in page
    assert "Officials trained: 0 → 35" in page  # the evaluation's indicator
    year = published.stage_entered_at.year
    for query in ("?q=pre-trial", "?region=AFRICA", f"?year={year}"):
        assert "Judges trained on alternatives." in practices(client, senegal_focal, query)
    for query in ("?q=elections", "?region=ASIA_PACIFIC", f"?year={year - 1}"):
        assert "Judges trained on alternatives." not in practices(client, senegal_focal, query)


def test_a_brief_is_found_by_its_states_name_and_its_indicators(
    client, published, api, senegal_focal
):
    found = "Judges trained on alternatives."
    for query in ("?q=togo", "?q=officials+trained"):
        assert found in practices(client, senegal_focal, query), query
        assert api("analyst").get(f"/api/v1/briefs/{query}").json()["count"] == 1, query
    # The State's name in the reader's language, and in English whatever the language.
    arabic = api("analyst")
    for query, count in (("توغو", 1), ("Togo", 1)):
        response = arabic.get("/api/v1/briefs/", {"q": query}, HTTP_ACCEPT_LANGUAGE="ar")
        assert response.json()["count"] == count, query
    assert api("analyst").get("/api/v1/briefs/", {"q": "توغو"}).json()["count"] == 0
    for query in ("?q=senegal", "?q=prosecutors"):
        assert found not in practices(client, senegal_focal, query), query


def test_an_unpublished_brief_disappears_from_every_surface(
    client, published, togo_focal, senegal_focal, client_as, api
):
    client.force_login(togo_focal)
    client.post(f"/portal/requests/{published.reference}/brief/publish/", {"publish": "0"})
    assert "Judges trained" not in practices(client, senegal_focal)
    assert api("analyst").get("/api/v1/briefs/").json()["results"] == []
    admin = client_as("officer")
    brief = published.brief
    for action in ("export_html", "export_csv"):
        chosen = {"action": action, "_selected_action": [brief.pk]}
        response = admin.post("/admin/tracker/brief/", chosen)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        assert b"Judges trained" not in body, action


def test_the_secretariat_exports_published_briefs_for_the_council(client_as, published):
    admin = client_as("analyst")
    pk = published.brief.pk
    chosen = {"action": "export_html", "_selected_action": [pk]}
    page = admin.post("/admin/tracker/brief/", chosen).content.decode()
    assert "Good practices shared by States" in page
    assert "Pre-trial detention fell by a third." in page
    response = admin.post(
        "/admin/tracker/brief/", {"action": "export_csv", "_selected_action": [pk]}
    )
    csv = b"".join(response.streaming_content).decode("utf-8-sig")
    assert csv.splitlines()[0].startswith("reference,state,region,year_closed")
    assert published.reference in csv


def test_an_officers_correction_goes_back_to_the_state_for_approval(published, officer):
    services.write_brief(ta_request=published, by=officer, **{**PARTS, "results": "Fell."})
    published.brief.refresh_from_db()
    assert published.brief.published_at is None


def test_the_state_writes_its_brief_in_the_portal(client, closed, togo_focal):
    client.force_login(togo_focal)
    url = f"/portal/requests/{closed.reference}/brief/"
    response = client.post(url, {**PARTS, "results": ""})
    assert response.status_code == 200
    assert response.context["brief_form"].errors == {"results": ["Write this part of the brief."]}
    response = client.post(url, PARTS)
    assert response.status_code == 302
    assert closed.brief.results == PARTS["results"]


def test_a_brief_is_written_before_it_is_published(closed, togo_focal):
    with pytest.raises(Refused, match="Write the brief before publishing it"):
        services.publish_brief(ta_request=closed, by=togo_focal, publish=True)


def test_analysts_neither_write_nor_publish_briefs(closed, analyst, togo_focal):
    with pytest.raises(NotAllowed):
        services.write_brief(ta_request=closed, by=analyst, **PARTS)
    services.write_brief(ta_request=closed, by=togo_focal, **PARTS)
    with pytest.raises(NotAllowed):
        services.publish_brief(ta_request=closed, by=analyst, publish=True)


def test_the_api_lists_published_briefs_with_their_indicators(api, published):
    body = api("analyst").get("/api/v1/briefs/").json()
    (brief,) = body["results"]
    assert (brief["reference"], brief["state"], brief["region"], brief["done"]) == (
        published.reference,
        "TGO",
        "AFRICA",
        "Judges trained on alternatives.",
    )
    assert [(i["name"], i["measured"]) for i in brief["indicators"]] == [
        ("Officials trained", "35.00")
    ]
    year = published.stage_entered_at.year
    for query, found in (
        (f"?q=pre-trial&year={year}", 1),
        ("?region=ASIA_PACIFIC", 0),
        (f"?year={year - 1}", 0),
        ("?domain=elections", 0),
    ):
        assert api("senegal_focal").get(f"/api/v1/briefs/{query}").json()["count"] == found, query


def test_the_briefs_api_refuses_what_it_does_not_know(api, published):
    for query, problem in (
        ("?colour=red", "Unknown query parameter"),
        ("?domain=cooking", "domain"),
        ("?year=20x6", "year"),
    ):
        response = api("analyst").get(f"/api/v1/briefs/{query}")
        assert response.status_code == 400, query
        assert problem in response.content.decode(), query
    assert api().get("/api/v1/briefs/").status_code == 401


# --- the secretariat's draft, in the admin ---------------------------------------------------

DRAFT = "The secretariat drafted this brief for your State: it awaits your approval."


def draft_url(ta_request):
    return reverse("admin:tracker_assistancerequest_brief", args=[ta_request.pk])


def test_an_officer_drafts_the_brief_in_the_admin_from_the_current_one(
    client_as, published, officer
):
    admin = client_as("officer")
    page = admin.get(f"/admin/tracker/assistancerequest/{published.pk}/change/")
    (step,) = [
        s for s in page.context["request_actions"] if s["label"] == "Draft the good-practice brief"
    ]
    assert step["url"] == draft_url(published)
    form = admin.get(draft_url(published)).context["forms"][0]
    assert form.initial == PARTS  # the current brief, to correct
    assert form.fields["differently"].label == "What the State would do differently"
    response = admin.post(draft_url(published), {**PARTS, "results": ""})
    assert response.status_code == 200
    assert response.context["forms"][0].errors == {"results": ["Write this part of the brief."]}
    response = admin.post(draft_url(published), {**PARTS, "results": "Fell by half."})
    assert response.status_code == 302
    assert any("unpublished until the State approves it" in m for m in messages_of(response))
    brief = Brief.objects.get(request=published)
    assert (brief.results, brief.written_by, brief.published_at) == ("Fell by half.", officer, None)


def test_analysts_cannot_draft_a_brief_in_the_admin(client_as, closed):
    analyst = client_as("analyst")
    page = analyst.get(f"/admin/tracker/assistancerequest/{closed.pk}/change/")
    assert page.context["request_actions"] == []
    for method in ("get", "post"):
        response = getattr(analyst, method)(draft_url(closed), PARTS)
        assert response.status_code == 302
        assert any("Only secretariat officers" in m for m in messages_of(response))
    assert not Brief.objects.filter(request=closed).exists()


def test_a_brief_is_drafted_only_on_a_closed_request(client_as, request_at):
    ta_request = request_at(Stage.EVALUATION)
    admin = client_as("officer")
    page = admin.get(f"/admin/tracker/assistancerequest/{ta_request.pk}/change/")
    assert "Draft the good-practice brief" not in [
        s["label"] for s in page.context["request_actions"]
    ]
    response = admin.post(draft_url(ta_request), PARTS)
    assert response.status_code == 200
    assert any("only at the stage Closed" in m for m in messages_of(response))
    assert not Brief.objects.filter(request=ta_request).exists()


def test_the_state_is_told_the_secretariat_drafted_its_brief(client, closed, officer, togo_focal):
    client.force_login(togo_focal)
    url = f"/portal/requests/{closed.reference}/"
    services.write_brief(ta_request=closed, by=officer, **PARTS)
    assert DRAFT in client.get(url).content.decode()
    # Publishing it approves it; the State's own brief is no draft of the secretariat.
    services.publish_brief(ta_request=closed, by=togo_focal, publish=True)
    assert DRAFT not in client.get(url).content.decode()
    services.publish_brief(ta_request=closed, by=togo_focal, publish=False)
    assert DRAFT in client.get(url).content.decode()
    services.write_brief(ta_request=closed, by=togo_focal, **PARTS)
    assert DRAFT not in client.get(url).content.decode()


def test_the_state_publishes_the_text_it_read_not_one_changed_since(
    client, closed, togo_focal, officer
):
    services.write_brief(ta_request=closed, by=officer, **PARTS)
    client.force_login(togo_focal)
    page = client.get(f"/portal/requests/{closed.reference}/").content.decode()
    read = page.split('name="version" value="')[1].split('"')[0]
    with clock.at(timezone.now() + timedelta(minutes=5)):  # corrected while the State reads
        services.write_brief(ta_request=closed, by=officer, **{**PARTS, "results": "Fell."})
    url = f"/portal/requests/{closed.reference}/brief/"
    typed = {**PARTS, "differently": "Start earlier."}
    response = client.post(url, {**typed, "publish": "1", "version": read})
    assert "The brief changed since you read it" in response.content.decode()
    assert response.context["brief_form"]["differently"].value() == "Start earlier."  # kept
    closed.brief.refresh_from_db()
    assert closed.brief.published_at is None
    assert closed.brief.results == "Fell."  # the correction is not overwritten unread
    with pytest.raises(Conflict):
        services.publish_brief(ta_request=closed, by=togo_focal, publish=True, version=read)
    services.publish_brief(
        ta_request=closed, by=togo_focal, publish=True, version=closed.brief.version
    )
    closed.brief.refresh_from_db()
    assert closed.brief.published_at is not None
