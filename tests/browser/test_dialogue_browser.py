"""The conversation in a real browser (Chromium), each side signed in through its own
login page: the State writes with a file attached, the officer sees it marked new in
the queue, reads it and answers; the State downloads the file. Screenshots go to
test-artifacts/screenshots/ (conversation-*)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests import samples
from tests.browser import needs_chromium, shot, sign_in
from tests.factories import open_request
from tracker.demo.scenarios import bring_to
from tracker.models import Message
from tracker.workflow import Stage

pytestmark = [
    pytest.mark.slow,
    needs_chromium,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("reference_data"),
]


def test_a_conversation_with_a_file_from_the_state_to_the_officer_and_back(
    browser, live_server, togo_focal, officer, tmp_path
):
    ta_request = bring_to(
        open_request(togo_focal, title="Prison reform"),
        Stage.CONSULTATION,
        officer=officer,
        focal_point=togo_focal,
    )
    letter = tmp_path / "lettre du ministère.pdf"
    letter.write_bytes(samples.pdf())

    state, page = sign_in(browser, live_server, "portal", togo_focal, accept_downloads=True)
    page.goto(f"/portal/requests/{ta_request.reference}/")
    page.fill("textarea[name=text]", "Could the second workshop take place in Kara?")
    page.set_input_files("input[name=attachment]", str(letter))
    page.get_by_role("button", name="Send the message").click()
    page.wait_for_url("**#conversation")
    assert page.get_by_text("Your message was sent to the secretariat.").is_visible()
    assert page.locator(".conversation li.mine").count() == 1

    staff, admin = sign_in(browser, live_server, "admin", officer, accept_downloads=True)
    admin.goto("/admin/tracker/assistancerequest/?assigned=all")
    assert admin.locator("strong.unread").inner_text() == "1 new"
    shot(admin, "conversation-queue")
    admin.goto(f"/admin/tracker/assistancerequest/{ta_request.pk}/change/")
    assert admin.get_by_text("Could the second workshop take place in Kara?").is_visible()
    admin.get_by_role("link", name="Write a message").click()
    admin.fill("textarea[name=text]", "Yes: Kara, in June.")
    admin.get_by_role("button", name="Confirm").click()
    admin.wait_for_url(f"**/{ta_request.pk}/change/")
    assert Message.objects.filter(request=ta_request).count() == 2

    page.goto("/portal/")
    assert page.get_by_text("1 new message").is_visible()
    page.get_by_text("1 new message").click()
    assert page.get_by_text("Yes: Kara, in June.").is_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name="lettre du ministère.pdf").first.click()
    assert download.value.suggested_filename == "lettre du ministère.pdf"
    assert Path(download.value.path()).read_bytes() == samples.pdf()
    shot(page, "conversation-portal")
    state.close()
    staff.close()


def test_a_refused_file_in_the_portal_says_why_at_phone_width(
    browser, live_server, togo_focal, officer, tmp_path
):
    ta_request = open_request(togo_focal, title="Elections")
    fake = tmp_path / "rapport.pdf"
    fake.write_bytes(samples.png())
    context, page = sign_in(
        browser, live_server, "portal", togo_focal, width=375, accept_downloads=True
    )
    page.goto(f"/portal/requests/{ta_request.reference}/")
    page.set_input_files("input[name=file]", str(fake))
    page.get_by_role("button", name="Attach", exact=True).click()
    refusal = "“rapport.pdf” is named as a .pdf file but is a PNG file."
    # At the top (focused, so a phone shows it without scrolling), linked to the field...
    summary = page.locator(".error-summary")
    assert summary.is_visible()
    summary.get_by_role("link", name=f"File: {refusal}").click()
    assert page.evaluate("document.activeElement.name") == "file"
    # ...and beside the field itself.
    assert page.get_by_text(refusal, exact=True).is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    shot(page, "conversation-refused-phone")
    context.close()
