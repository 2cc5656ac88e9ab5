"""History and consent: one row per transition, written with it, never changed."""

from __future__ import annotations

from decimal import Decimal
from itertools import pairwise

import pytest
from django.db.models import ProtectedError

from tracker import services, workflow
from tracker.kernel.errors import InvalidInput, NotAllowed
from tracker.models import Consent, HistoryEntry, Plan
from tracker.workflow import Stage

pytestmark = pytest.mark.django_db


def test_each_transition_writes_exactly_one_history_row(request_at, officer):
    ta_request = request_at(Stage.REQUESTED)
    before = HistoryEntry.objects.count()
    services.take_transition(ta_request=ta_request, name="accept", by=officer, comment="Welcome")
    assert HistoryEntry.objects.count() == before + 1
    row = HistoryEntry.objects.latest("pk")
    assert (row.from_stage, row.to_stage, row.transition, row.actor, row.comment) == (
        Stage.REQUESTED,
        Stage.NEEDS_ASSESSMENT,
        "accept",
        officer,
        "Welcome",
    )
    ta_request.refresh_from_db()
    assert row.at == ta_request.stage_entered_at


@pytest.mark.parametrize("stage", Stage.values)
def test_history_tells_the_whole_path_to_each_stage(request_at, stage):
    ta_request = request_at(stage)
    rows = list(ta_request.history.order_by("at", "pk"))
    assert [r.transition for r in rows] == ["open", *workflow.path_to(stage)]
    assert rows[-1].to_stage == stage
    for previous, row in pairwise(rows):
        assert row.from_stage == previous.to_stage


def test_a_refused_transition_writes_nothing(request_at, officer):
    ta_request = request_at(Stage.REQUESTED)
    with pytest.raises(InvalidInput):
        services.take_transition(ta_request=ta_request, name="decline", by=officer, reason="")
    ta_request.refresh_from_db()
    assert ta_request.stage == Stage.REQUESTED
    assert ta_request.history.count() == 1
    assert ta_request.revision == 0


def test_history_rows_cannot_be_changed_or_deleted(request_at):
    row = request_at(Stage.NEEDS_ASSESSMENT).history.last()
    row.comment = "rewritten"
    with pytest.raises(NotAllowed, match="cannot be changed"):
        row.save()
    with pytest.raises(NotAllowed, match="cannot be deleted"):
        row.delete()
    with pytest.raises(NotAllowed, match="cannot be changed"):
        HistoryEntry.objects.filter(pk=row.pk).update(comment="rewritten")
    with pytest.raises(NotAllowed, match="cannot be deleted"):
        HistoryEntry.objects.all().delete()
    assert HistoryEntry.objects.get(pk=row.pk).comment == ""


def test_consent_records_cannot_be_changed_or_deleted(request_at):
    consent = Consent.objects.filter(request=request_at(Stage.IMPLEMENTATION)).last()
    consent.document_reference = "forged"
    with pytest.raises(NotAllowed):
        consent.save()
    with pytest.raises(NotAllowed):
        consent.delete()
    with pytest.raises(NotAllowed):
        Consent.objects.filter(pk=consent.pk).update(decision="declined")
    with pytest.raises(NotAllowed):
        Consent.objects.all().delete()


def test_a_request_with_history_cannot_be_deleted(request_at):
    ta_request = request_at(Stage.REQUESTED)
    with pytest.raises(ProtectedError):
        ta_request.delete()


def test_a_plan_version_cannot_be_changed(request_at):
    plan = request_at(Stage.IMPLEMENTATION).approved_plan()
    plan.budget_amount = Decimal("1")
    with pytest.raises(NotAllowed, match="propose a new version"):
        plan.save()
    assert Plan.objects.get(pk=plan.pk).budget_amount != Decimal("1")


def test_the_stage_cannot_be_set_directly(request_at):
    ta_request = request_at(Stage.REQUESTED)
    with pytest.raises(AttributeError):
        ta_request.stage = Stage.CLOSED
