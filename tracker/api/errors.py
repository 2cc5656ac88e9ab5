"""Errors as the API answers them: ``{"detail": "...", "code": "..."}``."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import exception_handler

from tracker.errors import DomainError

ERROR = inline_serializer(
    name="Error",
    fields={
        "detail": serializers.CharField(),
        "code": serializers.CharField(required=False),
    },
)

_MEANING = {
    400: "The input is malformed or incomplete; `detail` says what to fix.",
    401: "Not authenticated: send `Authorization: Token <token>` or log in.",
    403: "Your role may never do this.",
    404: "No such object, or one you may not see.",
    409: "Not possible now: the stage or a guard refuses, or someone changed it first.",
    429: "Too many requests: wait and try again.",
}


def errors(*codes: int) -> dict[int, OpenApiResponse]:
    """Documented error responses for ``extend_schema(responses=...)``."""
    return {code: OpenApiResponse(ERROR, description=_MEANING[code]) for code in (401, 429, *codes)}


def handle(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's handler, plus the domain error mapped to its status with its message."""
    if isinstance(exc, DomainError):
        return Response({"detail": exc.message, "code": exc.code}, status=exc.status_code)
    return exception_handler(exc, context)
