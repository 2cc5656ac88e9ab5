"""Each consent record points at the history row written with it; rows recorded before
are linked once here, by the moment both were written (the same transaction)."""

import django.db.models.deletion
from django.db import migrations, models


def link_existing(apps, schema_editor):
    Consent = apps.get_model("tracker", "Consent")
    HistoryEntry = apps.get_model("tracker", "HistoryEntry")
    for consent in Consent.objects.filter(history_entry__isnull=True).iterator():
        entry = (
            HistoryEntry.objects.filter(request_id=consent.request_id, at=consent.recorded_at)
            .order_by("pk")
            .first()
        )
        if entry is not None:
            Consent.objects.filter(pk=consent.pk).update(history_entry=entry)


class Migration(migrations.Migration):
    dependencies = [
        ("tracker", "0006_priorities_reviewed_at"),
    ]

    operations = [
        migrations.AddField(
            model_name="consent",
            name="history_entry",
            field=models.OneToOneField(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="consent",
                to="tracker.historyentry",
            ),
        ),
        migrations.RunPython(link_existing, migrations.RunPython.noop),
    ]
