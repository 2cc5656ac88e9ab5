"""python manage.py import_data FILE — load an export (.zip or .json) into an empty,
migrated database; a .zip also puts each document's file back into the storage."""

from __future__ import annotations

import tempfile
import zipfile
from pathlib import Path

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from tracker import documents
from tracker.figures import standing, tallies
from tracker.management.commands.export_data import DATA, FILES
from tracker.models import AssistanceRequest, Document, User


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
        if not file.endswith(".zip"):
            with transaction.atomic():
                call_command("loaddata", file, verbosity=0)
                standing.rebuild()
                tallies.rebuild()
            self.stdout.write(f"Imported {file}.")
            return
        with zipfile.ZipFile(file) as archive, tempfile.TemporaryDirectory() as folder:
            data = Path(folder) / DATA
            data.write_bytes(archive.read(DATA))
            # The records and the files together: a failure leaves neither behind.
            with transaction.atomic(), documents.kept_only_if_done() as saved:
                call_command("loaddata", str(data), verbosity=0)
                standing.rebuild()
                tallies.rebuild()
                for document in Document.objects.all():
                    with archive.open(FILES + document.blob) as content:
                        documents.save(document.blob, content, saved)
                    with documents.open_blob(document.blob) as stored:
                        if documents.sha256(stored) != document.sha256:
                            raise CommandError(
                                f"{document.blob}: the file is not the one recorded."
                            )
        self.stdout.write(f"Imported {file} with {len(saved)} documents.")
