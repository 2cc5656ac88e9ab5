"""The admin in French leaves no English behind: every text a page shows that is an
English message of the catalogue must have been translated, and no raw workflow name
("complete_assessment", "needs_assessment") reaches the page."""

from __future__ import annotations

import gettext
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import translation

from tests import samples
from tests.journeys import propose
from tracker import services, workflow
from tracker.demo.scenarios import Content
from tracker.workflow import Stage

pytestmark = pytest.mark.django_db

CATALOGUE = Path(__file__).resolve().parents[2] / "tracker/locale/fr/LC_MESSAGES/django.mo"


def english_messages() -> set[str]:
    """The catalogue's English messages that French says differently."""
    with CATALOGUE.open("rb") as f:
        catalogue = gettext.GNUTranslations(f)._catalog  # type: ignore[attr-defined]
    return {
        msgid
        for msgid, msgstr in catalogue.items()
        if isinstance(msgid, str)
        and msgid
        and "%" not in msgid
        and msgstr != msgid
        and any(c.isalpha() for c in msgid)
        and len(msgid) > 3
    }


RAW_NAMES = set(workflow.TRANSITION_NAMES) | {s.value for s in Stage if "_" in s.value}


class Texts(HTMLParser):
    """The texts a reader sees: element contents, not scripts, styles or attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.texts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._skip -= 1

    def handle_data(self, data):
        text = " ".join(data.split()).rstrip(" :")
        if text and not self._skip:
            self.texts.append(text)


def english_left(html: str, english: set[str]) -> list[str]:
    parser = Texts()
    parser.feed(html)
    return sorted({t for t in parser.texts if t in english or t in RAW_NAMES})


@pytest.fixture
def pages(request_at, officer):
    """Every admin page an officer works in, with requests at each kind of stage."""
    closed = request_at(Stage.CLOSED, content=Content(lessons="Start with the NHRI."))
    consultation = request_at(Stage.CONSULTATION)
    propose(consultation, officer)
    services.write_message(
        ta_request=consultation,
        by=officer,
        text="x",
        internal=True,
        attachments=[samples.upload("a.pdf", samples.pdf())],
    )
    services.attach_document(
        ta_request=consultation,
        by=officer,
        kind="plan",
        upload=samples.upload("b.pdf", samples.pdf()),
    )
    assessing = request_at(Stage.NEEDS_ASSESSMENT)
    implementing = request_at(Stage.IMPLEMENTATION)
    urls = [
        "/admin/",
        "/admin/tracker/assistancerequest/?assigned=all",
        "/admin/tracker/assistancerequest/add/",
        "/admin/tracker/",
        "/admin/tracker/memberstate/",
        "/admin/tracker/memberstate/TGO/change/",
        "/admin/tracker/domain/",
        "/admin/tracker/provider/",
        "/admin/tracker/notification/",
        "/admin/tracker/brief/",
    ]
    for ta_request in (closed, consultation, assessing, implementing):
        urls.append(reverse("admin:tracker_assistancerequest_change", args=[ta_request.pk]))
    steps = {
        assessing: ["assessment", "funding", "recommendations", "message", "document"],
        consultation: ["plan"],
        implementing: ["delivery"],
    }
    for ta_request, actions in steps.items():
        urls += [
            reverse(f"admin:tracker_assistancerequest_{a}", args=[ta_request.pk]) for a in actions
        ]
    for name in ("approve_plan", "reject_plan", "withdraw"):
        urls.append(
            reverse("admin:tracker_assistancerequest_transition", args=[consultation.pk, name])
        )
    return urls


def test_no_english_is_left_in_the_french_admin(client_as, officer, pages):
    officer.language = "fr"
    officer.save()
    client = client_as(officer)
    english = english_messages()
    assert "Propose plan version" in english  # the check itself sees English
    left = {}
    for url in pages:
        response = client.get(url, HTTP_ACCEPT_LANGUAGE="fr")
        assert response.status_code == 200, url
        assert 'lang="fr"' in response.content.decode(), url
        found = english_left(response.content.decode(), english)
        if found:
            left[url] = found
    assert left == {}


def test_the_check_finds_english_on_an_english_page(client_as, officer, pages):
    client = client_as(officer)
    with translation.override("en"):
        html = client.get(pages[-3]).content.decode()
    assert english_left(html, english_messages())
