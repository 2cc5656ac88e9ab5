"""Report figures against values computed by hand on a small fixed dataset."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.factories import FocalPointFactory
from tracker import services
from tracker.figures import reports
from tracker.kernel import clock
from tracker.models import MemberState

pytestmark = pytest.mark.django_db


def at(day: str) -> datetime:
    return datetime.fromisoformat(f"{day}T12:00:00").replace(tzinfo=UTC)


@pytest.fixture
def dataset(togo_focal, senegal_focal, officer):
    """Three requests with known dates.

    TGO: opened 2025-01-10, accepted 01-20 (10 days requested), assessment done 03-01
         (40 days in needs assessment), in consultation since.
    SEN: opened 2025-02-01, accepted 02-05 (4 days), withdrawn 02-15 (10 days).
    MEX: opened 2025-06-01, still requested.
    """
    mexico = FocalPointFactory(username="lucia", member_state=MemberState.objects.get(pk="MEX"))
    with clock.at(at("2025-01-10")):
        togo = services.open_request(by=togo_focal, title="TRC", domains=["justice"])
    with clock.at(at("2025-01-20")):
        services.take_transition(ta_request=togo, name="accept", by=officer)
    with clock.at(at("2025-03-01")):
        services.record_assessment(ta_request=togo, by=officer, findings="f", gaps="g")
        services.take_transition(ta_request=togo, name="complete_assessment", by=officer)
    with clock.at(at("2025-02-01")):
        senegal = services.open_request(
            by=senegal_focal, title="Nationality", domains=["justice", "legislation"]
        )
    with clock.at(at("2025-02-05")):
        services.take_transition(ta_request=senegal, name="accept", by=officer)
    with clock.at(at("2025-02-15")):
        services.take_transition(ta_request=senegal, name="withdraw", by=senegal_focal)
    with clock.at(at("2025-06-01")):
        services.open_request(by=mexico, title="Elections", domains=["elections"])


def test_summary_figures(api, dataset):
    figures = api("analyst").get("/api/v1/reports/summary/").json()
    assert figures["total"] == 3
    assert figures["by_stage"] == {
        "requested": 1,
        "needs_assessment": 0,
        "consultation": 1,
        "implementation": 0,
        "evaluation": 0,
        "closed": 0,
        "withdrawn": 1,
        "declined": 0,
    }
    assert figures["by_region"] == {"AFRICA": 2, "LATIN_AMERICA_CARIBBEAN": 1}
    assert figures["by_domain"] == {"elections": 1, "justice": 2, "legislation": 1}
    assert figures["by_year"] == {"2025": 3}
    # requested: 10 and 4 days -> 7; needs assessment: 40 and 10 days -> 25
    assert figures["median_days_in_stage"] == {"requested": 7.0, "needs_assessment": 25.0}
    assert figures["withdrawal_rate"] == 0.3333
    # TGO in consultation since March 2025 (30 days allowed), MEX requested since June 2025
    assert figures["overdue"] == 2


def test_summary_is_scoped_to_the_focal_points_state(api, dataset):
    figures = api("togo_focal").get("/api/v1/reports/summary/").json()
    assert (figures["total"], figures["by_region"], figures["withdrawal_rate"]) == (
        1,
        {"AFRICA": 1},
        0.0,
    )


def test_summary_as_csv(api, dataset):
    response = api("analyst").get("/api/v1/reports/summary/?format=csv")
    rows = b"".join(response.streaming_content).decode("utf-8").lstrip("\ufeff").splitlines()
    assert rows[0] == "figure,key,value"
    assert "by_stage,withdrawn,1" in rows
    assert "median_days_in_stage,needs_assessment,25.0" in rows


@pytest.mark.parametrize(
    ("day", "total", "by_stage"),
    [
        ("2025-01-09", 0, {}),
        ("2025-01-10", 1, {"requested": 1}),
        ("2025-01-31", 1, {"needs_assessment": 1}),
        ("2025-02-03", 2, {"needs_assessment": 1, "requested": 1}),
        ("2025-02-10", 2, {"needs_assessment": 2}),
        ("2025-06-30", 2, {"consultation": 1, "requested": 1}),
    ],
)
def test_backlog_as_it_stood_on_a_date(api, dataset, day, total, by_stage):
    body = api("analyst").get(f"/api/v1/reports/backlog/?on={day}").json()
    assert body["on"]["total"] == total
    assert {k: v for k, v in body["on"]["by_stage"].items() if v} == by_stage


def test_backlog_change_between_two_dates(api, dataset):
    body = api("analyst").get("/api/v1/reports/backlog/?on=2025-02-10&compare=2025-01-31").json()
    assert (body["compare"]["total"], body["on"]["total"]) == (1, 2)
    assert body["change"]["total"] == {"difference": 1, "percent": 100.0, "text": "+100.0 %"}
    assert body["change"]["by_stage"]["needs_assessment"]["percent"] == 100.0
    assert body["change"]["by_stage"]["requested"] == {
        "difference": 0,
        "percent": None,
        "text": "n/a",
    }


def test_change_is_stated_as_the_report_does():
    # A/HRC/43/31 paras 95-97: 2 300 -> 2 386 is +3.7 %
    assert reports.change(2300, 2386) == {"difference": 86, "percent": 3.7, "text": "+3.7 %"}
    assert reports.change(2386, 2300)["text"] == "-3.6 %"
    assert reports.change(10, 10)["text"] == "0.0 %"


@pytest.mark.parametrize(
    "query",
    ["", "on=yesterday", "on=2025-02-30", "on=2025-02-10&compare=soon", "on=2025-01-01&x=1"],
)
def test_backlog_needs_valid_dates(api, dataset, query):
    response = api("analyst").get(f"/api/v1/reports/backlog/?{query}")
    assert response.status_code == 400
    assert response.json()
