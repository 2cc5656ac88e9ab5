"""A refusal of the rules is never a 500: a DomainError that reaches the top becomes a
page with its message and its status (the API has its own handler)."""

from __future__ import annotations

from django.conf import settings
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _

from tracker.kernel.errors import DomainError
from tracker.web import errorpages


class DomainErrorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, DomainError):
            return errorpages.page(
                request, exception.status_code, _("Not possible"), exception.message, exception.code
            )
        return None


class AccountLanguageMiddleware:
    """Keeps the language an account chose in the language cookie when it signs in
    (``signin.apply_account_language`` marks the request), so every door opens onto
    the account's own language."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        language = getattr(request, "account_language", None)
        if language:
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME,
                language,
                max_age=settings.LANGUAGE_COOKIE_AGE,
                path=settings.LANGUAGE_COOKIE_PATH,
                secure=settings.LANGUAGE_COOKIE_SECURE,
                httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
                samesite=settings.LANGUAGE_COOKIE_SAMESITE,
            )
        return response


class PrivateAnswersMiddleware:
    """Whatever is answered to a signed-in person (a page, an API answer, a file) is
    theirs: no shared cache and no browser history may keep it. A page that set its
    own caching (the open data, the public brief) keeps it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not response.has_header("Cache-Control"):
            response["Cache-Control"] = "private, no-store"
            patch_vary_headers(response, ("Cookie", "Authorization"))
        return response


class RejectNulMiddleware:
    """A NUL character is never valid in an address or a form, and the database refuses
    it with an error that would be a 500: answer 400 before any view reads it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # The API reads its own (JSON) bodies and refuses NUL there; reading the form
        # here would consume a body the API must see.
        form = request.method == "POST" and not request.path.startswith("/api/")
        if _has_nul(request.GET) or (form and _has_nul(request.POST)):
            return errorpages.page(
                request,
                400,
                _("Bad request"),
                _(
                    "The address or the form contains a NUL character, which is never valid "
                    "here. Nothing was saved."
                ),
                "nul_character",
            )
        return self.get_response(request)


def _has_nul(data) -> bool:
    return any("\x00" in key or "\x00" in value for key, values in data.lists() for value in values)
