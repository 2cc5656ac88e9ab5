"""python manage.py load_demo — the report's own cases, spread over every stage."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from tracker import demo


class Command(BaseCommand):
    help = (
        "Load demo accounts and the assistance cases A/HRC/43/31 describes (paras 65-68, "
        "80-88), each brought to its stage through the real transitions. Idempotent."
    )

    def handle(self, *args, **options):
        if settings.PRODUCTION:
            # Its accounts share a password printed in README: whoever reads it first could
            # sign in, and under STAFF_TWO_FACTOR=required enrol their own authenticator.
            raise CommandError(
                "load_demo does not run with DJANGO_ENV=production: its accounts share a "
                "published password. Load the demo on a development or staging instance."
            )
        try:
            added = demo.load()
        except demo.BrokenSample as error:
            raise CommandError(str(error)) from error
        if added:
            self.stdout.write(f"Loaded {len(added)} demo requests: {', '.join(added)}.")
        else:
            self.stdout.write("Demo data already loaded; nothing changed.")
        self.stdout.write(f"Demo accounts (password {demo.DEMO_PASSWORD}):")
        for account in demo.ACCOUNTS:
            state = f" for {account.state}" if account.state else ""
            self.stdout.write(f"  {account.username:8} {account.role}{state}")
