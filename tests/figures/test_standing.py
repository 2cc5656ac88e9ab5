"""The standing backlog equals the live one: random histories of real transitions
(withdrawals, rejected and approved plans, decisions recorded from letters, rows of
no stage change) taken on the service clock, forward and back-dated, then the
backlog compared on every day, over all requests and per region, on both databases."""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest

from tests.factories import open_request
from tests.journeys import START, random_history
from tracker import services
from tracker.figures import reports, standing
from tracker.kernel import clock
from tracker.models import AssistanceRequest, HistoryEntry

pytestmark = pytest.mark.django_db


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
    regions = [
        "",
        *sorted(set(AssistanceRequest.objects.values_list("requesting_state__region", flat=True))),
    ]
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
    assert end_of_day["by_stage"] == {
        "requested": 0,
        "needs_assessment": 1,
        "consultation": 0,
        "implementation": 0,
        "evaluation": 0,
    }
    assert end_of_day == live(START.date())
    assert standing.open_on(START.date() - timedelta(days=1))["total"] == 0
