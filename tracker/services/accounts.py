"""Accounts: created in a language the service speaks."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.authtoken.models import Token

from tracker import workflow
from tracker.kernel.errors import InvalidInput, NotAllowed, NotFound, Refused
from tracker.models import (
    AccessChange,
    Invitation,
    MemberState,
    User,
)
from tracker.notifications import mail
from tracker.workflow import Role


def create_account(
    *,
    username: str,
    role: str,
    password: str,
    state: str | None = None,
    email: str = "",
    language: str = "en",
    supervisor: User | None = None,
    first_name: str = "",
    last_name: str = "",
) -> User:
    """Create a user with its role; a focal point speaks for exactly one State."""
    if role not in Role.values:
        raise InvalidInput(
            _("Unknown role “%(role)s”: use one of %(roles)s.")
            % {"role": role, "roles": ", ".join(Role.values)}
        )
    member_state = None
    if role == Role.FOCAL_POINT:
        if not state:
            raise InvalidInput(_("A focal point needs the State it speaks for (--state ISO3)."))
        member_state = MemberState.objects.filter(pk=state.upper()).first()
        if member_state is None:
            raise InvalidInput(_("There is no State with the code “%(code)s”.") % {"code": state})
    elif state:
        raise InvalidInput(_("Only focal points speak for a State."))
    _require_language(language)
    if User.objects.filter(username=username).exists():
        raise InvalidInput(_("The user “%(username)s” already exists.") % {"username": username})
    user = User(
        username=username,
        first_name=first_name,
        last_name=last_name,
        email=email,
        role=role,
        member_state=member_state,
        language=language,
        supervisor=supervisor,
        # Officers and analysts work in the admin; focal points never do.
        is_staff=role in workflow.ADMIN_GROUPS,
    )
    user.set_password(password)
    user.save()
    if role in workflow.ADMIN_GROUPS:
        user.groups.add(Group.objects.get(name=workflow.ADMIN_GROUPS[Role(role)]))
    return user


def set_language(*, user: User, language: str) -> None:
    """The language of the portal and of the e-mails this person receives."""
    _require_language(language)
    User.objects.filter(pk=user.pk).update(language=language)


def _require_language(language: str) -> None:
    if language not in dict(User.LANGUAGES):
        raise InvalidInput(_("Unknown language “%(code)s”.") % {"code": language})


def issue_token(user: User) -> Token:
    """The account's API token: the one it has, or a new one when it has none or its
    lifetime (``API_TOKEN_DAYS``) is over."""
    token = Token.objects.filter(user=user).first()
    if token is not None and token_expired(token):
        token.delete()
        token = None
    return token or Token.objects.create(user=user)


def token_expired(token: Token) -> bool:
    """Whether a token has outlived ``API_TOKEN_DAYS`` (none when unset: tokens last
    until the password changes, the account is deactivated or its holder revokes it)."""
    days = settings.API_TOKEN_DAYS
    return bool(days) and token.created < timezone.now() - timedelta(days=days)


# --- invitations -------------------------------------------------------------------------


def invite_focal_point(
    *, by: User, state: str, first_name: str, last_name: str, email: str, language: str = "en"
) -> Invitation:
    """An officer invites a State's focal point: the person is e-mailed, in their
    language, a link good once and for ``INVITATION_DAYS`` that sets their password."""
    _require_keeper(by, state, _("invite a focal point"))
    if problems := invitation_problems(state, first_name, last_name, email, language):
        raise InvalidInput(fields=problems)
    member_state = MemberState.objects.get(pk=state.upper())
    email = email.strip().lower()
    invitation = Invitation(
        member_state=member_state,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        email=email,
        language=language,
        invited_by=by,
    )
    _send_invitation(invitation)
    _changed(invitation.member_state, AccessChange.INVITED, str(invitation), by)
    return invitation


def invitation_problems(
    state: str, first_name: str, last_name: str, email: str, language: str
) -> dict[str, str]:
    """What is wrong with an invitation, per field (none: it can be sent)."""
    problems = {}
    if not MemberState.objects.filter(pk=(state or "").upper()).exists():
        problems["state"] = _("Choose the State the focal point speaks for.")
    for name, value, problem in (
        ("first_name", first_name, _("Give the person's first name.")),
        ("last_name", last_name, _("Give the person's last name.")),
        ("email", email, _("Give the person's e-mail address.")),
    ):
        if not (value or "").strip():
            problems[name] = problem
    email = (email or "").strip().lower()
    if email and User.objects.filter(username=email).exists():
        problems["email"] = _("An account with this e-mail address exists already.")
    if language not in dict(User.LANGUAGES):
        problems["language"] = _("Unknown language “%(code)s”.") % {"code": language}
    return problems


def resend_invitation(*, by: User, invitation: Invitation) -> Invitation:
    """A new link (the old one stops working), good for ``INVITATION_DAYS`` again."""
    _require_keeper(by, invitation.member_state_id, _("resend an invitation"))
    _require_open(invitation)
    _send_invitation(invitation)
    return invitation


def cancel_invitation(*, by: User, invitation: Invitation) -> None:
    _require_keeper(by, invitation.member_state_id, _("cancel an invitation"))
    _require_open(invitation)
    Invitation.objects.filter(pk=invitation.pk).update(cancelled_at=timezone.now())
    _changed(invitation.member_state, AccessChange.CANCELLED, str(invitation), by)


def invitation_for(key: str) -> Invitation:
    """The invitation a link carries, if it is still good; else a refusal that says why
    and whom to ask."""
    invitation = (
        Invitation.objects.select_related("invited_by", "member_state")
        .filter(key_hash=_hashed(key))
        .first()
    )
    if invitation is None:
        raise NotFound(
            _("This invitation link is not known: it may have been replaced by a newer one.")
        )
    whom = {"officer": str(invitation.invited_by), "email": invitation.invited_by.email}
    if invitation.accepted_at is not None:
        raise Refused(
            _(
                "This invitation was used already: sign in with your password, or ask "
                "%(officer)s (%(email)s)."
            )
            % whom
        )
    if invitation.cancelled_at is not None:
        raise Refused(_("This invitation was cancelled: ask %(officer)s (%(email)s).") % whom)
    if invitation.expires_at <= timezone.now():
        raise Refused(
            _("This invitation has expired: ask %(officer)s (%(email)s) to send a new one.") % whom
        )
    return invitation


@transaction.atomic
def accept_invitation(*, key: str, password: str) -> User:
    """The invited person chose a password: their focal-point account is made, and the
    link is used up."""
    invitation = invitation_for(key)
    Invitation.objects.select_for_update().filter(pk=invitation.pk).get()
    user = create_account(
        username=invitation.email,
        role=Role.FOCAL_POINT,
        password=password,
        state=invitation.member_state_id,
        email=invitation.email,
        language=invitation.language,
        first_name=invitation.first_name,
        last_name=invitation.last_name,
    )
    Invitation.objects.filter(pk=invitation.pk).update(accepted_at=timezone.now(), account=user)
    _changed(invitation.member_state, AccessChange.JOINED, str(invitation), user)
    return user


@transaction.atomic
def deactivate_focal_point(*, by: User, person: User) -> None:
    """The State's lead focal point (or an officer) takes a colleague's access away: at
    once, the person's sessions stop opening pages and their API token stops working."""
    if not workflow.is_focal_point(person):
        raise NotAllowed(_("Only a State's focal points are deactivated here."))
    _require_keeper(by, person.member_state_id, _("deactivate a focal point"))
    if person.pk == by.pk:
        raise Refused(_("You cannot deactivate your own account: ask an officer."))
    person.is_active = False
    person.save()  # ends its token (User.save); inactive, its sessions no longer sign in
    state = MemberState.objects.get(pk=person.member_state_id)  # a focal point has one
    _changed(state, AccessChange.DEACTIVATED, _who(person), by)


def revoke_token(*, user: User) -> bool:
    """The person ends their own API token; whether there was one."""
    deleted, _rows = Token.objects.filter(user=user).delete()
    return bool(deleted)


def _require_keeper(by: User, state: str | None, action: str) -> None:
    """Officers keep every State's list of focal points; a lead focal point its own."""
    if workflow.is_officer(by):
        return
    if by.leads_state and workflow.is_focal_point_of(by, (state or "").upper()):
        return
    raise NotAllowed(
        _("Only officers, or the State's lead focal point, can %(action)s.") % {"action": action}
    )


def _who(person: User) -> str:
    return f"{person} <{person.email}>" if person.email else str(person)


def _changed(state: MemberState, kind: str, person: str, by: User | None) -> None:
    AccessChange.objects.create(
        member_state=state, kind=kind, person=person, by=by, at=timezone.now()
    )


def _require_open(invitation: Invitation) -> None:
    if invitation.accepted_at is not None or invitation.cancelled_at is not None:
        raise Refused(_("This invitation was used or cancelled already."))


def _hashed(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def _send_invitation(invitation: Invitation) -> None:
    """A new key for the invitation, saved, and the e-mail with its link once saved."""
    key = secrets.token_urlsafe(32)
    now = timezone.now()
    invitation.key_hash = _hashed(key)
    invitation.sent_at = now
    invitation.expires_at = now + timedelta(days=settings.INVITATION_DAYS)
    invitation.save()
    transaction.on_commit(lambda: mail.send_invitation(invitation, key))
