"""The six official languages at each door: the switcher, the sign-in, the API's errors
(by Accept-Language), the guards' refusals, the error pages, the printable export."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.utils import translation

from tracker import services, workflow
from tracker.kernel import names
from tracker.kernel.errors import InvalidInput, NotAllowed
from tracker.models import MemberState, User

pytestmark = pytest.mark.django_db

LANGUAGES = [code for code, _name in settings.LANGUAGES]
PASSWORD = "correct horse battery staple"


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_switcher_keeps_the_choice_on_the_account(client, togo_focal, language):
    client.post("/portal/login/", {"username": "afi", "password": PASSWORD})
    response = client.post("/portal/language/", {"language": language, "next": "/portal/"})
    assert response.cookies["django_language"].value == language
    togo_focal.refresh_from_db()
    assert togo_focal.language == language
    page = client.get("/portal/").content.decode()
    direction = "rtl" if language == "ar" else "ltr"
    assert f'<html lang="{language}" dir="{direction}">' in page


def test_an_unknown_language_is_refused_and_changes_nothing(client, togo_focal):
    client.post("/portal/login/", {"username": "afi", "password": PASSWORD})
    client.post("/portal/language/", {"language": "tlh", "next": "/portal/"})
    togo_focal.refresh_from_db()
    assert togo_focal.language == "en"


@pytest.mark.parametrize("language", ["es", "ar", "ru", "zh-hans"])
def test_signing_in_applies_the_accounts_language(client, togo_focal, language):
    togo_focal.language = language
    togo_focal.save(update_fields=["language"])
    response = client.post("/portal/login/", {"username": "afi", "password": PASSWORD})
    assert response.cookies["django_language"].value == language
    with translation.override(language):
        heading = translation.gettext("Open requests")
    assert heading in client.get("/portal/").content.decode()


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_apis_errors_follow_accept_language(api, language):
    refused = api().post(
        "/api/v1/auth/token/",
        {"username": "afi", "password": "guess"},
        format="json",
        HTTP_ACCEPT_LANGUAGE=language,
    )
    assert refused.status_code == 400
    anonymous = api().get("/api/v1/requests/", HTTP_ACCEPT_LANGUAGE=language)
    assert anonymous.status_code == 401
    with translation.override(language):
        wanted = translation.gettext("Authentication credentials were not provided.")
    assert anonymous.json()["detail"] == wanted
    assert anonymous["Content-Language"] == language
    if language != "en":
        assert wanted != "Authentication credentials were not provided."
        english = api().post(
            "/api/v1/auth/token/",
            {"username": "afi", "password": "guess"},
            format="json",
            HTTP_ACCEPT_LANGUAGE="en",
        )
        assert refused.json() != english.json()


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_guards_refusal_names_the_state_in_the_language(senegal_focal, togo, language):
    """Only Togo ranks Togo's requests: Senegal is told so in its own language, with
    Togo's official name in that language."""
    with translation.override(language):
        action = translation.gettext("rank its requests")
        with pytest.raises(NotAllowed) as refused:
            workflow.require_focal_point_of(senegal_focal, togo, action)
        wanted = translation.gettext("%(only_state)s can do this: %(action)s.") % {
            **names.words(togo),
            "action": action,
        }
        name = togo.name
    assert str(refused.value) == names.sentence(wanted)
    assert name in str(refused.value)
    togo_in = {
        "en": "Togo",
        "fr": "Togo",
        "es": "Togo",
        "ar": "توغو",
        "ru": "Того",
        "zh-hans": "多哥",
    }
    assert name == togo_in[language]


@pytest.mark.parametrize("language", LANGUAGES)
def test_error_pages_speak_each_language(client, language):
    client.cookies["django_language"] = language
    page = client.get("/portal/nothing-here/").content.decode()
    with translation.override(language):
        title = translation.gettext("Page not found")
    assert title in page
    assert f'dir="{"rtl" if language == "ar" else "ltr"}"' in page


def test_the_printable_briefs_read_right_to_left_in_arabic():
    from django.template.loader import render_to_string

    with translation.override("ar"):
        page = render_to_string("admin/tracker/brief/export.html", {"briefs": []})
        title = translation.gettext("Good practices shared by States")
    assert '<html lang="ar" dir="rtl">' in page
    assert title in page


def test_state_names_in_sentences_in_each_language():
    tunisia = MemberState.objects.get(pk="TUN")
    said = {}
    for language in LANGUAGES:
        with translation.override(language):
            said[language] = names.words(tunisia)
    assert said["en"]["of_state"] == "of Tunisia"
    assert said["fr"]["of_state"] == "de la Tunisie"
    # The other languages get the official short name; their messages say the rest.
    assert said["es"] == {"state": "Túnez", "of_state": "Túnez", "only_state": "Túnez"}
    assert said["ar"]["state"] == "تونس"
    assert said["ru"]["state"] == "Тунис"
    assert said["zh-hans"]["state"] == "突尼斯"


def test_an_account_cannot_be_made_in_a_language_the_service_does_not_speak():
    with pytest.raises(InvalidInput, match="Unknown language “tlh”"):
        services.create_account(
            username="kahless", role="analyst", password="x" * 12, language="tlh"
        )
    assert not User.objects.filter(username="kahless").exists()


def test_a_name_missing_in_a_language_reads_in_english(togo):
    togo.name_zh = ""
    with translation.override("zh-hans"):
        assert togo.name == "Togo"
    with translation.override("ar"):
        assert togo.name == togo.name_ar != "Togo"
