"""Lists that cost what they show: a bounded count, keyset pages at any depth, and the
same on the API, the admin and the portal."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import open_request
from tracker import services
from tracker.kernel import clock
from tracker.models import AssistanceRequest
from tracker.web import pagination

pytestmark = pytest.mark.django_db

LIST = "/api/v1/requests/"


@pytest.fixture
def many(togo_focal, officer):
    """Twelve requests: some opened at the same instant (ties), some ranked by the State
    and some not (empty priorities), in two stages."""
    start = timezone.now() - timedelta(days=30)
    made = []
    for n in range(12):
        with clock.at(start + timedelta(days=n // 3)):  # three per instant
            made.append(open_request(togo_focal, title=f"Request {n:02}"))
    for ta_request in made[::4]:
        services.take_transition(ta_request=ta_request, name="accept", by=officer)
    AssistanceRequest.objects.filter(pk__in=[r.pk for r in made[1::2]]).update(priority=None)
    return made


def walk(client, query):
    """Every page of a list by following next_cursor; the references in order."""
    seen, pages = [], 0
    response = client.get(f"{LIST}?{query}")
    while True:
        assert response.status_code == 200, response.content
        body = response.json()
        seen += [r["reference"] for r in body["results"]]
        pages += 1
        if body["next_cursor"] is None:
            return seen, pages
        response = client.get(f"{LIST}?{query}&cursor={body['next_cursor']}")


@pytest.mark.parametrize(
    "ordering",
    [
        "-opened_at",
        "opened_at",
        "stage,-opened_at",
        "priority",
        "-priority",
        "title",
        "-stage_entered_at,reference",
    ],
)
def test_cursor_pages_give_every_row_once_in_the_lists_order(api, many, ordering):
    client = api("officer")
    everything = [
        r["reference"]
        for r in client.get(f"{LIST}?ordering={ordering}&page_size=100").json()["results"]
    ]
    assert len(everything) == 12
    walked, pages = walk(client, f"ordering={ordering}&page_size=5")
    assert walked == everything
    assert pages == 3


def test_page_numbers_and_cursors_continue_each_other(api, many):
    client = api("officer")
    first = client.get(f"{LIST}?page_size=5").json()
    assert first["next"].endswith("page=2&page_size=5")
    assert first["next_cursor"] is not None
    following = client.get(f"{LIST}?page_size=5&cursor={first['next_cursor']}").json()
    second = client.get(f"{LIST}?page_size=5&page=2").json()
    assert following["results"] == second["results"]
    assert following["previous"] is None
    assert "cursor=" in following["next"]


def test_the_count_is_exact_below_the_cap_and_capped_above(api, many, monkeypatch):
    client = api("officer")
    body = client.get(LIST).json()
    assert (body["count"], body["count_exact"]) == (12, True)
    everything = [r["reference"] for r in client.get(f"{LIST}?page_size=12").json()["results"]]
    monkeypatch.setattr(pagination, "COUNT_CAP", 5)
    body = client.get(f"{LIST}?page_size=4").json()
    assert (body["count"], body["count_exact"]) == (5, False)
    # Page numbers run as far as the count reached; past it, the cursor goes on.
    second = client.get(f"{LIST}?page_size=4&page=2").json()
    assert [r["reference"] for r in second["results"]] == everything[4:8]
    assert "cursor=" in second["next"]
    rest = client.get(f"{LIST}?page_size=4&cursor={second['next_cursor']}").json()
    assert [r["reference"] for r in rest["results"]] == everything[8:12]
    beyond = client.get(f"{LIST}?page_size=4&page=3")
    assert beyond.status_code == 404
    assert "Page numbers reach the first 5 rows" in beyond.json()["detail"]


def test_the_count_reads_at_most_the_cap(api, many, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert api("officer").get(LIST).status_code == 200
    counts = [q["sql"] for q in captured if q["sql"].startswith("SELECT COUNT(*)")]
    assert len(counts) == 1
    assert counts[0].endswith(f"LIMIT {pagination.COUNT_CAP + 1}) subquery")


@pytest.mark.parametrize(
    ("query", "problem"),
    [
        ("cursor=not-a-cursor", "This cursor was not given for this list and ordering"),
        ("cursor=WzFd", "This cursor was not given for this list and ordering"),
        ("cursor=", "Give a value to cursor"),
        ("cursor=WzFd&page=2", "Give page or cursor, not both."),
    ],
)
def test_a_bad_cursor_is_a_400_that_says_why(api, many, query, problem):
    response = api("officer").get(f"{LIST}?{query}")
    assert response.status_code == 400
    assert problem in response.json()["detail"]


def test_a_cursor_of_another_ordering_is_refused(api, many):
    client = api("officer")
    cursor = client.get(f"{LIST}?page_size=2&ordering=stage,title").json()["next_cursor"]
    response = client.get(f"{LIST}?page_size=2&cursor={cursor}")
    assert response.status_code == 400


def test_a_cursor_never_shows_another_states_requests(api, many, senegal_focal):
    cursor = api("officer").get(f"{LIST}?page_size=2").json()["next_cursor"]
    body = api("senegal_focal").get(f"{LIST}?page_size=2&cursor={cursor}").json()
    assert body["results"] == []
    assert body["count"] == 0


def test_a_deep_cursor_page_runs_the_same_queries_as_the_first(
    api, many, django_assert_max_num_queries
):
    client = api("officer")
    cursor = client.get(f"{LIST}?page_size=2&page=5").json()["next_cursor"]
    with django_assert_max_num_queries(6):
        assert client.get(f"{LIST}?page_size=2&cursor={cursor}").status_code == 200


# --- the admin's queue and the portal's list ----------------------------------------------------


def test_the_queue_counts_at_most_the_cap_and_says_so(client_as, many, monkeypatch):
    client = client_as("officer")
    page = client.get("/admin/tracker/assistancerequest/?assigned=all").content.decode()
    assert "12 requests" in page
    monkeypatch.setattr(pagination, "COUNT_CAP", 5)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        page = client.get("/admin/tracker/assistancerequest/?assigned=all").content.decode()
    assert "More than 5 requests: narrow the list with the filters or the search." in page
    counts = [q["sql"] for q in captured if q["sql"].startswith("SELECT COUNT(*)")]
    assert len(counts) == 1
    assert counts[0].endswith("LIMIT 6) subquery")
    assert "unread" not in counts[0]  # no annotated column is computed to count


def test_the_dashboard_shows_the_states_first_ranked_open_requests(client, togo_focal, monkeypatch):
    from tracker.portal import views

    monkeypatch.setattr(views, "OPEN_SHOWN", 2)
    made = [open_request(togo_focal, title=f"Open {n}") for n in range(4)]
    services.rank_requests(
        by=togo_focal,
        state=togo_focal.member_state,
        ranks={r.reference: 4 - n for n, r in enumerate(made)},
    )
    client.force_login(togo_focal)
    page = client.get("/portal/").content.decode()
    assert "The 2 you ranked first, of 4 open requests." in page
    assert "Open 3" in page
    assert "Open 2" in page
    assert "Open 0" not in page
