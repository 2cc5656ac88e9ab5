"""E-mails of TA Tracker, each in its recipient's language (text and HTML)."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation

from tracker import deadlines, names, workflow
from tracker.models import Notification, User
from tracker.workflow import Stage

LANGUAGES = ("en", "fr")


def link_for(person: User, notification: Notification) -> str:
    ta_request = notification.request
    if workflow.is_focal_point(person):
        return f"{settings.SITE_URL}/portal/requests/{ta_request.reference}/"
    return f"{settings.SITE_URL}/admin/tracker/assistancerequest/{ta_request.pk}/change/"


def render(notification: Notification, person: User) -> tuple[str, str, str]:
    """(subject, text, html) for one person, in that person's language."""
    language = person.language if person.language in LANGUAGES else "en"
    ta_request = notification.request
    with translation.override(language):
        context = {
            "kind": notification.kind,
            "person": person,
            "ta_request": ta_request,
            **names.words(ta_request.requesting_state),
            "state_name": ta_request.requesting_state.name,
            "stage": Stage(notification.stage or ta_request.stage).label,
            "days": (notification.created_at - ta_request.stage_entered_at).days,
            "allowed_days": deadlines.service_levels().get(notification.stage, None),
            "plan": ta_request.latest_plan(),
            "state_must_decide": ta_request.state_must_decide(),
            "link": link_for(person, notification),
            "message": notification.message,
            "from_state": notification.message is not None
            and workflow.is_focal_point(notification.message.author),
        }
        subject, _, text = render_to_string(
            f"tracker/email/notification.{language}.txt", context
        ).partition("\n")
        html = render_to_string(
            "tracker/email/notification.html",
            {"subject": subject, "text": text.strip(), "link": context["link"], "lang": language},
        )
    return subject.strip(), text.strip() + "\n", html


def send(notification: Notification, people: list[User]) -> None:
    """One message per person: nobody sees who else was told."""
    for person in people:
        subject, text, html = render(notification, person)
        message = EmailMultiAlternatives(subject, text, to=[person.email])
        message.attach_alternative(html, "text/html")
        message.send()
