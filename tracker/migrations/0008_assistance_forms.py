"""The forms of assistance of a request are ``assistance_forms`` (``forms`` read like
Django's module); the API still names them ``forms``."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("tracker", "0007_consent_history_entry"),
    ]

    operations = [
        migrations.RenameField(
            model_name="assistancerequest", old_name="forms", new_name="assistance_forms"
        ),
    ]
