"""The one domain error type of TA Tracker.

Every rule the service layer refuses raises a ``DomainError`` whose message a person
understands. Each surface maps it the same way: the admin and the portal show the
message, the API answers with ``status_code`` and ``{"detail": message}``. None of
them ever turns it into a 500.
"""

from __future__ import annotations

from collections.abc import Mapping

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
    """What was given is incomplete or malformed (HTTP 400).

    ``fields`` says which input each problem is about, so that a form can show every
    problem at once next to its field: a name (``"budget_amount"``) or a row of a list
    (``"activities.1.ends_on"``, counted from 0). ``message`` joins them all.
    """

    def __init__(
        self, message: str | Promise = "", *, fields: Mapping[str, str | Promise] | None = None
    ) -> None:
        self.fields = {name: str(problem) for name, problem in (fields or {}).items()}
        super().__init__(message or " ".join(self.fields.values()))


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
