"""Celery tasks: ids in, claim, call, retry. The logic is in tracker.notifications.reminders.

Both tasks are idempotent, so they run with ``acks_late`` and
``task_reject_on_worker_lost`` (settings): a message whose worker died is delivered
again, and the claim makes sure the e-mail still goes out once.
"""

from __future__ import annotations

import logging

from celery import shared_task
from django.core.cache import cache

from tracker.figures import tallies
from tracker.interop import iati
from tracker.notifications import reminders

log = logging.getLogger(__name__)

MAX_RETRIES = 5


@shared_task(name="tracker.sweep_reminders", acks_late=True)
def sweep_reminders() -> int:
    """Record what fell due and queue one delivery per notification (beat runs this)."""
    ids = reminders.sweep()
    for notification_id in ids:
        deliver.delay(notification_id)
    return len(ids)


@shared_task(name="tracker.deliver", bind=True, acks_late=True, max_retries=MAX_RETRIES)
def deliver(self, notification_id: int) -> str:
    try:
        return reminders.deliver(notification_id)
    except Exception as error:  # the mail server, mostly: try again later
        final = self.request.retries >= MAX_RETRIES
        reminders.release(notification_id, f"{type(error).__name__}: {error}", final=final)
        if final:
            log.exception("Notification %s failed for good", notification_id)
            return "failed"
        # 30 s, 1 min, 2 min, 4 min, 8 min: well inside Redis' visibility timeout.
        raise self.retry(exc=error, countdown=30 * 2**self.request.retries) from error


#: One export at a time; the lock outlives the slowest export (a million requests).
EXPORT_LOCK, EXPORT_LOCK_SECONDS = "tracker.publish_open_data", 2 * 3600
#: Set by every call before it looks at the lock: the export holding the lock writes
#: the file again when it ends, so a decision taken while it ran (which it may have
#: read before the change) is in the file at once, not an hour later.
EXPORT_AGAIN = "tracker.publish_open_data.again"


@shared_task(name="tracker.publish_open_data")
def publish_open_data() -> int | None:
    """Write the open-data file the API serves (beat runs it; a change the file shows
    queues it): the number of activities, None when not written here
    (another export is running and will write again) or not published."""
    cache.set(EXPORT_AGAIN, True, EXPORT_LOCK_SECONDS)
    written = None
    while cache.get(EXPORT_AGAIN):
        if not cache.add(EXPORT_LOCK, "running", EXPORT_LOCK_SECONDS):
            return None  # the running export sees the flag and writes again
        try:
            cache.delete(EXPORT_AGAIN)
            written = iati.refresh()
        finally:
            cache.delete(EXPORT_LOCK)
    return written.activities if written else None


@shared_task(name="tracker.count_figures")
def count_figures() -> int:
    """Fold into the kept figures the changes made since (queued after each write, and
    by beat every 15 s, so that readings find few to add): the requests counted again."""
    return tallies.fold()
