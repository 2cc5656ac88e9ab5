"""Accounts: created in a language the service speaks."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import Group
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.authtoken.models import Token

from tracker import workflow
from tracker.kernel.errors import InvalidInput
from tracker.models import (
    MemberState,
    User,
)
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
