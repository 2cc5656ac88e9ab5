"""python manage.py import_data FILE — load an export into an empty, migrated database."""

from __future__ import annotations

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from tracker.models import AssistanceRequest, User


class Command(BaseCommand):
    help = "Load a file written by export_data into an empty database (after migrate)."

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, *args, file, **options):
        if AssistanceRequest.objects.exists() or User.objects.exists():
            raise CommandError(
                "This database already holds requests or accounts: import only into an "
                "empty database (run migrate on a new one first)."
            )
        with transaction.atomic():
            call_command("loaddata", file, verbosity=0)
        self.stdout.write(f"Imported {file}.")
