"""Signing in as each persona does it: Chromium typing into the real login pages of the
live server, never force_login. Screenshots of each step go to
test-artifacts/screenshots/signin-*.png."""

from __future__ import annotations

import base64

import pytest
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.browser import PASSWORD, needs_chromium, shot
from tests.factories import open_request
from tracker.web import signin
from tracker.workflow import Stage

pytestmark = [
    pytest.mark.slow,
    needs_chromium,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("reference_data"),
]


def type_password(page, door: str, username: str) -> None:
    page.goto(f"/{door}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    form = "#login-form" if door == "admin" else "main form"
    page.locator(f"{form} [type=submit]").click()
    page.wait_for_load_state()


def type_code(page, code: str) -> None:
    page.fill("input[name=code]", code)
    page.locator("#code-form [type=submit]").click()
    page.wait_for_load_state()


def code_from_key(key: bytes) -> str:
    """What an authenticator app shows for this key now."""
    return f"{TOTP(key).token():06d}"


@pytest.fixture
def _retype_at_once(settings):
    # After a wrong code django-otp refuses every code for 1 s; a person is slower.
    settings.OTP_TOTP_THROTTLE_FACTOR = 0


def test_officer_without_a_device_signs_in_with_a_password(page, officer):
    type_password(page, "admin", "olga")
    page.wait_for_url("**/admin/")
    assert page.locator("#your-queue").is_visible()
    assert page.locator("input[name=code]").count() == 0  # never asked for a code
    shot(page, "signin-officer-home")


@pytest.mark.usefixtures("_retype_at_once")
def test_officer_with_a_device_needs_the_current_code(page, officer):
    device = TOTPDevice.objects.create(user=officer, name="phone", confirmed=True)
    type_password(page, "admin", "olga")
    page.wait_for_url("**/admin/login/code/")
    shot(page, "signin-code")

    page.locator("#code-form [type=submit]").click()  # no code: the browser refuses
    assert page.url.endswith("/admin/login/code/")
    type_code(page, "000000")
    assert page.get_by_text("That code is not right.").is_visible()
    page.goto("/admin/tracker/assistancerequest/")
    assert "/admin/login/" in page.url  # still outside

    page.goto("/admin/login/code/")
    type_code(page, code_from_key(device.bin_key))
    page.wait_for_url("**/admin/")
    assert page.locator("#your-queue").is_visible()


def test_staff_with_a_device_who_use_the_portal_door_are_asked_for_the_code(page, officer):
    TOTPDevice.objects.create(user=officer, name="phone", confirmed=True)
    type_password(page, "portal", "olga")
    page.wait_for_url("**/admin/login/code/")
    page.goto("/admin/")
    assert "/admin/login/" in page.url


def test_analyst_signs_in_and_reads_without_changing(page, analyst, request_at):
    ta_request = request_at(Stage.REQUESTED)
    type_password(page, "admin", "ana")
    page.wait_for_url("**/admin/")
    assert page.locator("#figures").is_visible()
    page.goto(f"/admin/tracker/assistancerequest/{ta_request.pk}/change/")
    assert page.get_by_text(ta_request.reference).first.is_visible()
    assert page.get_by_role("button", name="Accept").count() == 0
    response = page.goto("/admin/tracker/assistancerequest/add/")
    assert response.status == 403
    shot(page, "signin-analyst-refused")


def test_focal_point_signs_in_at_the_portal_and_cannot_open_the_admin(page, togo_focal):
    open_request(togo_focal, title="Prison reform")
    type_password(page, "portal", "afi")
    page.wait_for_url("**/portal/")
    assert page.get_by_text("Prison reform").is_visible()
    page.goto("/admin/")
    assert "/admin/login/" in page.url
    assert page.get_by_text("not authorized").is_visible()
    type_password(page, "admin", "afi")  # nor with its password at the admin's door
    assert page.get_by_text("correct username and password for a staff account").is_visible()


def test_staff_enrol_themselves_when_the_policy_requires_it(page, settings, officer):
    settings.STAFF_TWO_FACTOR = signin.REQUIRED
    type_password(page, "admin", "olga")
    page.wait_for_url("**/admin/two-factor/")
    assert page.locator(".qr svg").is_visible()
    shot(page, "signin-enrol")
    page.goto("/admin/tracker/assistancerequest/")  # nothing else until enrolled
    page.wait_for_url("**/admin/two-factor/")

    typed = page.locator("#totp-secret").inner_text().replace(" ", "")
    key = base64.b32decode(typed + "=" * (-len(typed) % 8))
    type_code(page, code_from_key(key))
    codes = page.locator("#backup-codes code").all_inner_texts()
    assert len(codes) == signin.BACKUP_CODES
    shot(page, "signin-backup-codes")
    page.get_by_role("link", name="I have kept them: continue").click()
    page.wait_for_url("**/admin/")

    page.context.clear_cookies()
    type_password(page, "admin", "olga")
    page.wait_for_url("**/admin/login/code/")
    type_code(page, codes[0])  # a backup code works in place of the app
    page.wait_for_url("**/admin/")


def test_signing_in_opens_the_admin_in_the_accounts_language(page, analyst):
    analyst.language = "fr"
    analyst.save(update_fields=["language"])
    type_password(page, "admin", "ana")
    page.wait_for_url("**/admin/")
    assert page.locator("html").get_attribute("lang") == "fr"
    shot(page, "signin-analyst-home-fr")
