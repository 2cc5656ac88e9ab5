"""python manage.py sweep_reminders — queue a sweep now instead of waiting for beat."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from tracker import tasks


class Command(BaseCommand):
    help = "Queue a reminder sweep now (beat runs one every REMINDER_SWEEP_SECONDS)."

    def handle(self, *args, **options):
        tasks.sweep_reminders.delay()
        self.stdout.write("Reminder sweep queued; a worker will send what is due.")
