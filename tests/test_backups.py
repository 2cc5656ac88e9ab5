"""export_data / import_data round-trip every record."""

from __future__ import annotations

import json

import pytest
from django.apps import apps
from django.core import serializers
from django.core.management import CommandError, call_command

from tests.conftest import load_reference_data


def snapshot() -> dict[str, list]:
    """Every row of every tracker model, as comparable data."""
    rows = {}
    for model in apps.get_app_config("tracker").get_models():
        data = json.loads(serializers.serialize("json", model.objects.order_by("pk"),
                                                use_natural_foreign_keys=True))  # fmt: skip
        rows[model._meta.label] = data
    return rows


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("reference_data")
def test_export_then_import_into_an_empty_database_gives_everything_back(tmp_path):
    call_command("load_demo")
    before = snapshot()
    assert len(before["tracker.HistoryEntry"]) > 50
    backup = tmp_path / "tracker.json"
    call_command("export_data", str(backup))

    call_command("flush", interactive=False, verbosity=0)  # a new, empty database
    load_reference_data()
    call_command("import_data", str(backup))

    assert snapshot() == before


@pytest.mark.django_db
def test_import_refuses_a_database_that_holds_data(tmp_path, togo_focal):
    backup = tmp_path / "tracker.json"
    call_command("export_data", str(backup))
    with pytest.raises(CommandError, match="import only into an empty database"):
        call_command("import_data", str(backup))
