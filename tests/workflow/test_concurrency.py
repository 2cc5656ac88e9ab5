"""Two people acting on one request at once: one succeeds, the others get a conflict."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections
from django_fsm.signals import pre_transition

from tests.journeys import propose
from tracker import services
from tracker.kernel.errors import Conflict
from tracker.models import AssistanceRequest, Consent, HistoryEntry
from tracker.workflow import Stage


@pytest.fixture
def postgres_only(db):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL's row locking: set DATABASE_URL=postgres://... (CI does)")


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("reference_data")
def test_conflicting_transitions_at_the_same_moment(postgres_only, request_at, officer, togo_focal):
    ta_request = request_at(Stage.CONSULTATION)
    propose(ta_request, officer)
    attempts = [
        ("approve_plan", togo_focal, {}),
        ("reject_plan", togo_focal, {"reason": "Too expensive"}),
        ("withdraw", togo_focal, {"reason": "Other arrangements"}),
        ("withdraw", officer, {"document_reference": "NV/2026/9"}),
    ]
    # Every thread has read the request and passed its checks before any of them
    # writes: the race is decided by the database, not by who started first.
    all_checked = threading.Barrier(len(attempts), timeout=20)

    def wait_for_the_others(sender, **kwargs):
        all_checked.wait()

    outcomes: list[str] = []
    conflicts: list[Conflict] = []
    history_before = HistoryEntry.objects.filter(request=ta_request).count()

    def act(name, by, inputs):
        try:
            services.take_transition(ta_request=ta_request, name=name, by=by, **inputs)
            outcomes.append("ok")
        except Conflict as error:
            conflicts.append(error)
            outcomes.append("conflict")
        finally:
            connections.close_all()

    pre_transition.connect(wait_for_the_others, sender=AssistanceRequest)
    try:
        threads = [threading.Thread(target=act, args=attempt) for attempt in attempts]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    finally:
        pre_transition.disconnect(wait_for_the_others, sender=AssistanceRequest)

    assert sorted(outcomes) == ["conflict", "conflict", "conflict", "ok"]
    assert all("at the same moment" in str(error) for error in conflicts)
    assert HistoryEntry.objects.filter(request=ta_request).count() == history_before + 1
    ta_request.refresh_from_db()
    assert ta_request.stage == HistoryEntry.objects.filter(request=ta_request).last().to_stage
    decisions = Consent.objects.filter(request=ta_request).exclude(decision="requested")
    assert decisions.count() == 1


@pytest.mark.django_db
def test_a_decision_taken_on_a_stale_page_is_refused(request_at, officer, togo_focal):
    ta_request = request_at(Stage.CONSULTATION)
    propose(ta_request, officer)
    ta_request.refresh_from_db()
    seen = ta_request.revision
    services.take_transition(ta_request=ta_request, name="reject_plan", by=togo_focal, reason="No")
    with pytest.raises(Conflict, match="has changed since you opened it"):
        services.take_transition(
            ta_request=ta_request,
            name="reject_plan",
            by=togo_focal,
            reason="No",
            expected_revision=seen,
        )
    assert Consent.objects.filter(request=ta_request, decision="declined").count() == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("reference_data")
@pytest.mark.parametrize("name", ["approve_plan", "reject_plan"])
def test_every_losing_call_of_a_race_gets_409_through_the_api(
    postgres_only, request_at, officer, togo_focal, request, name
):
    """Six focal points' calls pass their checks; one commits first; the five others
    meet its decision at the write (their revision has moved): each of them must get 409
    with a reason, none a 500."""
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    ta_request = request_at(Stage.CONSULTATION)
    propose(ta_request, officer)
    token = Token.objects.create(user=togo_focal).key
    callers = 6
    all_checked = threading.Barrier(callers, timeout=20)
    winner_committed = threading.Event()
    first = threading.Lock()

    def wait_for_the_winner(sender, **kwargs):
        # Inside every call's transaction, its checks passed: hold everyone here.
        all_checked.wait()
        if not first.acquire(blocking=False):
            # The others go on only once the first caller's decision is committed.
            winner_committed.wait(timeout=20)

    pre_transition.connect(wait_for_the_winner, sender=AssistanceRequest)
    request.addfinalizer(
        lambda: pre_transition.disconnect(wait_for_the_winner, sender=AssistanceRequest)
    )
    statuses: list[int] = []
    bodies: list[dict] = []

    def call():
        client = APIClient(raise_request_exception=False)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
        try:
            response = client.post(
                f"/api/v1/requests/{ta_request.reference}/transitions/{name}/",
                {"reason": "Too costly"} if name == "reject_plan" else {},
                format="json",
            )
            statuses.append(response.status_code)
            bodies.append(response.json() if response.status_code != 500 else {})
            if response.status_code == 200:
                winner_committed.set()
        finally:
            connections.close_all()

    threads = [threading.Thread(target=call) for _ in range(callers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(statuses) == [200] + [409] * (callers - 1)
    losers = [b for s, b in zip(statuses, bodies, strict=True) if s == 409]
    assert all(body["code"] == "conflict" and body["detail"] for body in losers)
    assert HistoryEntry.objects.filter(request=ta_request, transition=name).count() == 1
