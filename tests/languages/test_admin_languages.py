"""The admin in the six languages: a switcher in the header of every page, the language
chosen on the sign-in page kept when signing in, the admin's "Close" (leave the page)
told apart from the workflow's, Russian and Chinese sentences that hold a model's name
worded as those languages write them, and what people typed isolated on right-to-left
pages."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from tracker import services
from tracker.workflow import Stage

pytestmark = pytest.mark.django_db

LANGUAGES = [code for code, _name in settings.LANGUAGES]
PASSWORD = "correct horse battery staple"


def header(page: str) -> str:
    return page[page.index('id="user-tools"') : page.index('id="main"')]


def test_every_admin_page_has_the_switcher_in_its_header(client_as, request_at):
    ta_request = request_at(Stage.NEEDS_ASSESSMENT)
    officer = client_as("officer")
    for url in (
        "/admin/",
        "/admin/tracker/assistancerequest/",
        f"/admin/tracker/assistancerequest/{ta_request.pk}/change/",
        reverse("admin:tracker_assistancerequest_assessment", args=[ta_request.pk]),
        "/admin/figures/",
    ):
        page = officer.get(url).content.decode()
        assert 'class="admin-language"' in header(page), url
        assert '<option value="ru">Русский</option>' in header(page)  # in its own language


def sign_in_at_the_admin(client, username="olga"):
    return client.post("/admin/login/", {"username": username, "password": PASSWORD})


def test_the_language_chosen_on_the_sign_in_page_is_kept_and_the_account_keeps_its_own(
    client, officer
):
    assert officer.language == "en"
    client.get("/admin/login/")
    client.post("/portal/language/", {"language": "ru", "next": "/admin/login/"})
    response = sign_in_at_the_admin(client)
    assert response.status_code == 302
    assert response.cookies["django_language"].value == "ru"
    assert (
        "Выберите объект для просмотра"
        in client.get("/admin/tracker/assistancerequest/").content.decode()
    )
    officer.refresh_from_db()
    assert officer.language == "en"


def test_the_next_person_at_the_same_browser_gets_their_own_language(client, officer):
    client.post("/portal/language/", {"language": "ru", "next": "/admin/login/"})
    sign_in_at_the_admin(client)
    client.post("/admin/logout/")
    response = sign_in_at_the_admin(client)
    assert response.cookies["django_language"].value == "en"  # the account's


def test_a_language_the_service_does_not_speak_is_not_kept(client, officer):
    client.post("/portal/language/", {"language": "tlh", "next": "/admin/login/"})
    assert sign_in_at_the_admin(client).cookies["django_language"].value == "en"


@pytest.mark.parametrize("language", LANGUAGES)
def test_leaving_a_page_and_closing_a_request_read_differently(client_as, request_at, language):
    ta_request = request_at(Stage.EVALUATION)
    officer = client_as("officer")
    officer.cookies["django_language"] = language
    page = officer.get(f"/admin/tracker/assistancerequest/{ta_request.pk}/change/").content.decode()
    leave = re.search(r'class="closelink"[^>]*>([^<]+)</a>', page).group(1)
    with translation.override(language):
        close = translation.gettext("Close the request")
        django_close = translation.gettext("Close")
    assert close != django_close
    assert close in page[page.index('class="request-steps"') :]
    assert leave.strip() == django_close


@pytest.mark.parametrize(
    ("language", "title", "wrong"),
    [
        ("ru", "Выберите объект для просмотра: {name}", "Выберите {name}"),
        ("zh-hans", "选择要查看的{name}", "选择 {name}"),
    ],
)
def test_sentences_holding_a_models_name_are_worded_as_the_language_writes(
    client_as, language, title, wrong
):
    officer = client_as("officer")
    officer.cookies["django_language"] = language
    page = officer.get("/admin/tracker/assistancerequest/").content.decode()
    with translation.override(language):
        name = str(translation.gettext("assistance request"))
        assert translation.gettext("Add %(name)s") % {"name": name} in (
            f"Добавить: {name}",
            f"增加{name}",
        )
    assert title.format(name=name) in page
    assert wrong.format(name=name) not in page


def test_what_people_typed_reads_in_its_own_direction_on_arabic_pages(
    client_as, request_at, togo_focal
):
    ta_request = request_at(Stage.NEEDS_ASSESSMENT)
    services.write_message(ta_request=ta_request, by=togo_focal, text="Here is the report.")
    state = client_as("togo_focal")
    state.cookies["django_language"] = "ar"
    page = state.get(f"/portal/requests/{ta_request.reference}/").content.decode()
    assert '<html lang="ar" dir="rtl">' in page
    assert f'<h1 dir="auto">{ta_request.title}</h1>' in page
    assert '<p dir="auto">Here is the report.</p>' in page
    assert f"<bdi>{ta_request.officer}</bdi>" in page
