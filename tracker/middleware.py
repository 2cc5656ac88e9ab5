"""A refusal of the rules is never a 500: a DomainError that reaches the top becomes a
page with its message and its status (the API has its own handler)."""

from __future__ import annotations

from django.shortcuts import render

from tracker.errors import DomainError


class DomainErrorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, DomainError):
            return render(
                request,
                "portal/error.html",
                {"message": exception.message},
                status=exception.status_code,
            )
        return None
