"""python manage.py count_figures — fold what waits into the kept figures now, or count
every request again (``--rebuild``: after a bulk load or a change of TIME_ZONE)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from tracker.figures import standing, tallies


class Command(BaseCommand):
    help = (
        "Fold the changes waiting into the kept figures now (the worker does it after each "
        "write); --rebuild counts every request again, the standing backlog too."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--rebuild", action="store_true", help="count everything again from the records"
        )

    def handle(self, *args, **options):
        if options["rebuild"]:
            counted = tallies.rebuild()
            standing.rebuild()
            self.stdout.write(f"Counted {counted} requests again from the records.")
        else:
            self.stdout.write(f"Folded the changes of {tallies.fold()} requests.")
