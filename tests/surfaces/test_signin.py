"""Every door × every persona, over HTTP, as a person or a program signs in: with a
username, a password and (for staff with a device) a code. Nothing here uses
``force_login``: the point is what each door really lets through.

Personas: ``officer_with_device`` (Olga with an authenticator app), ``officer`` (Olga
without one), ``superuser`` (Root, with a device, as superusers must have), ``analyst``
(Ana, none) and ``togo_focal`` (Afi, Togo's focal point).
"""

from __future__ import annotations

import re
import time

import pytest
from django.core import mail
from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import UserFactory
from tracker.web import signin

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"
PERSONAS = ["officer_with_device", "officer", "superuser", "analyst", "togo_focal"]


def current_code(device: TOTPDevice, steps_ahead: int = 0) -> str:
    """What the authenticator app shows (``steps_ahead`` 30-second steps later: a code
    is good only once, and the app's next one is accepted too)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():0{device.digits}d}"


def give_device(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="phone", confirmed=True)


@pytest.fixture
def officer_with_device(officer):
    give_device(officer)
    return officer


@pytest.fixture
def superuser(db):
    root = UserFactory(username="root", role="", is_staff=True, is_superuser=True)
    give_device(root)
    return root


@pytest.fixture
def person(persona_user):
    return persona_user


@pytest.fixture(autouse=True)
def _retype_at_once(settings):
    # After a wrong code django-otp refuses every code for 1 s (doubling each time); a
    # person takes longer than that to retype, these tests do not.
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    settings.OTP_STATIC_THROTTLE_FACTOR = 0


# --- where a session stands -----------------------------------------------------------------


def standing(client) -> str:
    """Where this session can go now: the admin, the portal, the code step, or nowhere."""
    if client.get("/admin/tracker/assistancerequest/").status_code == 200:
        return "admin"
    if client.get("/portal/").status_code == 200:
        return "portal"
    if client.get("/admin/login/code/").status_code == 200:
        return "code"
    return "out"


def sign_in_at(client, door: str, username: str, password: str = PASSWORD):
    return client.post(f"/{door}/login/", {"username": username, "password": password})


# --- the password alone ---------------------------------------------------------------------

#: What a good password alone gives, door by door: staff with a device are asked for
#: their code whatever the door; focal points never reach the admin.
PASSWORD_ALONE = {
    "admin": {
        "officer_with_device": "code",
        "officer": "admin",
        "superuser": "code",
        "analyst": "admin",
        "togo_focal": "out",
    },
    "portal": {
        "officer_with_device": "code",
        "officer": "admin",
        "superuser": "code",
        "analyst": "admin",
        "togo_focal": "portal",
    },
}


@pytest.mark.parametrize("door", PASSWORD_ALONE)
@pytest.mark.parametrize("persona", PERSONAS)
def test_what_a_password_alone_opens_at_each_login_page(client, person, door, persona):
    user = person(persona)
    sign_in_at(client, door, user.username)
    assert standing(client) == PASSWORD_ALONE[door][persona]


@pytest.mark.parametrize("door", PASSWORD_ALONE)
@pytest.mark.parametrize("persona", ["officer_with_device", "superuser"])
def test_the_code_completes_the_sign_in_at_either_door(client, person, door, persona):
    user = person(persona)
    sign_in_at(client, door, user.username)
    response = client.post("/admin/login/code/", {"code": current_code(user.totpdevice_set.get())})
    assert response.status_code == 302
    assert standing(client) == "admin"


@pytest.mark.parametrize("persona", ["officer_with_device", "superuser"])
def test_a_wrong_or_missing_code_keeps_the_admin_closed(client, person, persona):
    user = person(persona)
    sign_in_at(client, "admin", user.username)
    wrong = client.post("/admin/login/code/", {"code": "000000"})
    assert wrong.status_code == 200
    assert "That code is not right" in wrong.content.decode()
    missing = client.post("/admin/login/code/", {"code": ""})
    assert missing.status_code == 200
    assert "This field is required" in missing.content.decode()
    assert standing(client) == "code"


def test_a_wrong_password_gets_no_code_step(client, officer_with_device):
    response = sign_in_at(client, "admin", "olga", "not the password")
    assert response.status_code == 200
    assert standing(client) == "out"


def test_the_admin_login_page_shows_every_field_it_asks_for(client, officer_with_device):
    page = client.get("/admin/login/").content.decode()
    assert 'name="username"' in page
    assert 'name="password"' in page
    sign_in_at(client, "admin", "olga")
    code_page = client.get("/admin/login/code/").content.decode()
    assert 'name="code"' in code_page
    assert 'autocomplete="one-time-code"' in code_page


def test_a_pending_password_expires(client, officer_with_device, settings, monkeypatch):
    sign_in_at(client, "admin", "olga")
    later = time.time() + signin.PENDING_SECONDS + 1
    monkeypatch.setattr(signin.time, "time", lambda: later)
    response = client.post("/admin/login/code/", {"code": "123456"})
    assert response.status_code == 302
    assert response["Location"] == "/admin/login/"


def test_the_code_step_goes_where_the_person_was_going(client, officer_with_device):
    client.post(
        "/admin/login/?next=/admin/tracker/memberstate/",
        {"username": "olga", "password": PASSWORD, "next": "/admin/tracker/memberstate/"},
    )
    response = client.post(
        "/admin/login/code/", {"code": current_code(officer_with_device.totpdevice_set.get())}
    )
    assert response["Location"] == "/admin/tracker/memberstate/"


def test_the_code_step_never_sends_anyone_off_site(client, officer_with_device):
    client.post(
        "/admin/login/?next=https://evil.example/",
        {"username": "olga", "password": PASSWORD, "next": "https://evil.example/"},
    )
    device = officer_with_device.totpdevice_set.get()
    response = client.post("/admin/login/code/", {"code": current_code(device)})
    assert response["Location"] == "/admin/"


def test_a_session_from_before_a_device_was_added_must_give_the_code(client, officer):
    sign_in_at(client, "admin", "olga")
    assert standing(client) == "admin"
    give_device(officer)  # an operator ran add_totp meanwhile
    assert standing(client) == "code"
    response = client.get("/admin/login/")
    assert response["Location"] == "/admin/login/code/"


def test_the_analyst_signed_in_reads_but_cannot_change(client, analyst):
    sign_in_at(client, "admin", "ana")
    assert client.get("/admin/tracker/assistancerequest/").status_code == 200
    assert client.get("/admin/tracker/assistancerequest/add/").status_code == 403


# --- backup codes -------------------------------------------------------------------------


def test_a_backup_code_signs_in_once(client, officer_with_device):
    codes = signin.new_backup_codes(officer_with_device)
    sign_in_at(client, "admin", "olga")
    client.post("/admin/login/code/", {"code": codes[0]})
    assert standing(client) == "admin"
    client.post("/admin/logout/")
    sign_in_at(client, "admin", "olga")
    client.post("/admin/login/code/", {"code": codes[0]})
    assert standing(client) == "code"
    assert StaticToken.objects.filter(device__user=officer_with_device).count() == 9


# --- the token endpoint -------------------------------------------------------------------

#: What the token endpoint answers a good password alone.
TOKEN_FOR_PASSWORD = {
    "officer_with_device": "otp_required",
    "officer": "token",
    "superuser": "otp_required",
    "analyst": "token",
    "togo_focal": "token",
}


#: How the token endpoint words each refusal (``detail``), so a program's author can tell.
REFUSALS = {
    "otp_required": "send the code its app shows now",
    "otp_invalid": "That code is not right",
    "two_factor_enrolment": "must turn on two-factor sign-in",
    "invalid": "Unable to log in with provided credentials",
    "locked_out": "Too many failed logins",
}


def ask_token(client, username, password=PASSWORD, **extra):
    """(status, the token) or (status, which refusal)."""
    response = client.post(
        "/api/v1/auth/token/",
        {"username": username, "password": password, **extra},
        content_type="application/json",
    )
    body = response.json()
    if "token" in body:
        return response.status_code, body["token"]
    return response.status_code, next(k for k, text in REFUSALS.items() if text in body["detail"])


@pytest.mark.parametrize("persona", PERSONAS)
def test_what_a_password_alone_gets_from_the_token_endpoint(client, person, persona):
    status, answer = ask_token(client, person(persona).username)
    expected = TOKEN_FOR_PASSWORD[persona]
    if expected == "token":
        assert status == 200
        assert len(answer) == 40
    else:
        assert (status, answer) == (400, expected)


@pytest.mark.parametrize("persona", ["officer_with_device", "superuser"])
def test_staff_with_a_device_get_a_token_with_their_code(client, person, persona):
    user = person(persona)
    assert ask_token(client, user.username, otp_token="000000") == (400, "otp_invalid")
    status, token = ask_token(
        client, user.username, otp_token=current_code(user.totpdevice_set.get())
    )
    assert status == 200
    listed = client.get("/api/v1/requests/", HTTP_AUTHORIZATION=f"Token {token}")
    assert listed.status_code == 200


def test_a_wrong_password_gets_no_token(client, officer):
    assert ask_token(client, "olga", "wrong") == (400, "invalid")


def test_an_unverified_session_is_no_session_for_the_api(client, officer):
    sign_in_at(client, "portal", "olga")
    assert client.get("/api/v1/requests/").status_code == 200
    give_device(officer)
    assert client.get("/api/v1/requests/").status_code in (401, 403)


# --- password reset ----------------------------------------------------------------------


def reset_password(client, user, new_password="a brand new passphrase 42"):  # noqa: S107
    client.post("/portal/password/reset/", {"email": user.email})
    link = re.search(r"https?://[^/\s]+(/portal/password/reset/\S+)", mail.outbox[-1].body)
    form = client.get(link.group(1), follow=True)
    response = client.post(
        form.redirect_chain[-1][0] if form.redirect_chain else link.group(1),
        {"new_password1": new_password, "new_password2": new_password},
    )
    assert response.status_code == 302, response.content.decode()[:500]
    return new_password


@pytest.mark.parametrize("persona", PERSONAS)
def test_a_password_reset_signs_nobody_in(client, person, persona):
    user = person(persona)
    new_password = reset_password(client, user)
    assert standing(client) == "out"
    sign_in_at(client, "portal", user.username, new_password)
    assert standing(client) == PASSWORD_ALONE["portal"][persona]


# --- the policy: optional or required ------------------------------------------------------


def test_under_optional_staff_without_a_device_are_never_asked_for_a_code(client, officer):
    response = sign_in_at(client, "admin", "olga")
    assert response["Location"] == "/admin/"
    assert standing(client) == "admin"


def test_superusers_without_a_device_reach_only_the_enrolment_page(client, db):
    UserFactory(username="boss", role="", is_staff=True, is_superuser=True)
    sign_in_at(client, "admin", "boss")
    assert client.get("/admin/").status_code == 302
    assert client.get("/admin/login/")["Location"] == "/admin/two-factor/"
    assert client.get("/admin/two-factor/").status_code == 200


@pytest.mark.parametrize("persona", ["officer", "analyst"])
def test_under_required_staff_without_a_device_must_enrol_first(client, settings, person, persona):
    settings.STAFF_TWO_FACTOR = signin.REQUIRED
    user = person(persona)
    sign_in_at(client, "admin", user.username)
    for url in ("/admin/", "/admin/tracker/assistancerequest/", "/admin/tracker/user/"):
        assert client.get(url).status_code == 302, url
    assert client.get("/admin/login/")["Location"] == "/admin/two-factor/"
    assert client.get("/api/v1/requests/").status_code in (401, 403)
    assert ask_token(client, user.username) == (400, "two_factor_enrolment")


def test_under_required_focal_points_are_not_asked_for_a_second_factor(
    client, settings, togo_focal
):
    settings.STAFF_TWO_FACTOR = signin.REQUIRED
    sign_in_at(client, "portal", "afi")
    assert standing(client) == "portal"


def test_a_token_from_before_the_policy_changed_stops_working(client, settings, officer):
    _status, token = ask_token(client, "olga")
    settings.STAFF_TWO_FACTOR = signin.REQUIRED
    response = client.get("/api/v1/requests/", HTTP_AUTHORIZATION=f"Token {token}")
    assert response.status_code == 401


# --- enrolment ----------------------------------------------------------------------------


def test_staff_enrol_themselves_and_get_backup_codes_once(client, settings, officer):
    settings.STAFF_TWO_FACTOR = signin.REQUIRED
    sign_in_at(client, "admin", "olga")
    page = client.get("/admin/two-factor/").content.decode()
    assert "<svg" in page  # the QR code, drawn here
    secret = re.search(r'id="totp-secret">([A-Z2-7 ]+)<', page).group(1)
    device = TOTPDevice.objects.get(user=officer, confirmed=False)
    assert secret == signin.secret(device)
    assert client.get("/admin/two-factor/").content.decode().count(secret) == 1  # same key

    wrong = client.post("/admin/two-factor/", {"code": "000000"})
    assert "That code is not right" in wrong.content.decode()
    assert standing(client) != "admin"

    done = client.post("/admin/two-factor/", {"code": current_code(device)})
    codes = re.findall(r"<li><code>([a-z0-9]+)</code></li>", done.content.decode())
    assert len(codes) == signin.BACKUP_CODES
    assert standing(client) == "admin"
    again = client.get("/admin/two-factor/").content.decode()
    assert not any(code in again for code in codes)  # shown once

    client.post("/admin/logout/")
    sign_in_at(client, "admin", "olga")
    assert standing(client) == "code"
    client.post("/admin/login/code/", {"code": codes[3]})
    assert standing(client) == "admin"


def test_enrolment_revokes_tokens_got_on_a_password_alone(client, officer):
    _status, token = ask_token(client, "olga")
    sign_in_at(client, "admin", "olga")
    device = signin.start_enrolment(officer)
    client.post("/admin/two-factor/", {"code": current_code(device)})
    response = client.get("/api/v1/requests/", HTTP_AUTHORIZATION=f"Token {token}")
    assert response.status_code == 401


def test_new_backup_codes_replace_the_old_ones(client, officer_with_device):
    old = signin.new_backup_codes(officer_with_device)
    sign_in_at(client, "admin", "olga")
    client.post("/admin/login/code/", {"code": old[0]})
    page = client.post("/admin/two-factor/", {"code": old[2]}).content.decode()
    new = re.findall(r"<li><code>([a-z0-9]+)</code></li>", page)
    assert len(new) == signin.BACKUP_CODES
    assert not set(new) & set(old)
    client.post("/admin/logout/")
    sign_in_at(client, "admin", "olga")
    client.post("/admin/login/code/", {"code": old[1]})
    assert standing(client) == "code"


def test_new_backup_codes_need_a_code_given_now(client, officer_with_device):
    """A session left open on someone's desk cannot read new backup codes."""
    old = signin.new_backup_codes(officer_with_device)
    sign_in_at(client, "admin", "olga")
    client.post("/admin/login/code/", {"code": old[0]})
    for given in ({}, {"code": "000000"}):
        page = client.post("/admin/two-factor/", given).content.decode()
        assert not re.findall(r"<li><code>([a-z0-9]+)</code></li>", page)
    assert signin.backup_codes_left(officer_with_device) == signin.BACKUP_CODES - 1


def test_the_session_key_changes_when_the_session_is_verified(client, officer_with_device):
    device = officer_with_device.totpdevice_set.get()
    sign_in_at(client, "admin", "olga")
    before = client.cookies["sessionid"].value
    client.post("/admin/login/code/", {"code": current_code(device)})
    assert client.cookies["sessionid"].value != before
    stolen = Client()
    stolen.cookies["sessionid"] = before
    assert standing(stolen) == "out"


def test_the_session_key_changes_when_an_authenticator_is_enrolled(client, officer):
    sign_in_at(client, "admin", "olga")
    before = client.cookies["sessionid"].value
    device = signin.start_enrolment(officer)
    client.post("/admin/two-factor/", {"code": current_code(device)})
    assert client.cookies["sessionid"].value != before
    stolen = Client()
    stolen.cookies["sessionid"] = before
    assert standing(stolen) == "out"


def test_focal_points_cannot_enrol_in_the_admin(client, togo_focal):
    sign_in_at(client, "portal", "afi")
    response = client.get("/admin/two-factor/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
    assert not TOTPDevice.objects.filter(user=togo_focal).exists()


# --- lockout counts wrong codes ------------------------------------------------------------


def test_wrong_codes_lock_the_account_out_like_wrong_passwords(
    client, settings, officer_with_device
):
    settings.AXES_FAILURE_LIMIT = 3
    sign_in_at(client, "admin", "olga")
    answers = [client.post("/admin/login/code/", {"code": "000000"}).status_code for _ in range(3)]
    assert answers == [200, 200, 429]
    device = officer_with_device.totpdevice_set.get()
    # Locked: neither the password nor the right code opens the door now.
    assert sign_in_at(client, "admin", "olga").status_code == 429
    client.post("/admin/login/code/", {"code": current_code(device)})
    assert standing(client) == "out"


def test_a_good_password_does_not_reset_the_count_of_wrong_codes(
    client, settings, officer_with_device
):
    settings.AXES_FAILURE_LIMIT = 3
    for _ in range(2):
        sign_in_at(client, "admin", "olga")
        client.post("/admin/login/code/", {"code": "000000"})
    sign_in_at(client, "admin", "olga")
    assert client.post("/admin/login/code/", {"code": "000000"}).status_code == 429


def test_wrong_codes_at_the_token_endpoint_count_too(client, settings, officer_with_device):
    settings.AXES_FAILURE_LIMIT = 2
    ask_token(client, "olga", otp_token="000000")
    assert ask_token(client, "olga", otp_token="000000") == (429, "locked_out")


# --- the account's language --------------------------------------------------------------


@pytest.mark.parametrize("door", ["admin", "portal"])
def test_signing_in_applies_the_accounts_language(client, analyst, togo_focal, door):
    user = analyst if door == "admin" else togo_focal
    user.language = "fr"
    user.save(update_fields=["language"])
    response = sign_in_at(client, door, user.username)
    assert response.cookies["django_language"].value == "fr"
    page = client.get(response["Location"], follow=True)
    assert page.status_code == 200
    assert 'lang="fr"' in page.content.decode()


def test_a_device_given_by_an_operator_revokes_password_only_tokens(client, officer):
    from django.core.management import call_command

    _status, token = ask_token(client, "olga")
    call_command("add_totp", "olga")
    response = client.get("/api/v1/requests/", HTTP_AUTHORIZATION=f"Token {token}")
    assert response.status_code == 401
    assert ask_token(client, "olga") == (400, "otp_required")
