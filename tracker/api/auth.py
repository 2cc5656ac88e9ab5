"""API authentication that honours the staff sign-in rules (``tracker.web.signin``).

Tokens are given by ``POST /api/v1/auth/token/``, which asks staff accounts with a
device for their code; a session is accepted only once it passed that code."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from tracker import services
from tracker.web import signin


class TokenAuthentication(authentication.TokenAuthentication):
    def authenticate_credentials(self, key):
        user, token = super().authenticate_credentials(key)
        if services.token_expired(token):
            token.delete()
            raise exceptions.AuthenticationFailed(
                _("This token has expired: ask for a new one at /api/v1/auth/token/.")
            )
        if signin.must_enrol(user):
            # The policy now asks this account for a second factor it has not set up.
            raise exceptions.AuthenticationFailed(
                _("This account must turn on two-factor sign-in in the admin first.")
            )
        return user, token


class SessionAuthentication(authentication.SessionAuthentication):
    def authenticate(self, request):
        found = super().authenticate(request)
        if found is not None and not signin.satisfied(found[0]):
            return None  # an unverified staff session is no session here
        return found


class SessionScheme(OpenApiAuthenticationExtension):
    """The session cookie, as drf-spectacular documents DRF's own session scheme."""

    target_class = SessionAuthentication
    name = "cookieAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "cookie", "name": settings.SESSION_COOKIE_NAME}
