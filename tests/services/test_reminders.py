"""Reminders: what is due when, to whom, in which language, and sent once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail

from tests.factories import FocalPointFactory, UserFactory
from tests.journeys import propose
from tracker import services
from tracker.demo.scenarios import bring_to
from tracker.kernel import clock
from tracker.kernel.errors import Refused
from tracker.kernel.vocabulary import NotificationKind
from tracker.models import MemberState, Notification, NotificationStatus
from tracker.notifications import reminders
from tracker.workflow import Stage

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
Kind = NotificationKind


@pytest.fixture
def supervisor(db):
    return UserFactory(username="sam", email="sam@example.org")


@pytest.fixture
def olga(supervisor):
    return UserFactory(username="olga", email="olga@example.org", supervisor=supervisor)


@pytest.fixture
def afi(togo):
    return FocalPointFactory(
        username="afi", member_state=togo, email="afi@example.org", language="fr"
    )


def opened_at(moment, by, stage=Stage.REQUESTED, officer=None, **kwargs):
    """A Togo request opened at ``moment`` and brought to ``stage`` the same instant."""
    with clock.at(moment):
        ta_request = services.open_request(by=by, title="Truth commission")
        return bring_to(ta_request, stage, officer=officer, focal_point=by, **kwargs)


def due(now) -> set[tuple[str, str]]:
    reminders.sweep(now)
    return {(n.kind, n.stage) for n in Notification.objects.filter(kind__in=_REMINDER_KINDS)}


_REMINDER_KINDS = [Kind.OVERDUE, Kind.ESCALATION, Kind.FOLLOW_UP_6, Kind.FOLLOW_UP_12]


def reminder_mails(now):
    """Sweep at ``now`` and deliver the reminders found; return the e-mails they sent.

    (The sweep also re-queues notices of the transitions that set the scene: their
    queueing after commit never happens inside a test transaction.)
    """
    mail.outbox.clear()
    ids = reminders.sweep(now)
    for notification in Notification.objects.filter(pk__in=ids, kind__in=_REMINDER_KINDS):
        reminders.deliver(notification.pk)
    return list(mail.outbox)


# --- what is due when ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("days", "expected"),
    [
        (13, set()),
        (14, set()),  # exactly the service level: not yet overdue
        (15, {(Kind.OVERDUE, Stage.REQUESTED)}),
        (28, {(Kind.OVERDUE, Stage.REQUESTED)}),
        (29, {(Kind.OVERDUE, Stage.REQUESTED), (Kind.ESCALATION, Stage.REQUESTED)}),
    ],
)
def test_boundary_days_of_a_new_request(afi, days, expected):
    opened_at(T0, afi)
    assert due(T0 + timedelta(days=days)) == expected


def test_service_levels_are_configurable(afi, settings):
    settings.SERVICE_LEVEL_DAYS = {"requested": 3}
    opened_at(T0, afi)
    assert due(T0 + timedelta(days=4)) == {(Kind.OVERDUE, Stage.REQUESTED)}


def test_a_request_that_moves_on_starts_a_new_clock(afi, olga):
    ta_request = opened_at(T0, afi)
    assert due(T0 + timedelta(days=15)) == {(Kind.OVERDUE, Stage.REQUESTED)}
    with clock.at(T0 + timedelta(days=16)):
        services.take_transition(ta_request=ta_request, name="accept", by=olga)
    assert due(T0 + timedelta(days=16 + 90)) == {(Kind.OVERDUE, Stage.REQUESTED)}
    assert due(T0 + timedelta(days=16 + 91)) == {
        (Kind.OVERDUE, Stage.REQUESTED),
        (Kind.OVERDUE, Stage.NEEDS_ASSESSMENT),
    }


@pytest.mark.parametrize(
    ("days_after_closing", "expected"),
    [
        (181, set()),
        (183, {(Kind.FOLLOW_UP_6, Stage.CLOSED)}),
        (366, {(Kind.FOLLOW_UP_12, Stage.CLOSED)}),  # the 6-month one was due long ago
        (500, set()),  # past the window: its sweeps already recorded it
    ],
)
def test_follow_up_evaluations_after_closing(afi, olga, days_after_closing, expected):
    opened_at(T0, afi, Stage.CLOSED, officer=olga)
    assert due(T0 + timedelta(days=days_after_closing)) == expected


@pytest.mark.parametrize("stage", [Stage.WITHDRAWN, Stage.DECLINED])
def test_no_reminders_after_withdrawal_or_decline(afi, olga, stage):
    opened_at(T0, afi, stage, officer=olga)
    assert due(T0 + timedelta(days=1000)) == set()


def test_the_sweep_reads_only_due_requests(afi, olga, django_assert_max_num_queries):
    for _ in range(20):
        opened_at(T0, afi)
    # one INSERT … SELECT per rule, then the pending rows: not one query per request
    with django_assert_max_num_queries(len(reminders.due_rules(T0)) + 4):
        reminders.sweep(T0 + timedelta(days=15))
    assert Notification.objects.filter(kind=Kind.OVERDUE).count() == 20


# --- exactly once -------------------------------------------------------------------------


def test_a_double_sweep_records_each_event_once(afi):
    opened_at(T0, afi)
    first = reminders.sweep(T0 + timedelta(days=15))
    second = reminders.sweep(T0 + timedelta(days=15, minutes=5))
    assert len(first) == 1
    assert second == []  # already queued
    assert Notification.objects.count() == 1


def test_a_duplicate_delivery_sends_one_email(afi, olga):
    opened_at(T0, afi)
    (notification_id,) = reminders.sweep(T0 + timedelta(days=15))
    assert reminders.deliver(notification_id) == "sent"
    assert reminders.deliver(notification_id) == "not claimed"
    assert len(mail.outbox) == 2  # olga and sam, the two officers: nobody was assigned


def test_a_message_lost_with_its_worker_is_queued_again_after_the_lease(afi, olga, settings):
    opened_at(T0, afi)
    now = T0 + timedelta(days=15)
    (notification_id,) = reminders.sweep(now)
    with time_machine.travel(now, tick=False):
        assert reminders.claim(notification_id)  # a worker took it, then died
    lease = timedelta(seconds=settings.REMINDER_CLAIM_LEASE_SECONDS + 1)
    assert reminders.sweep(now + lease) == [notification_id]
    with time_machine.travel(now + timedelta(seconds=5), tick=False):
        assert not reminders.claim(notification_id)  # still held by the dead worker
    with time_machine.travel(now + lease, tick=False):
        assert reminders.deliver(notification_id) == "sent"


# --- to whom, in which language -------------------------------------------------------------


def test_the_state_is_reminded_when_it_must_decide(afi, olga):
    ta_request = opened_at(T0, afi, Stage.CONSULTATION, officer=olga)
    with clock.at(T0):
        propose(ta_request, olga)
    overdue = reminder_mails(T0 + timedelta(days=31))
    assert [m.to for m in overdue] == [["afi@example.org"]]
    assert overdue[0].subject.startswith("[TA Tracker] TA-")
    assert "attend depuis 31 jours" in overdue[0].subject  # afi reads French
    assert "La version 1 du plan attend la décision de l’État." in overdue[0].body
    assert overdue[0].alternatives[0].mimetype == "text/html"


def test_the_officer_is_reminded_when_the_secretariat_must_act(afi, olga):
    opened_at(T0, afi, Stage.NEEDS_ASSESSMENT, officer=olga)
    sent = reminder_mails(T0 + timedelta(days=91))
    assert [m.to for m in sent] == [["olga@example.org"]]
    assert "has been waiting 91 days in the stage “Needs assessment”" in sent[0].subject


def test_the_supervisor_is_told_past_twice_the_time(afi, olga):
    opened_at(T0, afi, Stage.NEEDS_ASSESSMENT, officer=olga)
    sent = reminder_mails(T0 + timedelta(days=181))
    assert sorted(m.to[0] for m in sent) == ["olga@example.org", "sam@example.org"]
    escalation = next(m for m in sent if m.to == ["sam@example.org"])
    assert "Escalation" in escalation.subject


def test_no_escalation_without_a_supervisor(afi, supervisor):
    opened_at(T0, afi, Stage.NEEDS_ASSESSMENT, officer=supervisor)
    reminder_mails(T0 + timedelta(days=181))
    escalation = Notification.objects.get(kind=Kind.ESCALATION)
    assert escalation.status == NotificationStatus.SKIPPED


def test_a_reminder_for_a_request_that_moved_on_is_skipped(afi, olga):
    ta_request = opened_at(T0, afi)
    (notification_id,) = reminders.sweep(T0 + timedelta(days=15))
    services.take_transition(ta_request=ta_request, name="withdraw", by=afi)
    assert reminders.deliver(notification_id) == NotificationStatus.SKIPPED
    assert not [m for m in mail.outbox if "waiting" in m.subject]


# --- failures ----------------------------------------------------------------------------------


def test_a_failed_send_is_retried_then_recorded(afi, olga, settings):
    from tracker import tasks

    opened_at(T0, afi)
    (notification_id,) = reminders.sweep(T0 + timedelta(days=15))
    settings.MAILERS = {"default": {"BACKEND": "tests.services.test_reminders.BrokenBackend"}}
    result = tasks.deliver.apply(args=[notification_id])  # eager: retries run inline
    assert result.get(propagate=False) == "failed"
    notification = Notification.objects.get(pk=notification_id)
    assert notification.status == NotificationStatus.FAILED
    assert notification.attempts == tasks.MAX_RETRIES + 1
    assert "SMTP server said no" in notification.last_error


class BrokenBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("SMTP server said no")


# --- notices of transitions --------------------------------------------------------------------


def test_the_state_hears_a_plan_awaits_its_decision(afi, olga, django_capture_on_commit_callbacks):
    ta_request = opened_at(T0, afi, Stage.CONSULTATION, officer=olga)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        propose(ta_request, olga)
    assert [(m.to, m.subject) for m in mail.outbox] == [
        (
            ["afi@example.org"],
            f"[TA Tracker] Un plan attend votre décision : {ta_request.reference}",
        )
    ]


def test_the_officer_hears_the_state_approved(afi, olga, django_capture_on_commit_callbacks):
    ta_request = opened_at(T0, afi, Stage.CONSULTATION, officer=olga)
    propose(ta_request, olga)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.take_transition(ta_request=ta_request, name="approve_plan", by=afi)
    assert [(m.to, m.subject) for m in mail.outbox] == [
        (
            ["olga@example.org"],
            f"[TA Tracker] Togo approved plan version 1 of {ta_request.reference}",
        )
    ]


def test_nothing_is_sent_for_a_refused_transition(afi, olga, django_capture_on_commit_callbacks):
    ta_request = opened_at(T0, afi, Stage.CONSULTATION, officer=olga)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(Refused):
        services.take_transition(ta_request=ta_request, name="approve_plan", by=afi)
    assert not Notification.objects.filter(kind=Kind.PLAN_APPROVED).exists()
    assert mail.outbox == []


def test_a_state_without_focal_points_is_chased_by_its_officer(
    olga, django_capture_on_commit_callbacks
):
    senegal = MemberState.objects.get(pk="SEN")
    from tests.factories import open_request

    ta_request = open_request(olga, state=senegal.pk)
    ta_request = bring_to(ta_request, Stage.CONSULTATION, officer=olga)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        propose(ta_request, olga)
    assert [m.to for m in mail.outbox] == [["olga@example.org"]]
