"""Whole journeys as the people who use the service make them, in Chromium, through the
real sign-in pages: a State decides on a plan and writes with a file; a State ranks its
requests in Arabic on a phone; an officer takes a request from its letter to closed
using only the admin, in English and in Russian; an analyst reads the Figures and
downloads a table; a State approves in Spanish the brief it corrected; a State opens a
request in French. Each checks what the page says as it goes: errors at their fields
and in the summary, what comes next, people's names, the languages."""

from __future__ import annotations

import csv
from datetime import timedelta

import pytest
from django.utils import timezone, translation

from tests.browser import PASSWORD, needs_chromium, shot, sign_in
from tests.factories import open_request
from tests.journeys import propose
from tracker import selectors, services
from tracker.demo.scenarios import bring_to
from tracker.models import AssistanceRequest, Consent, Message
from tracker.workflow import Stage

pytestmark = [
    pytest.mark.slow,
    needs_chromium,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("reference_data"),
]

TODAY = timezone.now().date()


def named(user, first: str, last: str):
    user.first_name, user.last_name = first, last
    user.save(update_fields=["first_name", "last_name"])
    return user


def in_language(user, language: str):
    user.language = language
    user.save(update_fields=["language"])
    return user


def summary_links(page) -> list[str]:
    """The error summary's links, after checking it has the focus."""
    summary = page.locator(".error-summary")
    assert summary.is_visible()
    assert page.evaluate("document.activeElement.classList.contains('error-summary')")
    return [a.get_attribute("href") for a in summary.locator("a").all()]


def test_a_state_decides_on_a_plan_and_writes_with_a_file(
    browser, live_server, togo_focal, officer, tmp_path
):
    named(officer, "Olga", "Ivanova")
    ta_request = bring_to(
        open_request(togo_focal, title="Prison reform"),
        Stage.CONSULTATION,
        officer=officer,
        focal_point=togo_focal,
    )
    propose(ta_request, officer, budget="36500")
    context, page = sign_in(browser, live_server, "portal", togo_focal)
    assert page.get_by_text("Your decision is needed (1)").is_visible()
    page.get_by_role("link", name="Approve or reject plan version 1").click()
    page.get_by_role("link", name="Approve", exact=False).first.click()
    assert page.get_by_text("You are about to approve plan version 1").is_visible()
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(f"**/portal/requests/{ta_request.reference}/")
    assert (
        "Next, the activities of the plan are delivered." in page.locator(".messages").inner_text()
    )
    assert Consent.objects.filter(request=ta_request, decision="approved").exists()
    assert page.get_by_text("handled by Olga Ivanova").is_visible()

    # An empty message is refused at its field, and the page says so at the top.
    conversation = page.locator("#conversation")
    conversation.get_by_role("button", name="Send").click()
    assert "#id_text" in summary_links(page)
    assert page.title().startswith("Error:")
    report = tmp_path / "prison-census.pdf"
    report.write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    page.locator("#conversation textarea[name=text]").fill("Here is the census of prisons.")
    page.locator("#conversation input[type=file]").set_input_files(str(report))
    page.locator("#conversation").get_by_role("button", name="Send").click()
    assert "Your message was sent to the secretariat." in page.locator(".messages").inner_text()
    sent = Message.objects.get(request=ta_request)
    assert (sent.text, sent.documents.get().name) == (
        "Here is the census of prisons.",
        "prison-census.pdf",
    )
    shot(page, "journey-state-decides")
    context.close()


def test_a_state_ranks_in_arabic_on_a_phone(browser, live_server, togo_focal):
    first, second = (open_request(togo_focal, title=t) for t in ("Prison reform", "Elections"))
    context = browser.new_context(base_url=live_server.url, viewport={"width": 375, "height": 800})
    page = context.new_page()
    # Arabic chosen on the sign-in page is kept when signing in.
    page.goto("/portal/login/")
    page.select_option("select[name=language]", "ar")
    page.locator("form.language button").click()
    page.fill("input[name=username]", togo_focal.username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("main button[type=submit]").click()
    page.wait_for_url("**/portal/")
    assert page.locator("html").get_attribute("dir") == "rtl"
    page.goto("/portal/priorities/")
    page.fill(f"#rank-{first.reference}", "1")
    page.fill(f"#rank-{second.reference}", "1")
    page.locator("main form button[type=submit]").click()
    assert f"#rank-{first.reference}" in summary_links(page)
    assert page.locator(f"#rank-{first.reference}").get_attribute("aria-invalid") == "true"
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.fill(f"#rank-{first.reference}", "2")
    page.locator("main form button[type=submit]").click()
    with translation.override("ar"):
        saved = translation.gettext("Your priorities have been saved.")
    assert saved in page.locator(".messages").inner_text()
    assert [r.priority for r in AssistanceRequest.objects.order_by("pk")] == [2, 1]
    shot(page, "journey-ranks-ar-375")
    context.close()


@pytest.mark.parametrize("language", ["en", "ru"])
def test_an_officer_takes_a_request_from_its_letter_to_closed_in_the_admin(
    browser, live_server, officer, language
):
    in_language(named(officer, "Olga", "Ivanova"), language)
    context, page = sign_in(browser, live_server, "admin", officer)
    assert page.locator("html").get_attribute("lang") == language

    def confirm():
        page.locator("#content-main input[type=submit].default").click()

    def take(step: str):
        page.locator(f'a.button[href$="/{step}/"]').click()

    # Logged empty, every problem is listed at once, linked to its field.
    page.goto("/admin/tracker/assistancerequest/add/")
    confirm()
    links = summary_links(page)
    assert {"#id_requesting_state", "#id_title", "#id_document_number"} <= set(links), links
    page.select_option("select[name=requesting_state]", "SEN")
    page.fill("input[name=title]", "Code of nationality")
    page.select_option("select[name=received_via]", "note_verbale")
    page.fill("input[name=document_number]", "NV/SEN/2026/4")
    page.fill("input[name=document_date]", TODAY.isoformat())
    confirm()
    ta_request = AssistanceRequest.objects.get()

    take("transition/accept")
    confirm()
    with translation.override(language):
        next_step = translation.gettext("Next, the needs assessment, with the State.")
    said = page.locator(".messagelist").inner_text()
    assert "Olga Ivanova" in said
    assert next_step in said
    take("assessment")
    page.fill("textarea[name=findings]", "The 1961 code leaves children stateless.")
    page.fill("textarea[name=gaps]", "No safeguard against statelessness at birth.")
    confirm()
    take("transition/complete_assessment")
    confirm()
    take("plan")
    page.fill("input[name=budget_amount]", "24000")
    page.select_option("select[name=activities-0-form]", "advisory")
    page.fill("input[name=activities-0-title]", "Comments on the draft code")
    confirm()
    take("transition/approve_plan")
    # The letter cannot be dated in the future; the refusal is said at its field.
    page.fill("input[name=document_reference]", "NV/SEN/2026/9")
    page.fill("input[name=document_date]", (TODAY + timedelta(days=5)).isoformat())
    confirm()
    assert "#id_document_date" in summary_links(page)
    assert page.locator("input[name=document_reference]").input_value() == "NV/SEN/2026/9"
    page.fill("input[name=document_date]", TODAY.isoformat())
    confirm()
    take("delivery")
    page.select_option("select[name=activity]", index=1)
    page.fill("input[name=delivered_on]", TODAY.isoformat())
    page.fill("input[name=participants]", "12")
    confirm()
    take("transition/complete_implementation")
    confirm()
    take("evaluation")
    page.fill("textarea[name=summary]", "The draft code now has a safeguard at birth.")
    page.fill("input[name=indicators-0-name]", "Safeguards in the draft code")
    page.fill("input[name=indicators-0-baseline]", "0")
    page.fill("input[name=indicators-0-target]", "1")
    page.fill("input[name=indicators-0-measured]", "1")
    confirm()
    take("transition/close")
    confirm()
    ta_request.refresh_from_db()
    assert ta_request.stage == Stage.CLOSED
    shot(page, f"journey-officer-closed-{language}")
    context.close()


def test_an_analyst_reads_the_figures_and_downloads_a_table(
    browser, live_server, analyst, togo_focal, officer
):
    bring_to(
        open_request(togo_focal, title="Prison reform"),
        Stage.NEEDS_ASSESSMENT,
        officer=officer,
        focal_point=togo_focal,
    )
    context, page = sign_in(browser, live_server, "admin", analyst, accept_downloads=True)
    page.goto("/admin/figures/")
    section = page.locator("section#withdrawals")
    assert section.locator("table").is_visible()
    with page.expect_download() as downloading:
        section.get_by_role("link", name="Download as CSV").click()
    download = downloading.value
    assert download.suggested_filename == "withdrawals.csv"
    with open(download.path(), encoding="utf-8-sig") as table:
        rows = list(csv.reader(table))
    assert rows[0] == ["Stage", "Withdrawals"]
    assert ["Needs assessment", "0"] in rows
    context.close()


def test_a_state_approves_in_spanish_the_brief_it_corrected(
    browser, live_server, togo_focal, officer
):
    ta_request = bring_to(
        open_request(togo_focal, title="Prison reform"),
        Stage.CLOSED,
        officer=officer,
        focal_point=togo_focal,
    )
    services.write_brief(
        ta_request=ta_request,
        by=officer,
        context="Prisons at twice their capacity.",
        done="Magistrates trained.",
        results="Fewer detainees.",
    )
    context, page = sign_in(browser, live_server, "portal", in_language(togo_focal, "es"))
    with translation.override("es"):
        approve = translation.gettext(
            "Approve the brief the secretariat drafted for %(ref)s — <bdi>%(title)s</bdi>"
        ) % {"ref": ta_request.reference, "title": "x"}
        publish = translation.gettext("Publish the brief for other States")
        differently = translation.gettext("What we would do differently")
    assert page.get_by_text(approve.split(" — ")[0], exact=False).first.is_visible()
    page.goto(f"/portal/requests/{ta_request.reference}/")
    page.locator("#brief").get_by_label(differently).fill("Involucrar antes a la administración.")
    page.locator("#brief").get_by_role("button", name=publish).click()
    # What the State typed is what is published, and it says so in its language.
    brief = selectors.brief_of(ta_request)
    assert brief.published_at is not None
    assert brief.differently == "Involucrar antes a la administración."
    assert page.locator("#brief textarea[name=differently]").input_value() == (
        "Involucrar antes a la administración."
    )
    assert page.locator("html").get_attribute("lang") == "es"
    shot(page, "journey-brief-es")
    context.close()


def test_a_state_opens_a_request_in_french(browser, live_server, togo_focal):
    context, page = sign_in(browser, live_server, "portal", in_language(togo_focal, "fr"))
    page.goto("/portal/requests/new/")
    assert page.locator("html").get_attribute("lang") == "fr"
    mandate = page.locator("[name=rec-0-mandate]")
    cycle = page.locator("[name=rec-0-upr_cycle]")
    assert not mandate.is_visible()  # no mechanism chosen yet: only the choice shows
    page.select_option("select[name=rec-0-source]", "upr")
    assert cycle.is_visible()
    assert not mandate.is_visible()
    page.fill("[name=rec-0-upr_cycle]", "4")
    # Sent without a title nor the recommendation's words: both said, the rest kept.
    page.locator("main form button[type=submit]").click()
    links = summary_links(page)
    assert "#id_title" in links
    assert page.locator("[name=rec-0-upr_cycle]").input_value() == "4"
    page.fill("input[name=title]", "Réforme du code pénal")
    page.fill("[name=rec-0-text]", "Abolir la peine de mort.")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/portal/requests/TA-*/")
    with translation.override("fr"):
        sent = translation.gettext("Next, the secretariat decides whether it can accept it.")
    assert sent in page.locator(".messages").inner_text()
    ta_request = AssistanceRequest.objects.get()
    assert ta_request.recommendations.get().text == "Abolir la peine de mort."
    shot(page, "journey-new-request-fr")
    context.close()


def test_an_officer_invites_a_focal_point_who_chooses_a_password_in_spanish(
    browser, live_server, officer, mailoutbox
):
    named(officer, "Olga", "Ivanova")
    context, page = sign_in(browser, live_server, "admin", officer)
    page.goto("/admin/tracker/invitation/add/")
    page.select_option("select[name=member_state]", "PER")
    page.fill("input[name=first_name]", "Rosa")
    page.fill("input[name=last_name]", "Quispe")
    page.fill("input[name=email]", "rquispe@minjus.gob.pe")
    page.select_option("#id_language", "es")  # not the header's switcher
    page.locator("input[name=_save]").click()
    assert "rquispe@minjus.gob.pe" in page.locator(".messagelist").inner_text()
    context.close()

    (mail,) = mailoutbox
    link = next(word for word in mail.body.split() if "/portal/invitation/" in word)
    path = "/" + link.split("/", 3)[3]
    person = browser.new_context(base_url=live_server.url).new_page()
    person.goto(path)
    assert person.locator("html").get_attribute("lang") == "es"
    person.fill("input[name=password1]", "una frase bastante larga 42")
    person.fill("input[name=password2]", "una frase distinta 42")
    person.locator("main form button[type=submit]").click()
    assert "#id_password2" in summary_links(person)
    person.fill("input[name=password1]", "una frase bastante larga 42")
    person.fill("input[name=password2]", "una frase bastante larga 42")
    person.locator("main form button[type=submit]").click()
    person.wait_for_url("**/portal/")
    assert "Rosa Quispe" in person.locator(".messages").inner_text()
    assert person.locator("html").get_attribute("lang") == "es"
    shot(person, "journey-invitation-es")
    # The link worked once.
    person.goto(path)
    assert "ya se utilizó" in person.content()
    person.context.close()
