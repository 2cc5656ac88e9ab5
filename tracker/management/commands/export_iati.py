"""python manage.py export_iati FILE — the requests whose State agreed to their open
publication, as an IATI 2.03 activity file (``tracker.interop.iati``).

The file is written beside FILE and renamed into place once complete, so that a
failed export never leaves a half-written file where a publisher fetches it. ``-``
writes to standard output. The API serves the file that the scheduled task
``tracker.publish_open_data`` keeps at ``IATI_EXPORT_FILE``."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from tracker.interop import iati


class Command(BaseCommand):
    help = "Export the openly published requests as an IATI 2.03 activity file (FILE, or - )."

    def add_arguments(self, parser):
        parser.add_argument("file", help="where to write the XML, or - for standard output")

    def handle(self, *args, file, **options):
        try:
            if file == "-":
                publisher = iati.Publisher.from_settings()
                for piece in iati.document(publisher, iati.published()):
                    sys.stdout.buffer.write(piece)
                return
            target = Path(file)
            if not target.parent.is_dir():
                raise CommandError(f"There is no folder {target.parent} to write {target.name} in.")
            started = time.monotonic()
            written = iati.write(target)
        except iati.NotConfigured as error:
            raise CommandError(error.message) from error
        self.stdout.write(
            f"Wrote {written.activities} activities ({written.size:,} bytes) to {target} "
            f"in {time.monotonic() - started:.1f} s."
        )
