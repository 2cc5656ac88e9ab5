"""The admin groups: "Secretariat" works requests, "Reporting" reads everything."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

READ_ONLY_MODELS = [
    "activity",
    "assistanceform",
    "assistancerequest",
    "consent",
    "domain",
    "evaluation",
    "funding",
    "historyentry",
    "linkedrecommendation",
    "memberstate",
    "needsassessment",
    "outcomeindicator",
    "plan",
    "provider",
]
SECRETARIAT_EXTRA = [
    "add_assistancerequest",
    "change_assistancerequest",
    "add_provider",
    "change_provider",
]


def create_groups(apps, schema_editor):
    # Permissions are normally created after migrations; this one needs them now.
    for app_config in apps.get_app_configs():
        previous = getattr(app_config, "models_module", None)
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = previous
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    view = [f"view_{model}" for model in READ_ONLY_MODELS] + ["view_user"]
    reporting, _ = Group.objects.get_or_create(name="Reporting")
    reporting.permissions.set(
        Permission.objects.filter(content_type__app_label="tracker", codename__in=view)
    )
    secretariat, _ = Group.objects.get_or_create(name="Secretariat")
    secretariat.permissions.set(
        Permission.objects.filter(
            content_type__app_label="tracker", codename__in=view + SECRETARIAT_EXTRA
        )
    )


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=["Reporting", "Secretariat"]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("tracker", "0002_reference_data"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]
    operations = [migrations.RunPython(create_groups, remove_groups)]
