"""The secretariat's queue in a real browser (Chromium): signed in through the login
page, the columns an officer sorts by fit a 1280 px screen without sideways scrolling.
Screenshots go to test-artifacts/screenshots/queue-*.png."""

from __future__ import annotations

import pytest

from tests.browser import PASSWORD, needs_chromium, shot
from tests.factories import open_request
from tracker import services

pytestmark = [pytest.mark.slow, needs_chromium, pytest.mark.django_db(transaction=True),
              pytest.mark.usefixtures("reference_data")]  # fmt: skip

KEY_COLUMNS = ("reference", "stage", "officer", "days_in_stage", "overdue", "priority")


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_queues_key_columns_fit_a_1280_pixel_screen(browser, live_server, officer,
                                                        togo_focal, language):  # fmt: skip
    officer.language = language
    officer.save(update_fields=["language"])
    for n in range(8):
        ta_request = open_request(
            togo_focal, title=f"Training of judges on pre-trial detention {n}"
        )
        services.take_transition(ta_request=ta_request, name="accept", by=officer)
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto("/admin/login/")
    page.fill("input[name=username]", officer.username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("#login-form [type=submit]").click()
    page.wait_for_url("**/admin/")
    page.goto("/admin/tracker/assistancerequest/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    # The table scrolls inside its box: each key column must lie within what it shows.
    shown = page.locator("#changelist .results").bounding_box()
    assert shown is not None
    for column in KEY_COLUMNS:
        box = page.locator(f"th.column-{column}").bounding_box()
        assert box is not None, column
        assert box["x"] + box["width"] <= shown["x"] + shown["width"] + 1, column
    shot(page, f"queue-{language}")
    context.close()
