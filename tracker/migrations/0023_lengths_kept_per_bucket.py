import importlib

import django.db.models.functions.datetime
from django.db import migrations, models

# The tallies are derived data: forgotten, and every request counted again by the next
# fold (``manage.py count_figures`` does it at once), as when they took their last form.
kept_in_tenths = importlib.import_module("tracker.migrations.0022_kept_figures_in_tenths")


class Migration(migrations.Migration):
    dependencies = [
        ("tracker", "0022_kept_figures_in_tenths"),
    ]

    operations = [
        migrations.RunPython(kept_in_tenths.forget, migrations.RunPython.noop),
        migrations.RemoveConstraint(model_name="durationtally", name="one_tally_per_length"),
        migrations.RemoveField(model_name="durationtally", name="tenths"),
        migrations.AddField(
            model_name="durationtally",
            name="lengths",
            field=models.TextField(default="", verbose_name="lengths"),
            preserve_default=False,
        ),
        migrations.AddConstraint(
            model_name="durationtally",
            constraint=models.UniqueConstraint(
                fields=("kind", "region", "domain", "year", "bucket"),
                name="one_tally_per_bucket",
            ),
        ),
        migrations.AddField(
            model_name="tallychange",
            name="marked_at",
            field=models.DateTimeField(
                db_default=django.db.models.functions.datetime.Now(),
                verbose_name="time of the change",
            ),
        ),
        migrations.RunPython(kept_in_tenths.count_again, migrations.RunPython.noop),
    ]
