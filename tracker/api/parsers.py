"""Request bodies the API reads: JSON with a depth limit.

Python's JSON decoder recurses once per level and fails with ``RecursionError`` deep
down, which DRF does not turn into a 400. No request of this API nests more than a few
levels (a plan's activities, an evaluation's indicators), so anything deeper than
``MAX_DEPTH`` is refused before or while it is decoded."""

from __future__ import annotations

import io
from typing import Any

from django.utils.translation import gettext as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError

#: The deepest nesting of arrays and objects a request body may have.
MAX_DEPTH = 32


def _too_deep() -> ParseError:
    return ParseError(
        _("The JSON body is nested more than %(depth)s levels deep.") % {"depth": MAX_DEPTH}
    )


def _depth_exceeds(text: str, limit: int) -> bool:
    """Whether brackets outside strings nest deeper than ``limit`` (one pass, no
    recursion), so that the decoder never meets a body too deep for it."""
    depth, in_string, escaped = 0, False, False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > limit:
                return True
        elif char in "]}":
            depth -= 1
    return False


class JSONParser(parsers.JSONParser):
    def parse(self, stream: Any, media_type: Any = None, parser_context: Any = None) -> Any:
        encoding = (parser_context or {}).get("encoding", "utf-8")
        raw = stream.read() if stream is not None else b""
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError as error:
            raise ParseError(
                _("The body is not valid %(encoding)s text.") % {"encoding": encoding}
            ) from error
        if _depth_exceeds(text, MAX_DEPTH):
            raise _too_deep()
        try:
            return super().parse(io.BytesIO(raw), media_type, parser_context)
        except RecursionError as error:  # a decoder with a smaller stack than ours
            raise _too_deep() from error


class UploadParser(parsers.MultiPartParser):
    """multipart/form-data, taken by the document upload alone: a file is not JSON.
    Every other body of the API is JSON."""
