"""python manage.py export_iati FILE — the requests whose State agreed to their open
publication, as an IATI 2.03 activity file (``tracker.iati``).

The file is written beside FILE and renamed into place once complete, so that a
failed export never leaves a half-written file where a publisher fetches it. ``-``
writes to standard output."""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from tracker import iati


class Command(BaseCommand):
    help = "Export the openly published requests as an IATI 2.03 activity file (FILE, or - )."

    def add_arguments(self, parser):
        parser.add_argument("file", help="where to write the XML, or - for standard output")

    def handle(self, *args, file, **options):
        try:
            publisher = iati.Publisher.from_settings()
        except iati.NotConfigured as error:
            raise CommandError(error.message) from error
        started = time.monotonic()
        counted = _Counted(iati.published())
        if file == "-":
            _write(sys.stdout.buffer, publisher, counted)
            return
        target = Path(file)
        if not target.parent.is_dir():
            raise CommandError(f"There is no folder {target.parent} to write {target.name} in.")
        descriptor, partial = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
        try:
            with os.fdopen(descriptor, "wb") as out:
                _write(out, publisher, counted)
            os.replace(partial, target)
        finally:
            if os.path.exists(partial):
                os.unlink(partial)
        self.stdout.write(
            f"Wrote {counted.count} activities ({target.stat().st_size:,} bytes) to {target} "
            f"in {time.monotonic() - started:.1f} s."
        )


class _Counted:
    """The requests, counted as they go by (the export reads them once)."""

    def __init__(self, requests):
        self.requests = requests
        self.count = 0

    def __iter__(self):
        for ta_request in self.requests:
            self.count += 1
            yield ta_request


def _write(out, publisher, requests) -> None:
    for piece in iati.document(publisher, iter(requests)):
        out.write(piece)
