"""A real Celery worker on the configured broker (Redis in CI's PostgreSQL run, the
filesystem transport on the embedded default) delivers each reminder exactly once,
even when two beats sweep and messages are delivered twice."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from amqp.exceptions import ChannelError
from celery.contrib.testing.worker import start_worker
from django.core import mail
from django.utils import timezone

from config.celery import app
from tests.factories import FocalPointFactory, UserFactory
from tracker import services, tasks
from tracker.kernel import clock
from tracker.models import Notification, NotificationStatus

# Slow: bin/test --fast leaves it out; CI runs it.
pytestmark = pytest.mark.slow


def wait_until(condition, timeout=60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("reference_data")
def test_a_real_worker_delivers_each_reminder_once(togo, senegal):
    app.conf.task_always_eager = False
    UserFactory(username="olga", email="olga@example.org")
    afi = FocalPointFactory(username="afi", member_state=togo, email="afi@example.org")
    moussa = FocalPointFactory(username="moussa", member_state=senegal, email="moussa@ex.org")
    with clock.at(timezone.now() - timedelta(days=20)):
        for by in (afi, moussa, afi):
            services.open_request(by=by, title="Overdue request")

    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
        # two beats sweep at the same moment
        tasks.sweep_reminders.delay()
        tasks.sweep_reminders.delay()
        assert wait_until(
            lambda: Notification.objects.filter(status=NotificationStatus.SENT).count() == 3
        ), list(Notification.objects.values_list("status", "last_error"))
        # every message delivered a second time (a redelivery after a lost ack)
        for notification_id in Notification.objects.values_list("pk", flat=True):
            tasks.deliver.delay(notification_id)
        assert wait_until(_queue_empty, timeout=30)
        time.sleep(2)  # the last message taken is being worked on

    assert Notification.objects.count() == 3
    assert sorted(m.to[0] for m in mail.outbox) == ["olga@example.org"] * 3
    assert all(n.attempts == 1 for n in Notification.objects.all())


def _queue_empty() -> bool:
    with app.connection_for_read() as connection:
        try:
            declared = connection.default_channel.queue_declare("celery", passive=True)
        except ChannelError:  # Redis drops a queue's key once it is empty
            return True
        return declared.message_count == 0
