"""The standing backlog equals the live one: random histories of real transitions
(withdrawals, rejected and approved plans, decisions recorded from letters, rows of
no stage change) taken on the service clock, forward and back-dated, then the
backlog compared on every day, over all requests and per region, on both databases."""

from __future__ import annotations

import itertools
import random
from datetime import UTC, datetime, timedelta

import pytest

from tests.factories import open_request
from tests.journeys import prepare
from tracker import clock, reports, services, standing, workflow
from tracker.errors import DomainError
from tracker.models import AssistanceRequest, HistoryEntry
from tracker.services import FormalRequest

pytestmark = pytest.mark.django_db

START = datetime(2025, 1, 1, 9, 0, tzinfo=UTC)
STATES = ("TGO", "SEN", "KHM", "MEX")


def random_history(officer, seed: int, requests: int = 10, steps: int = 9) -> list[datetime]:
    """Requests of several regions, each taken through random transitions at random
    moments: mostly later, sometimes back-dated, sometimes twice on one day."""
    chance = random.Random(seed)
    moments = []
    for number in range(requests):
        moment = START + timedelta(days=chance.randint(0, 60), hours=chance.randint(0, 23))
        letter = FormalRequest("note_verbale", f"NV/{number}", moment.date())
        with clock.at(moment):
            ta_request = open_request(
                officer, title=f"Request {number}", state=chance.choice(STATES),
                formal_request=letter,
            )  # fmt: skip
        moments.append(moment)
        for _step in range(steps):
            moment += chance.choice([timedelta(hours=3), timedelta(days=chance.randint(1, 30)),
                                     -timedelta(days=chance.randint(1, 20))])  # fmt: skip
            moments.append(moment)
            with clock.at(moment):
                _act(ta_request, officer, chance)
            ta_request = AssistanceRequest.objects.get(pk=ta_request.pk)
    return moments


def _act(ta_request, officer, chance) -> None:
    if chance.random() < 0.15:  # a decision that leaves the stage as it is
        agreed = ta_request.open_publication_since is not None
        services.decide_open_publication(ta_request=ta_request, by=officer, agree=not agreed,
                                         document_reference="NV/1")  # fmt: skip
        return
    # Every transition from here; its guard is satisfied first (tests.journeys.prepare).
    possible = [n for n in workflow.TRANSITION_NAMES if ta_request.stage in workflow.sources(n)]
    # Mostly onwards: a request that ends early (declined, withdrawn) ends the walk.
    onwards = [n for n in possible if workflow.target(n) not in workflow.TERMINAL
               or workflow.target(n) == "closed"]  # fmt: skip
    if not possible:
        return
    name = chance.choice(onwards if onwards and chance.random() < 0.9 else possible)
    try:
        prepare(ta_request, name, officer)
        services.take_transition(ta_request=ta_request, name=name, by=officer,
                                 **dict(workflow.about(name).example))  # fmt: skip
    except DomainError:
        pass  # refused (a plan not yet proposed...): another step next time


def _pairs_in_id_order():
    rows = list(HistoryEntry.objects.order_by("request_id", "pk"))
    return [(a, b) for a, b in itertools.pairwise(rows) if a.request_id == b.request_id]


def live(day, region=""):
    requests = AssistanceRequest.objects.all()
    if region:
        requests = requests.filter(requesting_state__region=region)
    return reports.open_on(requests, day)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_standing_backlog_equals_the_live_one_on_every_day(officer, seed):
    moments = random_history(officer, seed)
    first, last = min(moments).date(), max(moments).date()
    regions = ["", *sorted(set(AssistanceRequest.objects.values_list(
        "requesting_state__region", flat=True)))]  # fmt: skip
    assert len(regions) >= 3
    # The walk went through the workflow, and back in time.
    assert len(set(HistoryEntry.objects.values_list("to_stage", flat=True))) >= 5
    assert any(row.at < previous.at for previous, row in _pairs_in_id_order())
    day = first - timedelta(days=1)
    while day <= last + timedelta(days=1):
        for region in regions:
            assert standing.open_on(day, region) == live(day, region), (day, region)
        day += timedelta(days=1)


def test_a_rebuild_gives_what_was_kept(officer):
    moments = random_history(officer, seed=4, requests=6)
    days = [min(moments).date() + timedelta(days=n) for n in range(0, 150, 7)]
    kept = [standing.open_on(day, region) for day in days for region in ("", "AFRICA")]
    assert standing.rebuild() == 6
    assert [standing.open_on(day, region) for day in days for region in ("", "AFRICA")] == kept
    assert kept[-2] == live(days[-1])


def test_rows_of_one_day_count_once_at_its_end(officer, togo_focal):
    with clock.at(START):
        ta_request = open_request(togo_focal)
        services.take_transition(ta_request=ta_request, name="accept", by=officer)
    end_of_day = standing.open_on(START.date())
    assert end_of_day["by_stage"] == {"requested": 0, "needs_assessment": 1, "consultation": 0,
                                      "implementation": 0, "evaluation": 0}  # fmt: skip
    assert end_of_day == live(START.date())
    assert standing.open_on(START.date() - timedelta(days=1))["total"] == 0
