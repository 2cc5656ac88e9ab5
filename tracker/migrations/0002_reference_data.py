"""Reference data: Member States (193 + 2 observers), domains and forms of assistance."""

import csv
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data"

# A/HRC/43/31 para 8: the fields in which States ask for assistance.
DOMAINS = [
    ("legislation", "Legislation", "Législation"),
    ("justice", "Administration of justice", "Administration de la justice"),
    ("elections", "Elections", "Élections"),
    ("development", "Economic and social development", "Développement économique et social"),
    ("health", "Health", "Santé"),
    ("education", "Education", "Éducation"),
    ("employment", "Employment", "Emploi"),
    ("environment", "Environment", "Environnement"),
    ("training-officials", "Training of officials", "Formation des agents publics"),
    ("detention", "Places of detention", "Lieux de détention"),
    ("treaty-reporting", "Treaty-body reporting", "Rapports aux organes conventionnels"),
    ("nhri", "National human rights institutions", "Institutions nationales des droits de l'homme"),
    ("upr-follow-up", "UPR follow-up", "Suivi de l'Examen périodique universel"),
]

# A/HRC/43/31 paras 7, 71: the forms assistance takes.
FORMS = [
    ("advisory", "Expert advisory services", "Services consultatifs d'experts"),
    ("training", "Training", "Formation"),
    ("fellowship", "Fellowship", "Bourse"),
    ("workshop", "Seminar or workshop", "Séminaire ou atelier"),
    ("expert-visit", "Expert visit", "Visite d'experts"),
    ("grant", "Grant", "Subvention"),
    ("documentation", "Information and documentation", "Information et documentation"),
]


def load(apps, schema_editor):
    MemberState = apps.get_model("tracker", "MemberState")
    Domain = apps.get_model("tracker", "Domain")
    AssistanceForm = apps.get_model("tracker", "AssistanceForm")
    with open(DATA / "member_states.csv", encoding="utf-8", newline="") as f:
        MemberState.objects.bulk_create(
            MemberState(
                code=row["iso3"],
                name_en=row["name_en"],
                name_fr=row["name_fr"],
                region=row["region"],
                is_ldc=row["ldc"] == "1",
                under_agenda_item_10=row["agenda_item_10"] == "1",
                is_observer=row["observer"] == "1",
            )
            for row in csv.DictReader(f)
        )
    Domain.objects.bulk_create(Domain(code=c, name_en=en, name_fr=fr) for c, en, fr in DOMAINS)
    AssistanceForm.objects.bulk_create(
        AssistanceForm(code=c, name_en=en, name_fr=fr) for c, en, fr in FORMS
    )


def unload(apps, schema_editor):
    for model in ("AssistanceForm", "Domain", "MemberState"):
        apps.get_model("tracker", model).objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("tracker", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
