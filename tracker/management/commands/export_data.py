"""python manage.py export_data FILE — every TA Tracker record, and the documents' files.

FILE ending in .zip holds everything: the records (data.json) and each document's
bytes (documents/<stored name>). FILE ending in .json holds the records only."""

from __future__ import annotations

import tempfile
import zipfile
from pathlib import Path

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from tracker import documents
from tracker.models import Document

#: What a backup holds: the tracker app (users included) with its groups by name.
#: API tokens are left out on purpose: people ask for new ones after a restore.
EXPORTED = ["tracker"]
#: Figures derived from the records: the import computes them again.
DERIVED = [
    "tracker.StandingCount",
    "tracker.FigureTally",
    "tracker.DurationTally",
    "tracker.TalliedRequest",
    "tracker.TallyChange",
]
#: Inside a .zip backup.
DATA = "data.json"
FILES = "documents/"


class Command(BaseCommand):
    help = "Export all TA Tracker data to FILE.zip (records and documents) or FILE.json."

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, *args, file, **options):
        if file.endswith(".zip"):
            count = self._archive(Path(file))
            self.stdout.write(f"Exported TA Tracker data and {count} documents to {file}.")
            return
        if not file.endswith(".json"):
            raise CommandError("Name the file .zip (records and documents) or .json (records).")
        _dump(file)
        self.stdout.write(f"Exported TA Tracker data to {file}.")
        if left_out := Document.objects.count():
            self.stderr.write(
                f"The {left_out} documents' files are not in a .json export: "
                "name the file .zip to include them."
            )

    def _archive(self, path: Path) -> int:
        blobs = list(Document.objects.values_list("blob", flat=True))
        with tempfile.TemporaryDirectory() as folder:
            data = Path(folder) / DATA
            _dump(str(data))
            with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
                archive.write(data, DATA)
                for blob in blobs:
                    with (
                        documents.open_blob(blob) as content,
                        archive.open(FILES + blob, "w") as target,
                    ):
                        while chunk := content.read(1 << 20):
                            target.write(chunk)
        return len(blobs)


def _dump(output: str) -> None:
    call_command(
        "dumpdata",
        *EXPORTED,
        exclude=DERIVED,
        natural_foreign=True,
        format="backup-json",
        indent=1,
        output=output,
        verbosity=0,
    )
