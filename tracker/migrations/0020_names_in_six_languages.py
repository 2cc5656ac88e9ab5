"""Names of States, domains and forms of assistance in the six official languages."""

import csv
from pathlib import Path

from django.db import migrations, models

DATA = Path(__file__).resolve().parent.parent / "data"
LANGUAGES = ("es", "ar", "ru", "zh")


def load(apps, schema_editor):
    """The names in Spanish, Arabic, Russian and Chinese, from the reference files."""
    with open(DATA / "member_states.csv", encoding="utf-8", newline="") as f:
        states = {row["iso3"]: row for row in csv.DictReader(f)}
    with open(DATA / "vocabulary.csv", encoding="utf-8", newline="") as f:
        vocabulary = {(row["table"], row["code"]): row for row in csv.DictReader(f)}
    fields = [f"name_{language}" for language in LANGUAGES]
    tables = [
        ("MemberState", lambda code: states.get(code)),
        ("Domain", lambda code: vocabulary.get(("domain", code))),
        ("AssistanceForm", lambda code: vocabulary.get(("assistance_form", code))),
    ]
    for model_name, row_of in tables:
        model = apps.get_model("tracker", model_name)
        rows = list(model.objects.all())
        for obj in rows:
            row = row_of(obj.code) or {}
            for field in fields:
                setattr(obj, field, row.get(field, ""))
        model.objects.bulk_update(rows, fields)


class Migration(migrations.Migration):
    dependencies = [
        ("tracker", "0019_figure_tallies"),
    ]

    operations = [
        migrations.AddField(
            model_name="assistanceform",
            name="name_ar",
            field=models.CharField(blank=True, max_length=200, verbose_name="name (Arabic)"),
        ),
        migrations.AddField(
            model_name="assistanceform",
            name="name_es",
            field=models.CharField(blank=True, max_length=200, verbose_name="name (Spanish)"),
        ),
        migrations.AddField(
            model_name="assistanceform",
            name="name_ru",
            field=models.CharField(blank=True, max_length=200, verbose_name="name (Russian)"),
        ),
        migrations.AddField(
            model_name="assistanceform",
            name="name_zh",
            field=models.CharField(blank=True, max_length=200, verbose_name="name (Chinese)"),
        ),
        migrations.AddField(
            model_name="domain",
            name="name_ar",
            field=models.CharField(blank=True, max_length=200, verbose_name="name (Arabic)"),
        ),
        migrations.AddField(
            model_name="domain",
            name="name_es",
            field=models.CharField(blank=True, max_length=200, verbose_name="name (Spanish)"),
        ),
        migrations.AddField(
            model_name="domain",
            name="name_ru",
            field=models.CharField(blank=True, max_length=200, verbose_name="name (Russian)"),
        ),
        migrations.AddField(
            model_name="domain",
            name="name_zh",
            field=models.CharField(blank=True, max_length=200, verbose_name="name (Chinese)"),
        ),
        migrations.AddField(
            model_name="memberstate",
            name="name_ar",
            field=models.CharField(blank=True, max_length=200, verbose_name="name (Arabic)"),
        ),
        migrations.AddField(
            model_name="memberstate",
            name="name_es",
            field=models.CharField(blank=True, max_length=200, verbose_name="name (Spanish)"),
        ),
        migrations.AddField(
            model_name="memberstate",
            name="name_ru",
            field=models.CharField(blank=True, max_length=200, verbose_name="name (Russian)"),
        ),
        migrations.AddField(
            model_name="memberstate",
            name="name_zh",
            field=models.CharField(blank=True, max_length=200, verbose_name="name (Chinese)"),
        ),
        migrations.AlterField(
            model_name="user",
            name="language",
            field=models.CharField(
                choices=[
                    ("en", "English"),
                    ("fr", "Français"),
                    ("es", "Español"),
                    ("ar", "العربية"),
                    ("ru", "Русский"),
                    ("zh-hans", "中文"),
                ],
                default="en",
                max_length=8,
                verbose_name="language",
            ),
        ),
        migrations.RunPython(load, migrations.RunPython.noop),
    ]
