"""The demo as each persona meets it: their first screen after signing in holds a real
task. Signed in through the login pages, never with force_login."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from tracker import demo, workflow
from tracker.models import AssistanceRequest
from tracker.workflow import Stage

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_data(db):
    call_command("load_demo")


def first_screen(client, username: str) -> str:
    """Sign in at the persona's own door and follow it to the first screen."""
    staff = username in ("olga", "sam", "ana")
    door = "/admin/login/" if staff else "/portal/login/"
    response = client.post(
        door, {"username": username, "password": demo.DEMO_PASSWORD}, follow=True
    )
    assert response.status_code == 200
    client.cookies["django_language"] = "en"
    return client.get(response.redirect_chain[-1][0]).content.decode()


def test_a_focal_point_finds_a_plan_waiting_for_its_decision(client, demo_data):
    page = first_screen(client, "elena")
    assert "Your decision is needed" in page
    assert "National protocol for investigating femicides" in page


def test_a_state_sees_its_officer_by_name_not_by_username(client, demo_data):
    handled = AssistanceRequest.objects.filter(requesting_state_id="SLV", officer__isnull=False)
    ta_request = handled.first()
    first_screen(client, "elena")
    page = client.get(f"/portal/requests/{ta_request.reference}/").content.decode()
    assert f"handled by <bdi>{ta_request.officer.get_full_name()}</bdi> at the secretariat" in page
    assert f"handled by {ta_request.officer.username} " not in page


def test_the_demos_story_is_told_in_order(demo_data):
    """Each plan is proposed before its State decides on it, and no plan says it was
    agreed before it was."""
    from tracker.models import HistoryEntry, Plan

    approvals = HistoryEntry.objects.filter(transition="approve_plan")
    assert approvals.exists()
    for approval in approvals:
        plans = Plan.objects.filter(request=approval.request_id)
        assert all(plan.proposed_at < approval.at for plan in plans), approval.request
    assert not Plan.objects.filter(summary__icontains="agreed").exists()


def test_a_state_finds_three_open_requests_to_rank(client, demo_data):
    tunisia = AssistanceRequest.objects.filter(requesting_state_id="TUN")
    assert tunisia.filter(stage__in=workflow.OPEN).count() == 3
    page = first_screen(client, "ines")
    assert "Your ranking is needed" in page
    assert "3 open requests have not been ranked by you yet" in page


def test_an_officer_finds_overdue_work_first(client, demo_data):
    page = first_screen(client, "olga")
    queue = page[page.index('id="your-queue"') :]
    assert "Overdue:" in queue
    body = queue[queue.index("<tbody>") :]
    first_row = body[: body.index("</tr>")]
    assert 'class="overdue"' in first_row


def test_another_officer_finds_a_request_awaiting_its_needs_assessment(client, demo_data):
    waiting = AssistanceRequest.objects.get(officer__username="sam")
    assert waiting.stage == Stage.NEEDS_ASSESSMENT
    page = first_screen(client, "sam")
    assert waiting.reference in page
    assert "Needs assessment" in page


def test_an_analyst_finds_figures_and_no_queue(client, demo_data):
    page = first_screen(client, "ana")
    assert 'id="figures"' in page
    assert 'id="your-queue"' not in page
    open_total = AssistanceRequest.objects.filter(stage__in=workflow.OPEN).count()
    assert f"{open_total} open, of which" in page


def test_new_requests_nobody_took_are_shown_to_officers(client, demo_data):
    page = first_screen(client, "olga")
    assert 'id="unassigned"' in page
    assert "Independent bodies for justice and the media" in page
