"""export_data / import_data round-trip every record."""

from __future__ import annotations

import io
import json
import shutil

import pytest
from django.apps import apps
from django.core import serializers
from django.core.files.storage import storages
from django.core.management import CommandError, call_command

from tests import samples
from tests.conftest import load_reference_data
from tracker import figures, services
from tracker.figures import standing, tallies
from tracker.management.commands.export_data import DERIVED
from tracker.models import (
    AssistanceRequest,
    Document,
    HistoryEntry,
    Notification,
    User,
)
from tracker.workflow import Stage


def snapshot() -> dict[str, list]:
    """Every row of every tracker model, as comparable data."""
    rows = {}
    for model in apps.get_app_config("tracker").get_models():
        if model._meta.label in DERIVED:
            continue  # derived from the records: compared by the figures, below
        data = json.loads(
            serializers.serialize(
                "json", model.objects.order_by("pk"), use_natural_foreign_keys=True
            )
        )
        rows[model._meta.label] = data
    return rows


def standing_figures() -> list[dict]:
    days = HistoryEntry.objects.dates("at", "day")
    tallies.fold()
    return [standing.open_on(day) for day in days] + [figures.kept_figures()]


def files() -> dict[str, bytes]:
    store = storages["documents"]
    found = {}
    for document in Document.objects.all():
        with store.open(document.blob) as content:
            found[document.blob] = content.read()
    return found


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("reference_data")
def test_export_then_import_into_an_empty_database_gives_everything_back(tmp_path):
    call_command("load_demo")
    ta_request = AssistanceRequest.objects.order_by("pk").first()
    officer = User.objects.get(username="olga")
    services.write_message(
        ta_request=ta_request,
        by=officer,
        text="Internal",
        internal=True,
        attachments=[samples.upload("a.txt", samples.text())],
    )
    services.attach_document(
        ta_request=ta_request,
        by=officer,
        kind="plan",
        upload=samples.upload("plan.pdf", samples.pdf()),
    )
    # An instant under a millisecond past the second, which JSON to the millisecond loses.
    notice = Notification.objects.order_by("pk").first()
    instant = notice.created_at.replace(microsecond=456)
    Notification.objects.filter(pk=notice.pk).update(created_at=instant)
    before, before_files, before_figures = snapshot(), files(), standing_figures()
    assert len(before["tracker.HistoryEntry"]) > 50
    assert len(before_files) == 2
    backup = tmp_path / "tracker.zip"
    call_command("export_data", str(backup))

    call_command("flush", interactive=False, verbosity=0)  # a new, empty database
    shutil.rmtree(storages["documents"].location)  # and an empty document store
    load_reference_data()
    call_command("import_data", str(backup))

    assert snapshot() == before
    assert Notification.objects.get(pk=notice.pk).created_at == instant
    assert files() == before_files
    assert standing_figures() == before_figures  # the import computed them again


@pytest.mark.django_db
def test_a_json_export_says_it_leaves_the_files_out(tmp_path, request_at, officer):
    plan = samples.upload("p.pdf", samples.pdf())
    services.attach_document(
        ta_request=request_at(Stage.CONSULTATION), by=officer, kind="plan", upload=plan
    )
    errors = io.StringIO()
    call_command("export_data", str(tmp_path / "tracker.json"), stderr=errors)
    assert errors.getvalue().strip() == (
        "The 1 documents' files are not in a .json export: name the file .zip to include them."
    )


@pytest.mark.django_db
def test_import_refuses_a_database_that_holds_data(tmp_path, togo_focal):
    backup = tmp_path / "tracker.json"
    call_command("export_data", str(backup))
    with pytest.raises(CommandError, match="import only into an empty database"):
        call_command("import_data", str(backup))
