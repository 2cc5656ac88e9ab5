"""axe-core, the accessibility checker (the npm package, in tests/browser/node_modules,
installed by bin/test), run inside Chromium on the twelve main pages of the admin, the
portal and the public brief page, each reached through the real sign-in page: none
may have a violation of WCAG 2.1 A and AA, nor of axe's best practices."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from tests.browser import needs_chromium, sign_in
from tests.factories import open_request
from tests.journeys import propose
from tracker import services
from tracker.demo.scenarios import bring_to
from tracker.kernel import clock
from tracker.workflow import Stage

pytestmark = [
    pytest.mark.slow,
    needs_chromium,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("reference_data"),
]

AXE = Path(__file__).parent / "node_modules" / "axe-core" / "axe.min.js"
RULES = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]


@pytest.fixture
def requests_of_togo(togo_focal, officer):
    with clock.at(timezone.now() - timedelta(days=90)):
        closed = bring_to(
            open_request(togo_focal, title="Prison reform"),
            Stage.CLOSED,
            officer=officer,
            focal_point=togo_focal,
        )
    services.write_brief(
        ta_request=closed,
        by=togo_focal,
        context="Crowded.",
        done="Judges trained.",
        results="Fewer.",
    )
    services.publish_brief(ta_request=closed, by=togo_focal, publish=True)
    services.decide_open_publication(ta_request=closed, by=togo_focal, agree=True)
    consulting = bring_to(
        open_request(togo_focal, title="Elections law"),
        Stage.CONSULTATION,
        officer=officer,
        focal_point=togo_focal,
    )
    propose(consulting, officer)
    services.write_message(ta_request=consulting, by=officer, text="The plan is ready.")
    return closed, consulting


def violations(page) -> list[str]:
    assert AXE.exists(), "axe-core is missing: bin/test installs it (npm ci --prefix tests/browser)"
    # Evaluated from outside the page, not added as a script: the page's policy
    # rightly refuses an inline script without its nonce.
    page.evaluate(AXE.read_text())
    return page.evaluate(
        """async (tags) => {
            const found = await axe.run(document, {runOnly: {type: "tag", values: tags}});
            return found.violations.map(
                (v) => `${v.id}: ${v.help} — ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`
            );
        }""",
        RULES,
    )


def refusals_of_the_policy(page) -> list[str]:
    """What the page's Content-Security-Policy refused, as Chromium reports it."""
    refused: list[list[str]] = []
    page.on(
        "console",
        lambda message: (
            refused.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    return refused


def test_the_main_pages_have_no_accessibility_violation(
    browser, live_server, requests_of_togo, officer, togo_focal
):
    """And nothing on them is refused by their Content-Security-Policy: every style and
    script they use comes from the site or carries the page's nonce."""
    closed, consulting = requests_of_togo
    found: dict[str, list[str]] = {}
    refused: list[list[str]] = []

    anonymous = browser.new_context(base_url=live_server.url)
    page = anonymous.new_page()
    refused += [refusals_of_the_policy(page)]
    for url in ("/admin/login/", "/portal/login/", f"/open/briefs/{closed.reference}/"):
        page.goto(url)
        found[url] = violations(page)

    page.goto("/api/docs/")
    page.wait_for_selector(".swagger-ui .info")  # drawn by its scripts, under the policy
    anonymous.close()

    context, page = sign_in(browser, live_server, "admin", officer)
    refused += [refusals_of_the_policy(page)]
    for url in (
        "/admin/",
        "/admin/tracker/assistancerequest/",
        f"/admin/tracker/assistancerequest/{consulting.pk}/change/",
        f"/admin/tracker/assistancerequest/{consulting.pk}/plan/",
        "/admin/figures/",
    ):
        page.goto(url)
        found[url] = violations(page)
    context.close()

    context, page = sign_in(browser, live_server, "portal", togo_focal)
    refused += [refusals_of_the_policy(page)]
    for url in (
        "/portal/",
        f"/portal/requests/{consulting.reference}/",
        "/portal/requests/new/",
        "/portal/priorities/",
    ):
        page.goto(url)
        found[url] = violations(page)
    context.close()

    assert len(found) == 12
    assert {url: problems for url, problems in found.items() if problems} == {}
    assert [message for messages in refused for message in messages] == []
