from django.db import migrations, models

TALLIES = ("FigureTally", "DurationTally", "TalliedRequest", "TallyChange")


def forget(apps, schema_editor):
    """The tallies are derived data, kept in a new form: counted again from scratch."""
    for name in TALLIES:
        apps.get_model("tracker", name).objects.all().delete()


def count_again(apps, schema_editor):
    """Every request is counted by the next fold (``manage.py count_figures`` does it at
    once; tracker.figures.tallies)."""
    requests = apps.get_model("tracker", "AssistanceRequest")._meta.db_table
    changes = apps.get_model("tracker", "TallyChange")._meta.db_table
    schema_editor.execute(
        f"INSERT INTO {changes} (request_id) SELECT id FROM {requests}"  # noqa: S608
    )


class Migration(migrations.Migration):
    dependencies = [
        ("tracker", "0021_later_follow_ups"),
    ]

    operations = [
        migrations.RunPython(forget, migrations.RunPython.noop),
        migrations.RemoveConstraint(model_name="durationtally", name="one_tally_per_length"),
        migrations.RemoveField(model_name="durationtally", name="micros"),
        migrations.RemoveField(model_name="durationtally", name="state"),
        migrations.AlterField(
            model_name="durationtally",
            name="region",
            field=models.CharField(blank=True, max_length=32, verbose_name="UN regional group"),
        ),
        migrations.AddField(
            model_name="durationtally",
            name="tenths",
            field=models.IntegerField(default=0, verbose_name="tenths of a day"),
            preserve_default=False,
        ),
        migrations.AddConstraint(
            model_name="durationtally",
            constraint=models.UniqueConstraint(
                fields=("kind", "bucket", "tenths", "region", "domain", "year"),
                name="one_tally_per_length",
            ),
        ),
        migrations.RemoveField(model_name="talliedrequest", name="durations"),
        migrations.RemoveField(model_name="talliedrequest", name="counts"),
        migrations.AddField(
            model_name="talliedrequest",
            name="share",
            field=models.TextField(default="", verbose_name="share"),
            preserve_default=False,
        ),
        migrations.RunPython(count_again, migrations.RunPython.noop),
    ]
