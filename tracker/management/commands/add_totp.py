"""python manage.py add_totp USERNAME — give a staff account a TOTP second factor."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django_otp.plugins.otp_totp.models import TOTPDevice

from tracker.models import User


class Command(BaseCommand):
    help = (
        "Create a TOTP device for a staff account and print the otpauth:// address to "
        "scan in an authenticator app. Superusers cannot use the admin without one."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="authenticator")

    def handle(self, *args, username, name, **options):
        user = User.objects.filter(username=username, is_staff=True).first()
        if user is None:
            raise CommandError(f"There is no staff account “{username}”.")
        device = TOTPDevice.objects.create(user=user, name=name, confirmed=True)
        self.stdout.write(f"Scan this in an authenticator app, then log in with its code:\n"
                          f"{device.config_url}")  # fmt: skip
