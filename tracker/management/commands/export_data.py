"""python manage.py export_data FILE — every TA Tracker record, as JSON."""

from __future__ import annotations

from django.core.management import call_command
from django.core.management.base import BaseCommand

#: What a backup holds: the tracker app (users included) with its groups by name.
#: API tokens are left out on purpose: people ask for new ones after a restore.
EXPORTED = ["tracker"]


class Command(BaseCommand):
    help = "Export all TA Tracker data to a JSON file (see import_data)."

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, *args, file, **options):
        call_command(
            "dumpdata",
            *EXPORTED,
            natural_foreign=True,
            indent=1,
            output=file,
            verbosity=0,
        )
        self.stdout.write(f"Exported TA Tracker data to {file}.")
