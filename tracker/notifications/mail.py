"""E-mails of TA Tracker, each in its recipient's language (text and HTML).

Every sentence is one message of the catalogues, with its placeholders named, so each
language orders the words as its grammar wants; counts go through plural forms.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from tracker import workflow
from tracker.kernel import names
from tracker.kernel.vocabulary import NotificationKind as Kind
from tracker.models import Invitation, Notification, User
from tracker.workflow import Stage, deadlines


def link_for(person: User, notification: Notification) -> str:
    ta_request = notification.request
    if workflow.is_focal_point(person):
        return f"{settings.SITE_URL}/portal/requests/{ta_request.reference}/"
    return f"{settings.SITE_URL}/admin/tracker/assistancerequest/{ta_request.pk}/change/"


def language_of(person: User) -> str:
    """The person's own language when the service speaks it, else English."""
    return person.language if person.language in dict(User.LANGUAGES) else "en"


def _called(person: User | None) -> str:
    """How a message names a person: the full name, else the username."""
    return str(person) if person else ""


def _words(notification: Notification) -> dict[str, Any]:
    """The placeholders every message of a notification may use."""
    ta_request = notification.request
    plan = ta_request.latest_plan()
    allowed = deadlines.service_levels().get(notification.stage or "", None)
    return {
        "reference": ta_request.reference,
        "title": ta_request.title,
        "state_name": ta_request.requesting_state.name,
        **names.words(ta_request.requesting_state),
        "stage": Stage(notification.stage or ta_request.stage).label,
        "days": (notification.created_at - ta_request.stage_entered_at).days,
        "allowed_days": allowed.days if allowed else 0,
        "version": plan.version if plan else 0,
        "officer": _called(ta_request.officer),
        "author": _called(notification.message.author if notification.message else None),
    }


def _subject(kind: str, w: dict[str, Any], from_state: bool) -> str:
    if kind == Kind.OVERDUE:
        return (
            ngettext(
                "%(reference)s has been waiting %(days)s day in the stage “%(stage)s”",
                "%(reference)s has been waiting %(days)s days in the stage “%(stage)s”",
                w["days"],
            )
            % w
        )
    if kind == Kind.MESSAGE:
        if from_state:
            return names.sentence(_("%(state)s sent a new message on %(reference)s") % w)
        return _("New message from the secretariat on %(reference)s") % w
    subjects = {
        Kind.ESCALATION: _("Escalation: %(reference)s is overdue twice over"),
        Kind.FOLLOW_UP_6: _("Six-month follow-up evaluation due: %(reference)s"),
        Kind.FOLLOW_UP_12: _("Twelve-month follow-up evaluation due: %(reference)s"),
        Kind.PLAN_AWAITS_DECISION: _("A plan awaits your decision: %(reference)s"),
        Kind.PLAN_APPROVED: _("%(state)s approved plan version %(version)s of %(reference)s"),
        Kind.PLAN_REJECTED: _("%(state)s rejected plan version %(version)s of %(reference)s"),
        Kind.ACCEPTED: _("Your request %(reference)s was accepted"),
        Kind.DECLINED: _("Your request %(reference)s was declined"),
        Kind.WITHDRAWN: _("%(state)s withdrew %(reference)s"),
        Kind.CLOSED: _("%(reference)s is closed"),
    }
    return names.sentence(subjects[Kind(kind)] % w)


def _body(kind: str, w: dict[str, Any], notification: Notification) -> list[str]:
    """The paragraphs between the greeting and the link."""
    ta_request = notification.request
    if kind == Kind.OVERDUE:
        said = [
            ngettext(
                "%(reference)s “%(title)s” (%(state_name)s) has been in the stage “%(stage)s” "
                "for %(days)s day; it should move on within %(allowed_days)s days.",
                "%(reference)s “%(title)s” (%(state_name)s) has been in the stage “%(stage)s” "
                "for %(days)s days; it should move on within %(allowed_days)s days.",
                w["days"],
            )
            % w
        ]
        if ta_request.state_must_decide():
            said.append(_("Plan version %(version)s is waiting for the State's decision.") % w)
        return [" ".join(said)]
    if kind == Kind.MESSAGE:
        return [
            _("%(author)s wrote on %(reference)s “%(title)s”:") % w,
            notification.message.text if notification.message else "",
            _("Read and answer it on the request's page:"),
        ]
    bodies = {
        Kind.ESCALATION: ngettext(
            "%(reference)s “%(title)s” (%(state_name)s), assigned to %(officer)s, has been in "
            "the stage “%(stage)s” for %(days)s day: more than twice the %(allowed_days)s days "
            "it should take.",
            "%(reference)s “%(title)s” (%(state_name)s), assigned to %(officer)s, has been in "
            "the stage “%(stage)s” for %(days)s days: more than twice the %(allowed_days)s "
            "days it should take.",
            w["days"],
        ),
        Kind.FOLLOW_UP_6: ngettext(
            "%(reference)s “%(title)s” (%(state_name)s) closed %(days)s day ago. Its effects "
            "show late: please arrange the follow-up evaluation with the State.",
            "%(reference)s “%(title)s” (%(state_name)s) closed %(days)s days ago. Its effects "
            "show late: please arrange the follow-up evaluation with the State.",
            w["days"],
        ),
        Kind.PLAN_AWAITS_DECISION: _(
            "Plan version %(version)s for %(reference)s “%(title)s” is ready. Nothing will be "
            "implemented until %(state)s approves it; you may also reject it, with your reasons."
        ),
        Kind.PLAN_APPROVED: _(
            "%(state)s approved plan version %(version)s of %(reference)s “%(title)s”. "
            "Implementation can start."
        ),
        Kind.PLAN_REJECTED: _(
            "%(state)s rejected plan version %(version)s of %(reference)s “%(title)s”. "
            "See the reason in the request's history."
        ),
        Kind.ACCEPTED: _(
            "The secretariat accepted your request %(reference)s “%(title)s” and will start "
            "the needs assessment with you."
        ),
        Kind.DECLINED: _(
            "The secretariat declined your request %(reference)s “%(title)s”. The reason is "
            "in the request's history."
        ),
        Kind.WITHDRAWN: _(
            "%(state)s withdrew %(reference)s “%(title)s”. Nothing more will happen to it."
        ),
        Kind.CLOSED: _(
            "%(reference)s “%(title)s” is closed with its evaluation. You may publish its "
            "lessons learned for other States."
        ),
    }
    # The twelve-month follow-up reads as the six-month one.
    kind = Kind.FOLLOW_UP_6 if kind == Kind.FOLLOW_UP_12 else Kind(kind)
    return [names.sentence(bodies[kind] % w)]


def render(notification: Notification, person: User) -> tuple[str, str, str]:
    """(subject, text, html) for one person, in that person's language."""
    language = language_of(person)
    with translation.override(language):
        words = _words(notification)
        from_state = notification.message is not None and workflow.is_focal_point(
            notification.message.author
        )
        subject = "[TA Tracker] " + _subject(notification.kind, words, from_state)
        context = {
            "greeting": _("Dear %(name)s,") % {"name": _called(person)},
            "paragraphs": _body(notification.kind, words, notification),
            "link": link_for(person, notification),
            "subject": subject,
        }
        text = render_to_string("tracker/email/notification.txt", context)
        html = render_to_string("tracker/email/notification.html", context)
    return subject, text.strip() + "\n", html


def send(notification: Notification, people: list[User]) -> None:
    """One message per person: nobody sees who else was told."""
    for person in people:
        subject, text, html = render(notification, person)
        message = EmailMultiAlternatives(subject, text, to=[person.email])
        message.attach_alternative(html, "text/html")
        message.send()


def send_invitation(invitation: Invitation, key: str) -> None:
    """The invitation e-mail, in the invited person's language, with its link."""
    with translation.override(invitation.language):
        words = {
            "officer": str(invitation.invited_by),
            "state": invitation.member_state.name,
            "days": settings.INVITATION_DAYS,
        }
        subject = "[TA Tracker] " + _("You are invited to the State portal")
        context = {
            "greeting": _("Dear %(name)s,")
            % {"name": f"{invitation.first_name} {invitation.last_name}"},
            "paragraphs": [
                _(
                    "%(officer)s of the secretariat invites you to the State portal of TA "
                    "Tracker, as a focal point of %(state)s: there your State asks for "
                    "technical assistance and decides on it at every step."
                )
                % words,
                ngettext(
                    "Choose your password with the link below. It works once, for %(days)s day.",
                    "Choose your password with the link below. It works once, for %(days)s days.",
                    settings.INVITATION_DAYS,
                )
                % words,
            ],
            "link": settings.SITE_URL + reverse("portal:invitation", args=[key]),
            "subject": subject,
        }
        text = render_to_string("tracker/email/notification.txt", context)
        html = render_to_string("tracker/email/notification.html", context)
    message = EmailMultiAlternatives(subject, text.strip() + "\n", to=[invitation.email])
    message.attach_alternative(html, "text/html")
    message.send()
