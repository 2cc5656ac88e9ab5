"""Every kind of e-mail, rendered in each of the six languages: in the recipient's own
language, with its numbers in that language's plural forms, right to left in Arabic."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail as outbox
from django.utils import translation

from tests.factories import open_request
from tests.journeys import propose
from tracker import services
from tracker.demo.scenarios import bring_to
from tracker.kernel.vocabulary import NotificationKind
from tracker.models import Notification
from tracker.notifications import mail
from tracker.workflow import Stage

LANGUAGES = [code for code, _name in settings.LANGUAGES]
pytestmark = pytest.mark.django_db


@pytest.fixture
def consulted(togo_focal, officer):
    """A request whose plan waits for the State, with an officer and a message."""
    ta_request = bring_to(
        open_request(togo_focal, title="Truth commission"),
        Stage.CONSULTATION,
        officer=officer,
        focal_point=togo_focal,
    )
    propose(ta_request, officer)
    services.write_message(ta_request=ta_request, by=togo_focal, text="Can it be in Kara?")
    ta_request.refresh_from_db()
    return ta_request


def notice(ta_request, kind: str, days: int = 40) -> Notification:
    message = ta_request.messages.first() if kind == NotificationKind.MESSAGE else None
    return Notification(
        request=ta_request,
        kind=kind,
        stage=ta_request.stage,
        basis=ta_request.stage_entered_at,
        created_at=ta_request.stage_entered_at + timedelta(days=days),
        message=message,
    )


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("kind", list(NotificationKind))
def test_each_kind_of_email_is_written_in_the_recipients_language(
    consulted, togo_focal, language, kind
):
    togo_focal.language = language
    subject, text, html = mail.render(notice(consulted, kind), togo_focal)
    togo_focal.language = "en"
    english_subject, english_text, _html = mail.render(notice(consulted, kind), togo_focal)

    for said in (subject, text, html):
        assert consulted.reference in said
        assert "%(" not in said
        assert "{{" not in said
    assert subject.startswith("[TA Tracker] ")
    if language != "en":
        assert subject != english_subject
        assert text.split("\n")[0] != english_text.split("\n")[0]  # the greeting too
    with translation.override(language):
        assert text.startswith(translation.gettext("Dear %(name)s,") % {"name": "afi"})
    direction = "rtl" if language == "ar" else "ltr"
    assert f'<html lang="{language}" dir="{direction}">' in html


def test_an_arabic_reminder_counts_its_days_in_arabic_plural_forms(consulted, officer):
    """Arabic has six plural forms: the subject's words change with the number."""
    officer.language = "ar"
    subjects = {
        days: mail.render(notice(consulted, NotificationKind.OVERDUE, days), officer)[0]
        for days in (1, 2, 3, 11, 100)
    }
    with translation.override("ar"):
        forms = {
            days: translation.ngettext(
                "%(reference)s has been waiting %(days)s day in the stage “%(stage)s”",
                "%(reference)s has been waiting %(days)s days in the stage “%(stage)s”",
                days,
            )
            for days in subjects
        }
    assert len(set(forms.values())) >= 4, "Arabic plural forms are missing"
    for days, subject in subjects.items():
        stage = Stage(consulted.stage).label
        with translation.override("ar"):
            wanted = forms[days] % {
                "reference": consulted.reference,
                "days": days,
                "stage": str(stage),
            }
        assert subject == f"[TA Tracker] {wanted}"


def test_russian_counts_days_in_three_plural_forms():
    with translation.override("ru"):
        one, few, many = (
            translation.ngettext("%(days)s day", "%(days)s days", n) % {"days": n}
            for n in (1, 3, 5)
        )
    assert len({one.split()[-1], few.split()[-1], many.split()[-1]}) == 3, (one, few, many)


def test_the_password_reset_email_in_each_language(client, togo_focal, settings):
    settings.PASSWORD_RESET_LIMITS = {"per_address": 10, "per_client": 10}  # six asked here
    togo_focal.email = "afi@example.org"
    togo_focal.save()
    subjects = {}
    for language in LANGUAGES:
        outbox.outbox.clear()
        client.post(
            "/portal/password/reset/", {"email": togo_focal.email}, HTTP_ACCEPT_LANGUAGE=language
        )
        (sent,) = outbox.outbox
        with translation.override(language):
            assert translation.gettext("Choose a new password here:") in sent.body
        subjects[language] = sent.subject
    assert len(set(subjects.values())) == len(LANGUAGES), subjects


def test_a_notice_goes_out_in_each_persons_language(
    consulted, togo_focal, officer, django_capture_on_commit_callbacks
):
    """The account's language drives its e-mails: the same event reaches a focal point
    in Arabic and an officer in Chinese."""
    togo_focal.language, officer.language = "ar", "zh-hans"
    togo_focal.save()
    officer.save()
    outbox.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.write_message(ta_request=consulted, by=togo_focal, text="متى يبدأ التدريب؟")
    (sent,) = [m for m in outbox.outbox if m.to == [officer.email]]
    with translation.override("zh-hans"):
        assert translation.gettext("Read and answer it on the request's page:") in sent.body
        assert translation.gettext("Dear %(name)s,") % {"name": "olga"} in sent.body


def test_an_account_in_a_language_the_service_does_not_speak_is_written_to_in_english(
    consulted, togo_focal
):
    togo_focal.language = "en"
    english = mail.render(notice(consulted, NotificationKind.PLAN_AWAITS_DECISION), togo_focal)
    togo_focal.language = "de"  # an account kept from before a language was removed
    subject, text, html = mail.render(
        notice(consulted, NotificationKind.PLAN_AWAITS_DECISION), togo_focal
    )
    assert (subject, text) == english[:2]
    assert '<html lang="en" dir="ltr">' in html
