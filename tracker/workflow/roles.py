"""Who may act: officers, the requesting State's focal points, analysts; and the
refusals that name who may."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

from django.utils.translation import gettext as _

from tracker.kernel import names
from tracker.kernel.errors import InvalidInput, NotAllowed
from tracker.kernel.vocabulary import (
    ADMIN_GROUPS,
    Role,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractUser, AnonymousUser, PermissionsMixin
    from django.db.models import Model

    from tracker.models import AssistanceRequest, MemberState, User


def _active(user: User | AnonymousUser | None) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def is_officer(user: User | AnonymousUser | None) -> bool:
    return _active(user) and getattr(user, "role", "") == Role.OFFICER


def is_focal_point(user: User | AnonymousUser | None) -> bool:
    """A focal point of some State (``is_focal_point_of`` says which)."""
    return _active(user) and getattr(user, "role", "") == Role.FOCAL_POINT


def is_focal_point_of(user: User | AnonymousUser | None, state_code: str | None) -> bool:
    return (
        is_focal_point(user)
        and state_code is not None
        and getattr(user, "member_state_id", None) == state_code
    )


def works_in_admin(user: User | AnonymousUser | None) -> bool:
    """Officers and analysts work in the admin; focal points never do."""
    return _active(user) and getattr(user, "role", "") in ADMIN_GROUPS


def sees_everything(user: User | AnonymousUser | None) -> bool:
    """Officers, analysts and the site's superusers see every State's requests; a focal
    point only its own. (Acting still takes a role: a superuser without one reads.)"""
    return works_in_admin(user) or (_active(user) and bool(getattr(user, "is_superuser", 0)))


@dataclass(frozen=True)
class Actor:
    """Who may take a transition; a django-fsm ``permission`` callable."""

    test: Callable[[AssistanceRequest, User], bool]
    denial: Callable[[AssistanceRequest, str], str]

    def __call__(
        self, instance: Model, user: AbstractUser | AnonymousUser | PermissionsMixin
    ) -> bool:
        # django-fsm calls it with the model and whoever acts; both are ours.
        return self.test(cast("AssistanceRequest", instance), cast("User", user))


def _only_officers(ta_request: AssistanceRequest | None, action: str) -> str:
    return _("Only secretariat officers can do this: %(action)s.") % {"action": action}


STAFF = Actor(test=lambda ta_request, user: is_officer(user), denial=_only_officers)


def _only_state(state: MemberState, action: str) -> str:
    return names.sentence(
        _("%(only_state)s can do this: %(action)s.") % {**names.words(state), "action": action}
    )


def _only_the_state(ta_request: AssistanceRequest, action: str) -> str:
    return _only_state(ta_request.requesting_state, action)


# A/HRC/43/31 paras 30, 73: the requesting State decides, itself or by a written
# communication that an officer records.
REQUESTING_STATE = Actor(
    test=lambda ta_request, user: (
        is_focal_point_of(user, ta_request.requesting_state_id) or is_officer(user)
    ),
    denial=_only_the_state,
)


def require_opener(user: User | AnonymousUser) -> None:
    """P1 (A/HRC/43/31 paras 30, 105): only the State, or staff recording its formal
    request, open a request."""
    if not (is_officer(user) or is_focal_point(user)):
        raise NotAllowed(
            _(
                "Only a State's focal point, or an officer recording the State's formal "
                "request, can open a request."
            )
        )


def require_focal_point_of(user: User | AnonymousUser, state: MemberState, action: str) -> None:
    """What only the State itself does (A/HRC/43/31 paras 40, 114): rank, publish."""
    if not is_focal_point_of(user, state.pk):
        raise NotAllowed(_only_state(state, action))


def require_party(ta_request: AssistanceRequest, user: User | AnonymousUser, action: str) -> None:
    """The dialogue on a request is between its State and the secretariat (A/HRC/43/31
    para 6): the State's focal points and officers write; nobody else does."""
    if not (is_officer(user) or is_focal_point_of(user, ta_request.requesting_state_id)):
        raise NotAllowed(
            _("Only the focal points %(of_state)s and the secretariat can do this: %(action)s.")
            % {**names.words(ta_request.requesting_state), "action": action}
        )


def sees_internal_notes(user: User | AnonymousUser | None) -> bool:
    """Internal notes and their documents are the secretariat's: staff see them, a
    State never does."""
    return sees_everything(user)


def require_officer(user: User | AnonymousUser, action: str) -> None:
    if not is_officer(user):
        raise NotAllowed(_only_officers(None, action))


def require_document_when_staff(user: User, document_reference: str, action: str) -> None:
    """Staff act for a State only on the strength of its written communication (P2, P4)."""
    if is_officer(user) and not (document_reference or "").strip():
        raise InvalidInput(
            fields={
                "document_reference": names.sentence(
                    _(
                        "%(action)s for the State: give the reference of its written "
                        "communication (note verbale or letter)."
                    )
                    % {"action": action}
                )
            }
        )
