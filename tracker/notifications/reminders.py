"""What is due, to whom, and sending it exactly once.

- ``sweep`` records every due reminder as a ``Notification`` row, with one
  ``INSERT … SELECT … ON CONFLICT DO NOTHING`` per stage that reads only the requests
  past their service level (index on stage, stage entry), so its cost follows the
  number of due items, not the number of requests. Two sweeps at once record each
  event once (unique request, kind, basis).
- ``notice`` records what a transition tells people, in the transaction of the
  transition itself, so that a notice is never lost nor sent for a rolled-back step.
- ``deliver`` claims a row with a conditional UPDATE and sends only when it won the
  claim; a second worker, a redelivered message or a second sweep finds it claimed
  or sent and does nothing.

A/HRC/43/31 para 30: withdrawn and declined requests get no reminders; closed ones
get only the follow-up evaluations (para 100: effects show late).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q

from tracker import selectors, workflow
from tracker.kernel import clock
from tracker.kernel.vocabulary import FOLLOW_UP_DUE_DAYS, NotificationKind
from tracker.models import (
    AssistanceRequest,
    Message,
    Notification,
    NotificationStatus,
    User,
)
from tracker.notifications import mail
from tracker.workflow import Role, Stage, deadlines

Kind = NotificationKind
Status = NotificationStatus

#: Follow-up evaluations after closing, in days (6 and 12 months); each reminder has
#: its evaluation's name.
FOLLOW_UPS = {Kind(kind.value): days for kind, days in FOLLOW_UP_DUE_DAYS.items()}
#: A follow-up is looked for during this many days after it fell due: a decade of
#: closed requests is not read again at every sweep (their follow-ups are recorded).
FOLLOW_UP_WINDOW = timedelta(days=30)
_SINCE_EVER = datetime(1970, 1, 1, tzinfo=UTC)


def _lease() -> timedelta:
    return timedelta(seconds=settings.REMINDER_CLAIM_LEASE_SECONDS)


# --- what is due -----------------------------------------------------------------------------


def due_rules(now: datetime) -> list[tuple[str, str, datetime, datetime]]:
    """(kind, stage, entered after, entered before): a request in ``stage`` that entered
    it within the interval is due."""
    rules: list[tuple[str, str, datetime, datetime]] = []
    for stage, allowed in deadlines.service_levels().items():
        rules.append((Kind.OVERDUE, stage, _SINCE_EVER, now - allowed))
        rules.append((Kind.ESCALATION, stage, _SINCE_EVER, now - 2 * allowed))
    for kind, days in FOLLOW_UPS.items():
        due = now - timedelta(days=days)
        rules.append((kind, Stage.CLOSED, due - FOLLOW_UP_WINDOW, due))
    return rules


def sweep(now: datetime | None = None) -> list[int]:
    """Record the reminders due at ``now``; return the ids to queue for sending."""
    now = now or clock.now()
    notifications = Notification._meta.db_table
    requests = AssistanceRequest._meta.db_table
    adapt = connection.ops.adapt_datetimefield_value
    with transaction.atomic():
        with connection.cursor() as cursor:
            for kind, stage, entered_after, entered_before in due_rules(now):
                cursor.execute(
                    f"""
                    INSERT INTO {notifications}
                        (request_id, kind, stage, basis, status, created_at, attempts,
                         recipients, last_error)
                    SELECT id, %s, stage, stage_entered_at, %s, %s, 0, '', ''
                    FROM {requests}
                    WHERE stage = %s AND stage_entered_at >= %s AND stage_entered_at < %s
                    ON CONFLICT DO NOTHING
                    """,  # noqa: S608 (table names from the models; values are parameters)
                    [
                        kind,
                        Status.PENDING,
                        adapt(now),
                        stage,
                        adapt(entered_after),
                        adapt(entered_before),
                    ],
                )
        return _take_unqueued(now)


def _take_unqueued(now: datetime) -> list[int]:
    """Pending rows never queued, or queued so long ago that the message was lost."""
    stale = Q(queued_at__isnull=True) | Q(queued_at__lt=now - _lease())
    ids = list(
        Notification.objects.filter(stale, status=Status.PENDING).values_list("pk", flat=True)
    )
    Notification.objects.filter(pk__in=ids).update(queued_at=now)
    return ids


def notice(
    ta_request: AssistanceRequest, kind: str, at: datetime, *, message: Message | None = None
) -> Notification | None:
    """Record a notice of a transition or a message, once; the new row, for the caller
    to queue after its transaction commits (None if it was recorded already)."""
    notification, created = Notification.objects.get_or_create(
        request=ta_request,
        kind=kind,
        basis=at,
        defaults={
            "stage": ta_request.stage,
            "created_at": at,
            "queued_at": at,
            "message": message,
        },
    )
    return notification if created else None


def discard_notices(ta_request: AssistanceRequest, reason: str) -> None:
    """Notices of a replayed past (demo data) are recorded but never sent."""
    replayed = {*workflow.NOTICES.values(), Kind.MESSAGE}
    Notification.objects.filter(
        request=ta_request, status=Status.PENDING, kind__in=replayed
    ).update(status=Status.SKIPPED, last_error=reason)


# --- to whom ---------------------------------------------------------------------------------


def _officers_of(ta_request: AssistanceRequest) -> list[User]:
    if ta_request.officer is not None and ta_request.officer.is_active:
        return [ta_request.officer]
    # Nobody assigned yet: every officer hears of it.
    return list(selectors.officers())


def _focal_points_of(ta_request: AssistanceRequest) -> list[User]:
    return list(
        User.objects.filter(
            role=Role.FOCAL_POINT, member_state_id=ta_request.requesting_state_id, is_active=True
        )
    )


def _state_of(ta_request: AssistanceRequest) -> list[User]:
    # A State that deals with us on paper only: its officer chases it by note verbale.
    return _focal_points_of(ta_request) or _officers_of(ta_request)


def _other_side(notification: Notification) -> list[User]:
    """A message goes to the other side of the dialogue: the State's message to the
    secretariat, the secretariat's to the State's focal points. Internal notes are
    never notified (they are not in the dialogue)."""
    message = notification.message
    if message is None or message.internal:
        return []
    if workflow.is_focal_point(message.author):
        return _officers_of(notification.request)
    return _focal_points_of(notification.request)


def recipients(notification: Notification) -> list[User]:
    ta_request = notification.request
    kind = notification.kind
    if kind == Kind.OVERDUE:
        return _state_of(ta_request) if ta_request.state_must_decide() else _officers_of(ta_request)
    if kind == Kind.ESCALATION:
        officer = ta_request.officer
        return [officer.supervisor] if officer and officer.supervisor else []
    if kind in (Kind.PLAN_AWAITS_DECISION, Kind.ACCEPTED, Kind.DECLINED, Kind.CLOSED):
        return _state_of(ta_request)
    if kind == Kind.MESSAGE:
        return _other_side(notification)
    return _officers_of(ta_request)


def still_due(notification: Notification) -> bool:
    """A reminder whose request moved on since it fell due is not sent."""
    ta_request = notification.request
    if notification.kind in (Kind.OVERDUE, Kind.ESCALATION):
        return bool(
            ta_request.stage == notification.stage
            and ta_request.stage_entered_at == notification.basis
        )
    if notification.kind in FOLLOW_UPS:
        # Satisfied once its evaluation is recorded; cancelled if the State withdrew
        # its consent to follow-up.
        return bool(
            ta_request.stage == Stage.CLOSED
            and ta_request.consents_to_follow_up()
            and not ta_request.evaluations.filter(kind=notification.kind).exists()
        )
    return True


# --- sending exactly once ----------------------------------------------------------------------


def claim(notification_id: int) -> bool:
    """Take the row for this worker; False if it is sent, skipped, failed or held."""
    now = clock.now()
    claimed = Notification.objects.filter(
        Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - _lease()),
        pk=notification_id,
        status=Status.PENDING,
    ).update(claimed_at=now, attempts=F("attempts") + 1)
    return claimed == 1


def deliver(notification_id: int) -> str:
    """Send one notification if this worker claims it. Returns its status afterwards."""
    if not claim(notification_id):
        return "not claimed"
    notification = Notification.objects.select_related(
        "request__requesting_state", "request__officer__supervisor", "message__author"
    ).get(pk=notification_id)
    if not still_due(notification):
        _finish(notification, Status.SKIPPED, error="No longer due: the request moved on.")
        return Status.SKIPPED
    people = [u for u in recipients(notification) if u.email]
    if not people:
        _finish(notification, Status.SKIPPED, error="Nobody to tell (no e-mail address).")
        return Status.SKIPPED
    mail.send(notification, people)  # raises on failure: the task retries
    _finish(notification, Status.SENT, sent_to=people)
    return Status.SENT


def _finish(
    notification: Notification,
    status: str,
    *,
    error: str = "",
    sent_to: tuple[User, ...] | list[User] = (),
) -> None:
    Notification.objects.filter(pk=notification.pk).update(
        status=status,
        sent_at=clock.now() if status == Status.SENT else None,
        recipients=", ".join(u.email for u in sent_to),
        last_error=error,
    )


def release(notification_id: int, error: str, *, final: bool) -> None:
    """After a failed attempt: let a retry claim it again, or record the failure for good."""
    Notification.objects.filter(pk=notification_id, status=Status.PENDING).update(
        claimed_at=None,
        last_error=error[:2000],
        **({"status": Status.FAILED} if final else {}),
    )
