"""python manage.py add_totp USERNAME — give a staff account a TOTP second factor."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django_otp.plugins.otp_totp.models import TOTPDevice

from tracker.models import User
from tracker.web import signin


class Command(BaseCommand):
    help = (
        "Give a staff account an authenticator (TOTP) and new backup codes, as the "
        "admin's two-factor page does, and print the otpauth:// address to scan. The "
        "account's API tokens are revoked: new ones need the code."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="authenticator")

    def handle(self, *args, username, name, **options):
        user = User.objects.filter(username=username, is_staff=True).first()
        if user is None:
            raise CommandError(f"There is no staff account “{username}”.")
        device = TOTPDevice.objects.create(user=user, name=name, confirmed=False)
        codes = signin.confirm(device)
        self.stdout.write("Backup codes (each signs in once; give them to the person):")
        self.stdout.write("  " + "  ".join(codes))
        self.stdout.write("Scan this in an authenticator app, then sign in with its code:")
        self.stdout.write(device.config_url)
