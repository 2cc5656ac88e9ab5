"""factory_boy factories. Requests are opened through the service layer, never
written directly, so that every test request has its real history and consents."""

from __future__ import annotations

from datetime import date

import factory
from django.contrib.auth.models import Group

from tracker import services
from tracker.models import AssistanceRequest, MemberState, Provider, User
from tracker.services import FormalRequest
from tracker.workflow import ADMIN_GROUPS, Role


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.django.Password("correct horse battery staple")
    role = Role.OFFICER
    is_staff = factory.LazyAttribute(lambda u: u.role in ADMIN_GROUPS)

    @factory.post_generation
    def admin_group(user, create, extracted, **kwargs):
        if create and user.role in ADMIN_GROUPS:
            user.groups.add(Group.objects.get(name=ADMIN_GROUPS[user.role]))


class FocalPointFactory(UserFactory):
    role = Role.FOCAL_POINT
    member_state = factory.LazyFunction(lambda: MemberState.objects.get(pk="TGO"))


class ProviderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Provider
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Provider {n}")
    kind = "ohchr"


def open_request(
    by: User,
    *,
    title: str = "Support to the national human rights institution",
    state: str | None = None,
    **kwargs: object,
) -> AssistanceRequest:
    """Open a request as ``by``; officers log it with a note verbale."""
    if by.role == Role.OFFICER:
        kwargs.setdefault("requesting_state", state or "TGO")
        kwargs.setdefault(
            "formal_request", FormalRequest("note_verbale", "NV/2026/17", date(2026, 1, 15))
        )
    return services.open_request(by=by, title=title, **kwargs)
