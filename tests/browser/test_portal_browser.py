"""The portal in a real browser: headless Chromium (Debian's package) driven by
Playwright against the live server. Screenshots of the dashboard and a request page,
in English and French, go to test-artifacts/screenshots/ (git-ignored)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone

from tests.browser import PASSWORD, needs_chromium, shot, signed_in
from tests.factories import open_request
from tests.journeys import propose
from tracker import services
from tracker.demo.scenarios import bring_to
from tracker.models import AssistanceRequest
from tracker.workflow import Stage

pytestmark = [
    pytest.mark.slow,
    needs_chromium,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("reference_data"),
]


def log_in(page, username="afi"):
    page.goto("/portal/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url("**/portal/")


@pytest.fixture
def togo_cases(togo_focal, officer):
    cases = {}
    for title in ("Truth commission", "Prison reform"):
        ta_request = bring_to(
            open_request(togo_focal, title=title),
            Stage.CONSULTATION,
            officer=officer,
            focal_point=togo_focal,
        )
        propose(ta_request, officer)
        cases[title] = ta_request
    cases["Elections"] = open_request(togo_focal, title="Elections")
    return cases


def stage_of(request) -> str:
    return AssistanceRequest.objects.get(pk=request.pk).stage


def test_focal_point_approves_rejects_withdraws_and_ranks(page, togo_cases):
    log_in(page)
    assert page.get_by_text("Plan version 1 has been waiting for your decision").count() == 2
    shot(page, "dashboard-en")

    page.click("text=Truth commission")
    page.get_by_role("link", name="Approve plan version 1").click()
    page.get_by_role("button", name="Confirm: Approve plan").click()
    page.wait_for_url("**/requests/*/")
    assert page.get_by_text("Plan version 1 approved: implementation can start.").is_visible()
    shot(page, "request-en")
    assert stage_of(togo_cases["Truth commission"]) == Stage.IMPLEMENTATION

    page.goto("/portal/")
    page.click("text=Prison reform")
    page.get_by_role("link", name="Reject plan version 1").click()
    page.get_by_role("button", name="Confirm: Reject plan").click()  # no reason yet
    summary = page.locator(".error-summary")
    assert summary.get_by_role(
        "link", name="Reason: Give the reason for rejecting the plan."
    ).is_visible()
    assert page.get_by_text("Give the reason for rejecting the plan.", exact=True).is_visible()
    page.fill("textarea[name=text]", "The budget leaves out the regions.")
    page.get_by_role("button", name="Confirm: Reject plan").click()
    page.wait_for_url("**/requests/*/")
    assert page.get_by_text("The budget leaves out the regions.").is_visible()
    assert stage_of(togo_cases["Prison reform"]) == Stage.CONSULTATION

    page.goto("/portal/")
    page.click("text=Elections")
    page.get_by_role("link", name="Withdraw this request").click()
    page.fill("textarea[name=text]", "Other arrangements were made.")
    page.get_by_role("button", name="Confirm: Withdraw").click()
    page.wait_for_url("**/requests/*/")
    assert stage_of(togo_cases["Elections"]) == Stage.WITHDRAWN

    page.goto("/portal/priorities/")
    prison, truth = togo_cases["Prison reform"], togo_cases["Truth commission"]
    page.fill(f"#rank-{prison.reference}", "1")
    page.fill(f"#rank-{truth.reference}", "2")
    page.get_by_role("button", name="Save priorities").click()
    assert page.get_by_text("Your priorities have been saved.").is_visible()
    assert AssistanceRequest.objects.get(pk=prison.pk).priority == 1


def test_switching_to_french(page, togo_cases):
    from django.utils import translation

    log_in(page)
    page.select_option("#language", "fr")
    page.get_by_role("button", name="Change").click()
    page.wait_for_load_state()
    with translation.override("fr"):
        heading = translation.gettext("Open requests")
        waiting = translation.gettext("Your decision is needed")
    assert heading != "Open requests"
    assert page.get_by_role("heading", name=heading).is_visible()
    assert page.locator("html").get_attribute("lang") == "fr"
    assert page.get_by_text(waiting).count() == 2
    shot(page, "dashboard-fr")
    page.click("text=Truth commission")
    shot(page, "request-fr")
    page.goto("/portal/good-practices/")  # the choice is remembered across pages
    assert page.locator("html").get_attribute("lang") == "fr"


def test_phone_width(browser, live_server, togo_cases):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 375, "height": 800})
    page = context.new_page()
    log_in(page)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, "the dashboard scrolls sideways at phone width"
    shot(page, "dashboard-phone")
    context.close()


PRINTED = {
    "en": ("The request", "Who handles it", "Plan version 1", "Timeline"),
    "fr": ("La demande", "Qui la traite", "Version 1 du plan", "Chronologie"),
}


@pytest.mark.parametrize("language", ["en", "fr"])
def test_a_request_prints_whole_without_the_sites_chrome(page, togo_cases, togo_focal, language):
    togo_focal.language = language
    togo_focal.save(update_fields=["language"])
    log_in(page)
    page.click("text=Truth commission")
    page.emulate_media(media="print")
    assert not page.locator("header.site").is_visible()
    assert not page.locator("section.actions").is_visible()
    for heading in PRINTED[language]:
        assert page.get_by_role("heading", name=heading).is_visible(), heading
    shot(page, f"request-print-{language}")


@pytest.mark.parametrize("language", ["en", "fr"])
def test_a_request_page_at_phone_width_does_not_scroll_sideways(
    browser, live_server, togo_cases, togo_focal, language
):
    togo_focal.language = language
    togo_focal.save(update_fields=["language"])
    context = browser.new_context(base_url=live_server.url, viewport={"width": 375, "height": 800})
    page = context.new_page()
    log_in(page)
    page.goto(f"/portal/requests/{togo_cases['Truth commission'].reference}/")
    assert page.locator("html").get_attribute("lang") == language
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    shot(page, f"request-phone-{language}")
    context.close()


def test_all_requests_at_phone_width_do_not_scroll_sideways(browser, live_server, togo_cases):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 375, "height": 800})
    page = context.new_page()
    log_in(page)
    page.goto("/portal/requests/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    shot(page, "all-requests-phone")
    context.close()


@pytest.fixture
def closed_case(togo_focal, officer):
    """Closed, followed up once, with the State's brief published."""
    ta_request = bring_to(
        open_request(togo_focal, title="Detention reform"),
        Stage.CLOSED,
        officer=officer,
        focal_point=togo_focal,
    )
    services.record_follow_up(
        ta_request=ta_request,
        by=officer,
        kind="follow_up_6",
        measured_on=timezone.now().date(),
        measured={"Officials trained": Decimal(42)},
    )
    services.write_brief(
        ta_request=ta_request,
        by=togo_focal,
        context="Crowded prisons.",
        done="Judges trained.",
        results="Fewer detainees.",
    )
    services.publish_brief(ta_request=ta_request, by=togo_focal, publish=True)
    return ta_request


def test_the_state_sees_its_results_drawn_and_publishes_them_openly(
    page, browser, live_server, closed_case
):
    log_in(page)
    page.goto(f"/portal/requests/{closed_case.reference}/")
    chart = page.locator("figure.chart img")
    assert chart.is_visible()
    assert chart.evaluate("img => img.naturalWidth") > 0  # the SVG really draws
    shot(page, "request-results-en")
    page.get_by_role("button", name="Agree to open publication").click()
    assert page.get_by_text("Tick the box to confirm that your State agrees.").is_visible()
    page.get_by_label("We agree to the open publication of this request.").check()
    page.get_by_role("button", name="Agree to open publication").click()
    assert page.get_by_text("published openly from the next export").is_visible()
    # Anyone, signed in or not, now reads it as open data, with the brief it links to.
    anonymous = browser.new_context(base_url=live_server.url).new_page()
    anonymous.goto("/api/v1/iati/activities.xml")
    assert f"XM-DAC-00000-{closed_case.reference}" in anonymous.content()
    anonymous.goto(f"/open/briefs/{closed_case.reference}/")
    assert anonymous.get_by_text("Judges trained.").is_visible()
    anonymous.context.close()


def messages(page) -> str:
    return page.locator(".messagelist").inner_text()


@pytest.fixture
def closed_and_open(togo_focal, officer):
    """Closed just now, no brief yet, its State agreed to open publication."""
    ta_request = bring_to(
        open_request(togo_focal, title="Prison reform"),
        Stage.CLOSED,
        officer=officer,
        focal_point=togo_focal,
    )
    services.decide_open_publication(ta_request=ta_request, by=togo_focal, agree=True)
    return ta_request


def test_the_secretariat_drafts_the_brief_and_the_state_publishes_then_takes_it_back(
    page, browser, live_server, closed_and_open, officer
):
    reference = closed_and_open.reference
    context, admin = signed_in(browser, live_server, officer)
    admin.goto(f"/admin/tracker/assistancerequest/{closed_and_open.pk}/change/")
    admin.get_by_role("link", name="Record a follow-up evaluation").click()
    admin.select_option("select[name=kind]", "follow_up_6")
    admin.fill("input[name=measured_on]", timezone.now().date().isoformat())
    admin.fill("input[name=indicator_0]", "38")
    admin.get_by_role("button", name="Confirm").click()
    assert f"{reference}: follow-up evaluation recorded." in messages(admin)
    admin.get_by_role("link", name="Draft the good-practice brief").click()
    admin.fill("textarea[name=context]", "Prisons at twice their capacity.")
    admin.fill("textarea[name=done]", "Magistrates trained in alternatives to detention.")
    admin.fill("textarea[name=results]", "Pre-trial detainees fell by a third.")
    admin.get_by_role("button", name="Confirm").click()
    assert "brief saved, unpublished until the State approves it" in messages(admin)
    context.close()

    anonymous = browser.new_context(base_url=live_server.url).new_page()
    assert anonymous.goto(f"/open/briefs/{reference}/").status == 404  # not approved yet
    log_in(page)
    page.goto(f"/portal/requests/{reference}/")
    assert page.get_by_text("The secretariat drafted this brief for your State").is_visible()
    assert page.locator("table").get_by_text("Follow-up after 6 months").is_visible()
    shot(page, "request-brief-draft-en")
    # The State corrects the draft before approving it: what it typed is what is published.
    page.locator("#brief").get_by_label("What we would do differently").fill(
        "Involve the prison administration from the start."
    )
    page.get_by_role("button", name="Publish the brief for other States").click()
    assert "Your brief is published" in page.content()
    assert anonymous.goto(f"/open/briefs/{reference}/").status == 200
    assert anonymous.get_by_text("Pre-trial detainees fell by a third.").is_visible()
    assert anonymous.get_by_text("Involve the prison administration from the start.").is_visible()
    anonymous.goto("/api/v1/iati/activities.xml")
    assert f"/open/briefs/{reference}/" in anonymous.content()  # at once, not in an hour

    page.goto(f"/portal/requests/{reference}/")
    page.get_by_role("button", name="Stop publishing the brief").click()
    assert anonymous.goto(f"/open/briefs/{reference}/").status == 404
    anonymous.goto("/api/v1/iati/activities.xml")
    assert f"/open/briefs/{reference}/" not in anonymous.content()
    assert f"XM-DAC-00000-{reference}" in anonymous.content()  # the request stays published
    anonymous.context.close()
