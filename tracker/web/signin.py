"""Signing in: the password, then for staff the second factor, whatever the door.

Staff accounts may have a TOTP device (an authenticator app, django-otp) with backup
codes. ``STAFF_TWO_FACTOR`` says whether every staff account must have one
(``required``) or may (``optional``); superusers always must. The rules here are the
only ones: the admin site, the portal's login, the API's token endpoint and its
session authentication all ask them.

A password alone never signs in an account that has a device: it only makes the
account *pending* in the session, and the sign-in completes at the code step. So no
door (portal, admin, password reset) yields a session the admin must distrust, and a
good password does not reset the count of wrong codes (django-axes counts both).
"""

from __future__ import annotations

import base64
import hashlib
import time
from typing import TYPE_CHECKING, Any

import qrcode
import qrcode.image.svg
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_client_ip_address
from django.conf import settings
from django.contrib import auth
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.forms import PasswordResetForm
from django.contrib.auth.signals import user_login_failed
from django.contrib.auth.views import LoginView
from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django_otp import login as otp_login
from django_otp import match_token
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

if TYPE_CHECKING:
    from django_otp.models import Device

    from tracker.models import User

REQUIRED, OPTIONAL = "required", "optional"
POLICIES = (REQUIRED, OPTIONAL)
#: Backup codes given at enrolment; each works once, in place of a code from the app.
BACKUP_CODES = 10
#: How long a password stays good for the code step that follows it.
PENDING_SECONDS = 300
_PENDING = "tracker_signin_pending"
_DEVICE_NAME = "authenticator"
_BACKUP_NAME = "backup codes"


# --- the policy -------------------------------------------------------------------------


def has_device(user: User) -> bool:
    """The account has a confirmed authenticator (asked once per request)."""
    if not user.is_authenticated:
        return False
    cached: bool | None = getattr(user, "_tracker_has_device", None)
    if cached is None:
        cached = TOTPDevice.objects.filter(user_id=user.pk, confirmed=True).exists()
        setattr(user, "_tracker_has_device", cached)  # noqa: B010  (not a field: a cache)
    return cached


def _verified(user: User) -> bool:
    # django-otp's middleware gives the request's user ``is_verified()``.
    return bool(getattr(user, "is_verified", lambda: False)())


def must_enrol(user: User) -> bool:
    """Staff without a device where one is needed: under ``required``, or a superuser."""
    return (
        user.is_authenticated
        and user.is_staff
        and (settings.STAFF_TWO_FACTOR == REQUIRED or user.is_superuser)
        and not has_device(user)
    )


def satisfied(user: User) -> bool:
    """This signed-in account has passed every factor it owes: the code when it has a
    device, and it has one when the policy says it must."""
    if _verified(user):
        return True
    return not has_device(user) and not must_enrol(user)


# --- the password step and the pending account ------------------------------------------


def after_password(request: HttpRequest, user: User, next_url: str) -> str | None:
    """Called once a door has checked the password. An account with a device becomes
    pending (not signed in) and the code step's address is returned; otherwise None,
    and the door signs the account in as usual."""
    if not has_device(user):
        return None
    request.session.cycle_key()
    request.session[_PENDING] = {
        "user": user.pk,
        "backend": user.backend,
        "next": next_url,
        "since": time.time(),
    }
    return reverse("admin:login_code")


def pending_user(request: HttpRequest) -> User | None:
    """The account waiting for its code: pending after a password, or signed in on a
    session that was never verified (a device added since, by an operator)."""
    user = request.user
    if user.is_authenticated:
        return user if has_device(user) and not _verified(user) else None
    pending = request.session.get(_PENDING)
    if not pending or time.time() - pending["since"] > PENDING_SECONDS:
        return None
    found = auth.get_user_model().objects.filter(pk=pending["user"], is_active=True).first()
    if found is not None:
        found.backend = pending["backend"]
    return found


def pending_next(request: HttpRequest, default: str) -> str:
    """Where the account was going when it was asked for its code."""
    wanted = (
        (request.session.get(_PENDING) or {}).get("next")
        or request.GET.get(REDIRECT_FIELD_NAME)
        or default
    )
    safe = url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return wanted if safe else default


def forget_pending(request: HttpRequest) -> None:
    request.session.pop(_PENDING, None)


def complete(request: HttpRequest, user: User, device: Device) -> None:
    """Sign the account in with its verified device."""
    forget_pending(request)
    if not request.user.is_authenticated:
        auth.login(request, user)
    verified(request, device)


def verified(request: HttpRequest, device: Device) -> None:
    """The session passed its second factor: under a new key, so that a session id
    seen before (on a shared computer, in a log) never carries a verified session."""
    request.session.cycle_key()
    otp_login(request, device)


class PasswordStep(LoginView):
    """Django's login view for every door, except that a good password for an account
    with a device only makes it pending: the code step signs it in."""

    def form_valid(self, form) -> HttpResponse:
        code_step = after_password(self.request, form.get_user(), self.get_success_url())
        return super().form_valid(form) if code_step is None else redirect(code_step)


# --- codes --------------------------------------------------------------------------------


def locked_out(request: HttpRequest, user: User) -> bool:
    """django-axes has locked this account out from this address."""
    return not AxesProxyHandler.is_allowed(request, {"username": user.get_username()})


def verify(request: HttpRequest, user: User, code: str) -> Device | None:
    """The device that accepts ``code`` (from the app, or an unused backup code). A wrong
    code counts as a failed login, so django-axes locks out guessing as it does for
    passwords."""
    code = "".join(code.split())
    device = match_token(user, code) if code else None
    if device is None:
        user_login_failed.send(
            sender=__name__, credentials={"username": user.get_username()}, request=request
        )
    return device


def enrol_with_code(request: HttpRequest, device: TOTPDevice, code: str) -> list[str] | None:
    """Confirm the device being set up if ``code`` comes from it, and sign the session
    in with it; returns the backup codes, or None (a failed login) if the code is wrong."""
    if device.verify_token("".join(code.split())):
        codes = confirm(device)
        verified(request, device)
        return codes
    user_login_failed.send(
        sender=__name__, credentials={"username": device.user.get_username()}, request=request
    )
    return None


# --- enrolment ------------------------------------------------------------------------------


def start_enrolment(user: User) -> TOTPDevice:
    """The authenticator being set up: the same secret until it is confirmed."""
    device = TOTPDevice.objects.filter(user_id=user.pk, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name=_DEVICE_NAME, confirmed=False)


@transaction.atomic
def confirm(device: TOTPDevice) -> list[str]:
    """Turn the device on after its first good code; returns the new backup codes.

    API tokens the account got on its password alone are revoked: from now on a token
    needs the code too."""
    from rest_framework.authtoken.models import Token

    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user_id=device.user_id, confirmed=False).delete()
    Token.objects.filter(user_id=device.user_id).delete()
    setattr(device.user, "_tracker_has_device", True)  # noqa: B010  (the cache above)
    return new_backup_codes(device.user)


@transaction.atomic
def new_backup_codes(user: User) -> list[str]:
    """Replace the account's backup codes; the old ones stop working."""
    backup, _created = StaticDevice.objects.get_or_create(
        user=user, name=_BACKUP_NAME, defaults={"confirmed": True}
    )
    backup.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(BACKUP_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=backup, token=code) for code in codes)
    return codes


def backup_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user_id=user.pk, device__confirmed=True).count()


def secret(device: TOTPDevice) -> str:
    """The key as an authenticator app takes it when typed: base32, in groups of four."""
    text = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


def qr_svg(device: TOTPDevice) -> str:
    """The device's otpauth:// address as an inline SVG QR code, drawn here."""
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage)
    return image.to_string(encoding="unicode")


def apply_account_language(
    sender: object, request: HttpRequest | None, user: User, **kwargs: object
) -> None:
    """On every sign-in: the pages that follow are in the language chosen on the sign-in
    page, else in the account's (``AccountLanguageMiddleware`` puts it in the language
    cookie). A choice made before signing in lives in that visit's session only, so the
    next person at the same browser gets their own account's language."""
    if request is None:
        return
    language = request.session.pop(CHOSEN_BEFORE_SIGN_IN, None) or user.language
    if language:
        setattr(request, "account_language", language)  # noqa: B010  (read by the middleware)


#: The session key of a language chosen on a sign-in page (``choose_language``).
CHOSEN_BEFORE_SIGN_IN = "language_chosen_before_sign_in"


def choose_language(request: HttpRequest, language: str) -> None:
    """Remember a language chosen before signing in, for the sign-in to keep."""
    if not request.user.is_authenticated and language in dict(settings.LANGUAGES):
        request.session[CHOSEN_BEFORE_SIGN_IN] = language


def username_for_lockouts(request: HttpRequest, credentials: dict | None = None) -> str | None:
    """The username django-axes counts failures for (``AXES_USERNAME_CALLABLE``): as
    given, cut to what its table holds. No account's username is that long, so a longer
    one is an ordinary failed sign-in, not an error of the database."""
    if credentials:
        given = credentials.get("username")
    else:
        given = getattr(request, "data", request.POST).get("username")
    return given[:USERNAME_KEPT] if isinstance(given, str) else given


#: django-axes keeps usernames in a column of 255 characters.
USERNAME_KEPT = 255


# --- password resets, limited ---------------------------------------------------------------


class LimitedPasswordResetForm(PasswordResetForm):
    """Django's reset form, sending at most ``PASSWORD_RESET_LIMITS`` e-mails per address
    and per client an hour. The page answers the same either way (Django's does for an
    unknown address), so the limit tells nothing about which addresses have accounts."""

    def save(self, **kwargs: Any) -> None:  # type: ignore[override]  # Django passes keywords
        request = kwargs.get("request")
        email = self.cleaned_data["email"].strip().lower()
        client = get_client_ip_address(request) if request is not None else ""
        counted = (
            _within("address", hashlib.sha256(email.encode()).hexdigest(), "per_address"),
            _within("client", client or "unknown", "per_client"),
        )
        if all(counted):
            super().save(**kwargs)


def _within(kind: str, key: str, limit: str) -> bool:
    """Count one more reset for ``key`` this hour; whether it is within the limit."""
    cache_key = f"password-reset:{kind}:{key}"
    cache.add(cache_key, 0, timeout=3600)
    return cache.incr(cache_key) <= settings.PASSWORD_RESET_LIMITS[limit]
