"""python manage.py adduser USERNAME --role ROLE [--state ISO3] [--password P]"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from tracker import services
from tracker.kernel.errors import DomainError
from tracker.workflow import Role


class Command(BaseCommand):
    help = "Create a TA Tracker account: a State focal point, a secretariat officer or an analyst."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=Role.values)
        parser.add_argument("--state", help="ISO3 code of the State a focal point speaks for")
        parser.add_argument("--password", help="without it, a random password is printed")
        parser.add_argument("--email", default="")
        parser.add_argument(
            "--language", choices=[code for code, _name in settings.LANGUAGES], default="en"
        )

    def handle(self, *args, **options):
        password = options["password"] or secrets.token_urlsafe(12)
        try:
            user = services.create_account(
                username=options["username"],
                role=options["role"],
                password=password,
                state=options["state"],
                email=options["email"],
                language=options["language"],
            )
        except DomainError as error:
            raise CommandError(str(error)) from error
        speaks_for = f" for {user.member_state.name_en}" if user.member_state else ""
        self.stdout.write(f"Created {user.username} ({user.get_role_display()}{speaks_for}).")
        if not options["password"]:
            self.stdout.write(f"Password: {password}")
