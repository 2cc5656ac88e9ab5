"""python manage.py import_upr_recommendations FILE.csv — UPR recommendations as data."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from tracker.interop import upr


class Command(BaseCommand):
    help = (
        "Import UPR recommendations from a CSV in the public databases' layout "
        "(Recommendation, Recommending State, State under Review, Cycle, Session, "
        "Response, Themes), separated by commas, semicolons or tabs. Every row is checked "
        "first; a bad row imports nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, *args, file, **options):
        try:
            outcome = upr.load_file(file)
        except upr.Unreadable as error:
            raise CommandError(str(error)) from error
        if outcome.problems:
            for problem in outcome.problems:
                self.stderr.write(problem)
            raise CommandError(
                f"{len(outcome.problems)} problem(s) in {file}: nothing was imported."
            )
        self.stdout.write(
            f"Imported {outcome.created} new and {outcome.updated} updated UPR "
            f"recommendations from {file}."
        )
