"""The one domain error type of TA Tracker.

Every rule the service layer refuses raises a ``DomainError`` whose message a person
understands. Each surface maps it the same way: the admin and the portal show the
message, the API answers with ``status_code`` and ``{"detail": message}``. None of
them ever turns it into a 500.
"""

from __future__ import annotations

from django.utils.functional import Promise


class DomainError(Exception):
    """A request of a user that the rules refuse."""

    status_code = 400
    code = "invalid"

    def __init__(self, message: str | Promise) -> None:
        # Lazy translations are rendered now, in the language of the person acting.
        self.message = str(message)
        super().__init__(self.message)

    def __str__(self) -> str:
        return self.message


class InvalidInput(DomainError):
    """What was given is incomplete or malformed (HTTP 400)."""


class NotAllowed(DomainError):
    """This user may never do this to this request (HTTP 403)."""

    status_code = 403
    code = "forbidden"


class NotFound(DomainError):
    """No such object, or one this user may not see (HTTP 404): the two look the same."""

    status_code = 404
    code = "not_found"


class Refused(DomainError):
    """Not possible now: the stage or a guard refuses (HTTP 409)."""

    status_code = 409
    code = "refused"


class Conflict(Refused):
    """Someone else changed the request first (HTTP 409); reload and decide again."""

    code = "conflict"
