"""Types of the HTTP side."""

from __future__ import annotations

from django.http import HttpRequest

from tracker.models import User


class SignedInRequest(HttpRequest):
    """An HTTP request that passed a sign-in check (the portal's and the admin's views
    take it): its user is an account, never anonymous."""

    user: User
