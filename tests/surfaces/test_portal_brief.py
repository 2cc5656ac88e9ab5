"""The State's brief in the portal: what is published is what the State sees on the
page, its edits included; a refused press keeps every word typed."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tracker import services
from tracker.models import Brief
from tracker.workflow import Stage

pytestmark = pytest.mark.django_db

TEXT = {
    "context": "A new code of criminal procedure.",
    "done": "Three trainings of judges.",
    "results": "Pre-trial detention halved.",
    "differently": "Train the clerks as well.",
}


def brief_url(ta_request):
    return reverse("portal:brief", args=[ta_request.reference])


def test_publishing_publishes_the_text_typed_on_the_page(client_as, request_at, officer):
    closed = request_at(Stage.CLOSED)
    services.write_brief(ta_request=closed, by=officer, context="c", done="d", results="r")
    page = client_as("togo_focal").post(brief_url(closed), {**TEXT, "publish": "1"})
    assert page.status_code == 302
    brief = Brief.objects.get(request=closed)
    assert brief.published_at is not None
    assert (brief.context, brief.differently) == (TEXT["context"], TEXT["differently"])


def test_saving_does_not_publish(client_as, request_at):
    closed = request_at(Stage.CLOSED)
    client_as("togo_focal").post(brief_url(closed), TEXT)
    brief = Brief.objects.get(request=closed)
    assert brief.published_at is None
    assert brief.differently == TEXT["differently"]


def test_a_refused_publication_keeps_what_was_typed_and_publishes_nothing(client_as, request_at):
    closed = request_at(Stage.CLOSED)
    typed = {**TEXT, "results": "", "publish": "1"}
    page = client_as("togo_focal").post(brief_url(closed), typed)
    assert page.status_code == 200
    form = page.context["brief_form"]
    assert form.errors["results"]
    shown = page.content.decode()
    assert "<title>Error: " in shown
    summary = shown.split('class="error-summary"')[1].split("</div>")[0]
    assert 'href="#id_results"' in summary
    assert form["differently"].value() == TEXT["differently"]
    assert not Brief.objects.filter(request=closed).exists()


def test_another_states_focal_point_cannot_publish_it(client_as, request_at):
    closed = request_at(Stage.CLOSED)
    page = client_as("senegal_focal").post(brief_url(closed), {**TEXT, "publish": "1"})
    assert page.status_code == 404
    assert not Brief.objects.filter(request=closed).exists()
