"""python manage.py import_upr_recommendations FILE.csv — UPR recommendations as data."""

from __future__ import annotations

import csv

from django.core.management.base import BaseCommand, CommandError

from tracker import upr


class Command(BaseCommand):
    help = (
        "Import UPR recommendations from a CSV in the public databases' layout "
        "(Recommendation, Recommending State, State under Review, Cycle, Session, "
        "Response, Themes). Every row is checked first; a bad row imports nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, *args, file, **options):
        try:
            outcome = upr.load_file(file)
        except (OSError, UnicodeDecodeError, csv.Error) as error:
            raise CommandError(f"{file} cannot be read as UTF-8 text: {error}") from error
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
