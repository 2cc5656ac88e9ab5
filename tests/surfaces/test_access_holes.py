"""The access holes a hostile tester found against a production-mode instance, each
closed: every test here failed on the code before its fix."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


# --- throttles count the address the proxies vouch for ------------------------------------


def guesses(client, forwarded_for: list[str]) -> list[int]:
    return [
        client.post(
            "/api/v1/auth/token/",
            {"username": "afi", "password": "guess"},
            format="json",
            HTTP_X_FORWARDED_FOR=header,
        ).status_code
        for header in forwarded_for
    ]


def test_a_new_forwarded_for_header_does_not_reset_the_anonymous_limit(api, settings, togo_focal):
    """No proxy in front (PROXY_COUNT=0): the header is the client's own words."""
    settings.API_THROTTLE_RATES = {"anon": "2/minute", "user": "100/minute"}
    assert guesses(api(), ["1.1.1.1", "2.2.2.2", "3.3.3.3"]) == [400, 400, 429]


def test_behind_one_proxy_the_address_it_appended_is_counted(api, settings, togo_focal):
    settings.API_THROTTLE_RATES = {"anon": "2/minute", "user": "100/minute"}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    # The client writes what it likes on the left; the proxy appends what it saw.
    spoofed = ["1.1.1.1, 203.0.113.7", "2.2.2.2, 203.0.113.7", "3.3.3.3, 203.0.113.7"]
    assert guesses(api(), spoofed) == [400, 400, 429]
    assert guesses(api(), ["1.1.1.1, 198.51.100.9"]) == [400]  # another client


# --- the demo never reaches a production database -----------------------------------------


def test_load_demo_refuses_to_run_in_production(settings):
    from django.core.management import CommandError, call_command

    from tracker.models import User

    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="does not run with DJANGO_ENV=production"):
        call_command("load_demo")
    assert not User.objects.filter(username="olga").exists()


# --- a username of any length is an ordinary failed sign-in -------------------------------

LONG = "a" * 300


@pytest.mark.parametrize("door", ["/admin/login/", "/portal/login/"])
def test_a_very_long_username_is_refused_at_the_sign_in_pages(client, door):
    response = client.post(door, {"username": LONG, "password": "whatever"})
    assert response.status_code == 200
    assert response.context["form"].errors


def test_a_very_long_username_is_refused_by_the_token_endpoint(api):
    response = api().post(
        "/api/v1/auth/token/", {"username": LONG, "password": "whatever"}, format="json"
    )
    assert response.status_code == 400


def test_a_very_long_username_asks_for_a_reset_like_any_other(client):
    response = client.post("/portal/password/reset/", {"email": f"{LONG}@example.org"})
    assert response.status_code in (200, 302)


# --- private answers are never cached -----------------------------------------------------


def test_private_pages_and_answers_are_not_kept_by_any_cache(client_as, api, request_at):
    ta_request = request_at("needs_assessment")
    portal = client_as("togo_focal")
    for url in ("/portal/", f"/portal/requests/{ta_request.reference}/", "/portal/figures/"):
        assert portal.get(url)["Cache-Control"] == "private, no-store", url
    answer = api("togo_focal").get(f"/api/v1/requests/{ta_request.reference}/")
    assert answer["Cache-Control"] == "private, no-store"
    assert "Authorization" in answer["Vary"]


# --- a token lives no longer than the password, the account or its lifetime --------------

PASSWORD = "correct horse battery staple"


def token_of(api, username: str = "afi", password: str = PASSWORD) -> str:
    response = api().post(
        "/api/v1/auth/token/", {"username": username, "password": password}, format="json"
    )
    assert response.status_code == 200, response.content
    return response.json()["token"]


def answers(api, token: str) -> int:
    client = api()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client.get("/api/v1/requests/").status_code


def test_changing_the_password_in_the_portal_ends_the_token(api, client, togo_focal):
    before = token_of(api)
    client.post("/portal/login/", {"username": "afi", "password": PASSWORD})
    changed = client.post(
        "/portal/password/",
        {
            "old_password": PASSWORD,
            "new_password1": "another long passphrase 42",
            "new_password2": "another long passphrase 42",
        },
    )
    assert changed.status_code == 302
    assert answers(api, before) == 401
    after = token_of(api, password="another long passphrase 42")
    assert after != before
    assert answers(api, after) == 200


def test_a_password_reset_ends_the_token(api, togo_focal):
    before = token_of(api)
    togo_focal.set_password("reset through the e-mailed link 7")
    togo_focal.save()
    assert answers(api, before) == 401


def test_deactivating_an_account_ends_its_token_and_its_session(api, client, togo_focal):
    before = token_of(api)
    client.post("/portal/login/", {"username": "afi", "password": PASSWORD})
    assert client.get("/portal/").status_code == 200
    togo_focal.is_active = False
    togo_focal.save()
    assert answers(api, before) == 401
    assert client.get("/portal/").status_code == 302  # to the sign-in page


def test_a_token_older_than_its_lifetime_is_refused_and_a_new_one_given(api, settings, togo_focal):
    from datetime import timedelta

    from django.utils import timezone
    from rest_framework.authtoken.models import Token

    settings.API_TOKEN_DAYS = 30
    old = token_of(api)
    Token.objects.filter(key=old).update(created=timezone.now() - timedelta(days=31))
    client = api()
    client.credentials(HTTP_AUTHORIZATION=f"Token {old}")
    refused = client.get("/api/v1/requests/")
    assert refused.status_code == 401
    assert "expired" in refused.json()["detail"]
    fresh = token_of(api)
    assert fresh != old
    assert answers(api, fresh) == 200


def test_a_token_within_its_lifetime_is_handed_out_again(api, settings, togo_focal):
    settings.API_TOKEN_DAYS = 30
    assert token_of(api) == token_of(api)


# --- password resets are limited, and say nothing about it ---------------------------------


def ask_reset(client, email: str, address: str = "192.0.2.1"):
    return client.post("/portal/password/reset/", {"email": email}, REMOTE_ADDR=address)


def test_resets_for_one_address_are_limited_with_the_same_answer(client, togo_focal, mailoutbox):
    togo_focal.email = "afi@example.org"
    togo_focal.save()
    answers = [ask_reset(client, "afi@example.org", f"192.0.2.{n}") for n in range(6)]
    assert {(a.status_code, a["Location"]) for a in answers} == {
        (302, "/portal/password/reset/sent/")
    }
    assert len(mailoutbox) == 3  # PASSWORD_RESET_LIMITS["per_address"]


def test_resets_from_one_client_are_limited(client, settings, mailoutbox):
    from tests.factories import FocalPointFactory

    settings.PASSWORD_RESET_LIMITS = {"per_address": 3, "per_client": 2}
    for n in range(4):
        FocalPointFactory(username=f"fp{n}", email=f"fp{n}@example.org")
    answers = [ask_reset(client, f"fp{n}@example.org").status_code for n in range(4)]
    assert answers == [302, 302, 302, 302]
    assert len(mailoutbox) == 2


# --- an archive is refused before it is inflated, when it would inflate too far -----------


def word_file(inflated: int, *, fill: bytes = b"\x00") -> bytes:
    """A Word file whose document inflates to ``inflated`` bytes of ``fill``."""
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("word/document.xml", "w", force_zip64=True) as member:
            chunk = (fill * (1024 * 1024 // len(fill) + 1))[: 1024 * 1024]
            for _ in range(max(1, inflated // len(chunk))):
                member.write(chunk)
    return buffer.getvalue()


def attach(officer, ta_request, content: bytes):
    from tests import samples
    from tracker import services

    return services.attach_document(
        ta_request=ta_request,
        by=officer,
        upload=samples.upload("report.docx", content),
        kind="other",
    )


def test_a_zip_bomb_in_a_word_file_is_refused_unopened(request_at, officer, monkeypatch):
    from tracker.documents import files
    from tracker.kernel.errors import InvalidInput

    ta_request = request_at("needs_assessment")
    bomb = word_file(64 * 1024 * 1024)  # 64 MB of zeros in about 64 KB: a ratio of ~1000
    assert len(bomb) < 100 * 1024
    inflated = []
    monkeypatch.setattr(
        files.zipfile.ZipFile, "testzip", lambda self: inflated.append(1) or None, raising=True
    )
    with pytest.raises(InvalidInput, match="would unpack to far more"):
        attach(officer, ta_request, bomb)
    assert inflated == []  # never inflated


def test_an_archive_over_the_inflated_cap_is_refused_whatever_its_ratio(
    request_at, officer, monkeypatch
):
    import os

    from tracker.documents import files
    from tracker.kernel.errors import InvalidInput

    monkeypatch.setattr(files, "ARCHIVE_INFLATED_LIMIT", 2 * 1024 * 1024)
    # Random letters barely compress: the ratio is low, the size over the cap.
    letters = os.urandom(1024 * 1024).hex().encode()
    with pytest.raises(InvalidInput, match="would unpack"):
        attach(officer, request_at("needs_assessment"), word_file(3 * 1024 * 1024, fill=letters))


def test_a_word_file_of_ordinary_text_is_accepted(request_at, officer):
    """Words in paragraphs, as a report has them, inflate some ten times."""
    import random

    words = ["every", "child", "has", "a", "nationality", "at", "birth", "the", "State"]
    rng = random.Random(7)
    text = " ".join(rng.choice(words) for _ in range(200_000)).encode()
    paragraphs = b"".join(
        b"<w:p>" + text[i : i + 400] + b"</w:p>" for i in range(0, len(text), 400)
    )
    document = attach(
        officer, request_at("needs_assessment"), word_file(len(paragraphs), fill=paragraphs)
    )
    assert document.size > 0


# --- a Content-Security-Policy on every page ------------------------------------------------


def test_every_html_page_has_a_content_security_policy(client, client_as):
    pages = {"/portal/login/": client, "/admin/login/": client, "/api/docs/": client}
    for url, who in pages.items():
        policy = who.get(url)["Content-Security-Policy"]
        assert "default-src 'self'" in policy, url
        assert "script-src 'self'" in policy  # a nonce only where the page uses one
        assert "frame-ancestors 'none'" in policy
    officer = client_as("officer")
    page = officer.get("/admin/tracker/assistancerequest/")
    nonce = page["Content-Security-Policy"].split("'nonce-")[1].split("'")[0]
    assert f'<style nonce="{nonce}">' in page.content.decode()  # the page's own style
