import csv
from pathlib import Path

from django.db import migrations, models

DATA = Path(__file__).resolve().parent.parent / "data" / "member_states.csv"

# OECD DAC 5-digit purpose codes of the domains that have a more precise one than
# 15160 "Human rights" (the default): the open-data export's sectors.
DAC_SECTORS = {
    "legislation": "15130",  # Legal and judicial development
    "justice": "15130",
    "detention": "15130",
    "elections": "15151",  # Elections
}


def fill(apps, schema_editor):
    """Each State's two-letter code from the reference data file; the domains' sectors."""
    MemberState = apps.get_model("tracker", "MemberState")
    Domain = apps.get_model("tracker", "Domain")
    with open(DATA, encoding="utf-8", newline="") as f:
        codes = {row["iso3"]: row["iso2"] for row in csv.DictReader(f)}
    states = list(MemberState.objects.filter(pk__in=codes))
    for state in states:
        state.iso2 = codes[state.pk]
    MemberState.objects.bulk_update(states, ["iso2"])
    for code, sector in DAC_SECTORS.items():
        Domain.objects.filter(pk=code).update(dac_sector=sector)


class Migration(migrations.Migration):
    dependencies = [
        ("tracker", "0016_good_practice_briefs"),
    ]

    operations = [
        migrations.AddField(
            model_name="assistancerequest",
            name="open_publication_since",
            field=models.DateTimeField(
                blank=True, editable=False, null=True, verbose_name="openly published since"
            ),
        ),
        migrations.AddField(
            model_name="domain",
            name="dac_sector",
            field=models.CharField(default="15160", max_length=5, verbose_name="OECD DAC sector"),
        ),
        migrations.AddField(
            model_name="memberstate",
            name="iso2",
            field=models.CharField(blank=True, max_length=2, verbose_name="ISO 3166 alpha-2 code"),
        ),
        migrations.AlterField(
            model_name="consent",
            name="decision",
            field=models.CharField(
                choices=[
                    ("requested", "Requested assistance"),
                    ("approved", "Approved the plan"),
                    ("declined", "Rejected the plan"),
                    ("withdrawn", "Withdrew the request"),
                    ("no_follow_up", "Withdrew its consent to follow-up evaluations"),
                    ("open_data", "Agreed to the open publication of the request"),
                    ("no_open_data", "Revoked its agreement to open publication"),
                ],
                max_length=16,
                verbose_name="decision",
            ),
        ),
        migrations.AddIndex(
            model_name="assistancerequest",
            index=models.Index(
                condition=models.Q(("open_publication_since__isnull", False)),
                fields=["id"],
                name="openly_published",
            ),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
