"""The secretariat's screens in a real browser (Chromium), signed in through the login
page: the columns an officer sorts by fit a 1280 px screen without sideways scrolling;
a request's page shows its status and next step; the plan form shows its errors next
to their fields. Screenshots go to test-artifacts/screenshots/ (queue-*, admin-request-*,
plan-errors-*)."""

from __future__ import annotations

import pytest

from tests.browser import needs_chromium, shot, signed_in
from tests.factories import open_request
from tracker import services
from tracker.demo.scenarios import bring_to
from tracker.models import Plan
from tracker.workflow import Stage

pytestmark = [
    pytest.mark.slow,
    needs_chromium,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("reference_data"),
]


KEY_COLUMNS = ("reference", "stage", "officer", "days_in_stage", "overdue", "priority", "unread")


@pytest.mark.parametrize("language", ["en", "fr", "es", "ar", "ru", "zh-hans"])
def test_the_queues_key_columns_fit_a_1280_pixel_screen(
    browser, live_server, officer, togo_focal, language
):
    officer.language = language
    officer.first_name, officer.last_name = "Olga", "Ivanova-Petrovskaya"
    officer.save(update_fields=["language", "first_name", "last_name"])
    for n in range(8):
        ta_request = open_request(
            togo_focal, title=f"Training of judges on pre-trial detention {n}"
        )
        services.take_transition(ta_request=ta_request, name="accept", by=officer)
    context, page = signed_in(browser, live_server, officer)
    page.goto("/admin/tracker/assistancerequest/")
    shot(page, f"queue-{language}")
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    # The table scrolls inside its box: each key column must lie within what it shows.
    shown = page.locator("#changelist .results").bounding_box()
    assert shown is not None
    for column in KEY_COLUMNS:
        box = page.locator(f"th.column-{column}").bounding_box()
        assert box is not None, column
        # Within the box, whichever side the language reads from.
        assert box["x"] >= shown["x"] - 1, column
        assert box["x"] + box["width"] <= shown["x"] + shown["width"] + 1, column
    context.close()


WORDS = {
    "en": {
        "next": "Next step",
        "propose": "Propose plan version",
        "add": "Add an activity",
        "budget": "A plan has a budget of zero or more.",
        "ends": "An activity cannot end before it starts.",
        "confirm": "Confirm",
    },
    "fr": {
        "next": "Prochaine étape",
        "propose": "Proposer une version du plan",
        "add": "Ajouter une activité",
        "budget": "Le budget d’un plan doit être supérieur ou égal à zéro.",
        "ends": "Une activité ne peut pas se terminer avant d’avoir commencé.",
        "confirm": "Confirmer",
    },
}


@pytest.mark.parametrize("language", ["en", "fr"])
def test_a_requests_page_and_the_plan_form_with_its_errors(
    browser, live_server, officer, togo_focal, language
):
    words = WORDS[language]
    officer.language = language
    officer.first_name, officer.last_name = "Olga", "Ivanova-Petrovskaya"
    officer.save(update_fields=["language", "first_name", "last_name"])
    ta_request = bring_to(
        open_request(togo_focal, title="Prison reform"),
        Stage.CONSULTATION,
        officer=officer,
        focal_point=togo_focal,
    )
    context, page = signed_in(browser, live_server, officer)
    page.goto(f"/admin/tracker/assistancerequest/{ta_request.pk}/change/")
    assert page.locator("#request-status").get_by_text(words["next"]).is_visible()
    # No plan yet: the State's decision is the step expected, shown disabled with why.
    assert page.locator("#request-steps .disabled .reason").first.inner_text() != ""
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    shot(page, f"admin-request-{language}")

    page.get_by_role("link", name=words["propose"]).click()
    page.fill("input[name=budget_amount]", "-5")
    page.select_option("select[name=activities-0-form]", "training")
    page.fill("input[name=activities-0-title]", "Training of prison staff")
    page.fill("input[name=activities-0-starts_on]", "2026-05-10")
    page.fill("input[name=activities-0-ends_on]", "2026-05-01")
    page.get_by_role("button", name=words["add"]).click()  # no script: the page comes back
    assert page.locator("input[name=activities-2-title]").count() == 1
    assert page.input_value("input[name=activities-0-title]") == "Training of prison staff"
    page.get_by_role("button", name=words["confirm"]).click()
    # Each error in the row of its own field.
    budget_row = page.locator(".form-row", has=page.locator("input[name=budget_amount]"))
    assert budget_row.locator(".errorlist").inner_text() == words["budget"]
    ends_row = page.locator(".form-row", has=page.locator("input[name=activities-0-ends_on]"))
    assert ends_row.locator(".errorlist").inner_text() == words["ends"]
    assert not Plan.objects.exists()
    shot(page, f"plan-errors-{language}")
    context.close()
