"""Error pages: in the portal's look and the person's language, each with a way back.
Under /api/ the same errors are the API's JSON body, ``{"detail", "code"}``."""

from __future__ import annotations

import logging

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.urls import reverse
from django.utils.html import escape
from django.utils.translation import gettext as _


def _way_back(request: HttpRequest) -> tuple[str, str]:
    """Where this person's work starts: the admin for staff, the portal otherwise."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and user.is_staff:
        return reverse("admin:index"), _("Back to the admin")
    if user is not None and user.is_authenticated:
        return reverse("portal:dashboard"), _("Back to your requests")
    return reverse("portal:login"), _("Go to the sign-in page")


def page(request: HttpRequest, status: int, title: str, message: str, code: str) -> HttpResponse:
    """One error, as a page or (under /api/) as the API's error body."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message, "code": code}, status=status)
    home, home_label = _way_back(request)
    context = {"title": title, "message": message, "home": home, "home_label": home_label}
    try:
        return render(request, "errors/page.html", context, status=status)
    except Exception:  # an error page must never become a 500 of its own
        logging.getLogger(__name__).exception("error page %s could not be drawn", status)
        text = f"<!doctype html><title>{escape(title)}</title><h1>{escape(title)}</h1>"
        text += f'<p>{escape(message)}</p><p><a href="{escape(home)}">{escape(home_label)}</a></p>'
        return HttpResponse(text, status=status)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    message = _("The address or the form sent was not understood.")
    return page(request, 400, _("Bad request"), message, "bad_request")


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return page(
        request,
        403,
        _("Not allowed"),
        str(exception) if exception and str(exception) else _("Your account may not open this."),
        "permission_denied",
    )


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    message = _("There is nothing at this address, or nothing you may see.")
    return page(request, 404, _("Page not found"), message, "not_found")


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return page(
        request,
        403,
        _("The form has expired"),
        _(
            "For your safety a form is good only in the browser tab that showed it, with "
            "cookies on. Go back, reload the page and send it again: nothing was saved."
        ),
        "csrf_failed",
    )


def server_error(request: HttpRequest) -> HttpResponse:
    """Drawn without the database or the account, which may be what failed."""
    if request.path.startswith("/api/"):
        message = _("Something went wrong on our side. It has been logged; try again later.")
        return JsonResponse({"detail": message, "code": "server_error"}, status=500)
    return HttpResponse(loader.render_to_string("errors/500.html"), status=500)
