"""Walk every URL in the URLconf as someone who must not see a State's request: nothing
of it leaks, and nothing answers 5xx."""

from __future__ import annotations

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from tests import samples
from tracker import services, tasks
from tracker.demo.scenarios import Content
from tracker.models import Document, User
from tracker.web.observability import HEALTH_PATH
from tracker.workflow import Stage

pytestmark = pytest.mark.django_db

SECRET_TITLE = "Confidential reform of the intelligence services"
SECRET_FINDINGS = "Findings no other State may read"

PARAM = re.compile(r"<(?:(\w+):)?(\w+)>|\(\?P<(\w+)>[^)]*\)")


def walk(patterns, prefix=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from walk(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern)


def concrete(route: str, values: dict[str, str]) -> str:
    def value(match):
        name = match.group(2) or match.group(3)
        return values.get(name, "1")

    path = PARAM.sub(value, route)
    path = path.replace("^", "").replace("$", "").replace("\\Z", "").replace("\\", "")
    return "/" + path.lstrip("/")


def every_url(request) -> list[str]:
    document = Document.objects.filter(request=request).first()
    values = {
        "pk": str(document.pk if document else 1),
        "reference": request.reference,
        "object_id": str(request.pk),
        "name": "approve_plan",
        "app_label": "tracker",
        "content_type_id": "1",
        "uidb64": "MQ",
        "token": "set-password",
        "path": "x",
        "url": "x",
    }
    routes = {concrete(route, values) for route in walk(get_resolver().url_patterns)}
    # The health probe is answered by a middleware, before the URLconf.
    return sorted(routes | {HEALTH_PATH})


@pytest.fixture
def secret(request_at, officer):
    ta_request = request_at(
        Stage.CONSULTATION, content=Content(findings=SECRET_FINDINGS, plan_awaiting_decision=True)
    )
    type(ta_request).objects.filter(pk=ta_request.pk).update(title=SECRET_TITLE)
    # The conversation and a document hold the secret too.
    focal_point = User.objects.get(member_state=ta_request.requesting_state)
    services.write_message(ta_request=ta_request, by=focal_point, text=SECRET_FINDINGS)
    secret_file = samples.upload("secret.txt", SECRET_FINDINGS.encode())
    services.attach_document(
        ta_request=ta_request, by=officer, kind="assessment", upload=secret_file
    )
    # The open-data file, as the worker keeps it: the walk reads it too.
    tasks.publish_open_data()
    return ta_request


def test_the_walk_covers_the_whole_urlconf(secret):
    urls = every_url(secret)
    assert len(urls) > 60
    document = Document.objects.get(request=secret)
    admin = f"/admin/tracker/assistancerequest/{secret.pk}"
    for expected in (
        f"/portal/requests/{secret.reference}/",
        f"/api/v1/requests/{secret.reference}/history/",
        f"{admin}/change/",
        "/healthz",
        f"/portal/requests/{secret.reference}/documents/{document.pk}/",
        f"/api/v1/requests/{secret.reference}/documents/{document.pk}/",
        f"/api/v1/requests/{secret.reference}/messages/",
        f"{admin}/documents/{document.pk}/",
    ):
        assert expected in urls


@pytest.mark.parametrize("persona", ["senegal_focal", None])
def test_nothing_of_a_state_leaks_to_others(client, persona_user, persona, secret):
    if persona:
        client.force_login(persona_user(persona))
    for url in every_url(secret):
        response = client.get(url)
        assert response.status_code < 500, url
        body = b"".join(response.streaming_content) if response.streaming else response.content
        text = body.decode("utf-8", "replace")
        assert SECRET_TITLE not in text, url
        assert SECRET_FINDINGS not in text, url


def test_analysts_read_without_errors(client, analyst, secret):
    client.force_login(analyst)
    for url in every_url(secret):
        assert client.get(url).status_code < 500, url
    # The walk reached the document itself.
    document = Document.objects.get(request=secret)
    response = client.get(f"/portal/requests/{secret.reference}/documents/{document.pk}/")
    assert response.status_code == 302  # staff are sent to the admin
    response = client.get(f"/admin/tracker/assistancerequest/{secret.pk}/documents/{document.pk}/")
    assert b"".join(response.streaming_content) == SECRET_FINDINGS.encode()
