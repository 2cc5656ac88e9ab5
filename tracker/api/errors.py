"""Errors as the API answers them: ``{"detail": "...", "code": "..."}``."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import exceptions, serializers
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import exception_handler

from tracker.kernel.errors import DomainError, InvalidInput

ERROR = inline_serializer(
    name="Error",
    fields={
        "detail": serializers.CharField(help_text="what went wrong, for a person to read"),
        "code": serializers.CharField(required=False),
        "errors": serializers.DictField(
            required=False, help_text="per field, when the input was invalid"
        ),
    },
)

_MEANING = {
    400: "The input is malformed or incomplete; `detail` says what to fix.",
    401: "Not authenticated: send `Authorization: Token <token>` or log in.",
    403: "Your role may never do this.",
    404: "No such object, or one you may not see.",
    406: "The Accept header asks for a format this operation does not give (JSON; CSV "
    "where `format` offers it).",
    409: "Not possible now: the stage or a guard refuses, or someone changed it first.",
    415: "The body is not JSON (`Content-Type: application/json`).",
    429: "Too many requests: wait and try again.",
    503: "A service or setting the operation needs is unavailable (the virus check of "
    "uploads, the open-data publisher's settings): try again later; nothing was stored.",
}


def errors(*codes: int) -> dict[int, OpenApiResponse]:
    """Documented error responses for ``extend_schema(responses=...)``."""
    return {
        code: OpenApiResponse(ERROR, description=_MEANING[code]) for code in (401, 406, 429, *codes)
    }


def _messages(errors: Any, prefix: str = "") -> list[str]:
    if isinstance(errors, dict):
        return [m for key, value in errors.items() for m in _messages(value, _join(prefix, key))]
    if isinstance(errors, list):
        return [m for value in errors for m in _messages(value, prefix)]
    return [f"{prefix}: {errors}" if prefix else str(errors)]


def _join(prefix: str, key: Any) -> str:
    if key in ("non_field_errors", "detail"):
        return prefix
    return f"{prefix}.{key}" if prefix else str(key)


def handle(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Every error as ``{"detail", "code"}`` (plus ``errors`` per field for invalid input);
    the domain error mapped to its status with its message. Always JSON, even when the
    caller asked for CSV: an error is not a table."""
    request = context.get("request")
    if request is not None:
        request.accepted_renderer = JSONRenderer()
        request.accepted_media_type = JSONRenderer.media_type
    if isinstance(exc, InvalidInput) and exc.fields:
        errors = {name: [problem] for name, problem in exc.fields.items()}
        body = {"detail": exc.message, "code": exc.code, "errors": errors}
        return Response(body, status=exc.status_code)
    if isinstance(exc, DomainError):
        return Response({"detail": exc.message, "code": exc.code}, status=exc.status_code)
    # Django's own exceptions, as DRF's handler turns them into its own.
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(str(exc) or None)
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    response = exception_handler(exc, context)
    if response is None:
        return None
    data = response.data
    code = getattr(exc, "default_code", "error")
    if isinstance(data, dict) and set(data) <= {"detail"} and isinstance(data.get("detail"), str):
        response.data = {"detail": data["detail"], "code": code}
    else:
        response.data = {"detail": " ".join(_messages(data)), "code": code, "errors": data}
    return response
