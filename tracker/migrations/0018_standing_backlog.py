from django.db import migrations, models


def rebuild(apps, schema_editor):
    """The standing backlog of the history already written."""
    from tracker.figures import standing

    standing.rebuild(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("tracker", "0017_open_publication"),
    ]

    operations = [
        migrations.CreateModel(
            name="StandingCount",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "stage",
                    models.CharField(
                        choices=[
                            ("requested", "Requested"),
                            ("needs_assessment", "Needs assessment"),
                            ("consultation", "Consultation"),
                            ("implementation", "Implementation"),
                            ("evaluation", "Evaluation"),
                            ("closed", "Closed"),
                            ("withdrawn", "Withdrawn"),
                            ("declined", "Declined"),
                        ],
                        max_length=32,
                        verbose_name="stage",
                    ),
                ),
                (
                    "region",
                    models.CharField(
                        choices=[
                            ("AFRICA", "African States"),
                            ("ASIA_PACIFIC", "Asia-Pacific States"),
                            ("EASTERN_EUROPE", "Eastern European States"),
                            ("LATIN_AMERICA_CARIBBEAN", "Latin American and Caribbean States"),
                            ("WESTERN_EUROPE_OTHERS", "Western European and other States"),
                            ("NONE", "No regional group"),
                        ],
                        max_length=32,
                        verbose_name="UN regional group",
                    ),
                ),
                ("day", models.DateField(verbose_name="day")),
                ("total", models.IntegerField(verbose_name="requests")),
            ],
            options={
                "verbose_name": "standing count",
                "verbose_name_plural": "standing counts",
                "constraints": [
                    models.UniqueConstraint(
                        fields=("stage", "region", "day"), name="one_count_per_day"
                    )
                ],
            },
        ),
        migrations.RunPython(rebuild, migrations.RunPython.noop),
    ]
