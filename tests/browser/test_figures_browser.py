"""The Figures page in a real browser, signed in through the login pages: the admin's
(every request) and the portal's (the State's own), in English and French, each chart
drawn with its table. Screenshots go to test-artifacts/screenshots/ (figures-*)."""

from __future__ import annotations

import pytest

from tests.browser import needs_chromium, shot, signed_in
from tests.browser.test_portal_browser import log_in
from tests.figures.test_figures import dataset  # noqa: F401 (the fixed dataset, as a fixture)

pytestmark = [
    pytest.mark.slow,
    needs_chromium,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("reference_data"),
]

HEADINGS = {
    "en": ("Requests opened per year", "Time in each stage", "Who asks", "Ownership by the States"),
    "fr": (
        "Demandes ouvertes par année",
        "Durée de chaque étape",
        "Qui demande",
        "Appropriation par les États",
    ),
}


def charts_drawn(page) -> int:
    images = page.locator("figure.chart img")
    for index in range(images.count()):
        assert images.nth(index).evaluate("img => img.complete && img.naturalWidth > 0")
    return images.count()


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_secretariat_reads_every_figure(
    browser,
    live_server,
    dataset,  # noqa: F811 (the fixture imported above)
    analyst,
    language,
):
    analyst.language = language
    analyst.save(update_fields=["language"])
    context, page = signed_in(browser, live_server, analyst)
    page.goto("/admin/figures/")
    for heading in HEADINGS[language]:
        assert page.get_by_role("heading", name=heading, exact=True).is_visible(), heading
    assert charts_drawn(page) >= 8
    shares = page.locator("#shares table")
    assert "75" in shares.inner_text()  # 3 of the 4 requests from least developed countries
    shot(page, f"figures-admin-{language}")
    page.emulate_media(media="print")
    assert not page.locator(".figures-filters").is_visible()
    context.close()


@pytest.mark.parametrize("language", ["en", "fr"])
def test_a_state_reads_its_own_figures(page, dataset, togo_focal, language):  # noqa: F811
    togo_focal.language = language
    togo_focal.save(update_fields=["language"])
    log_in(page)
    page.goto("/portal/figures/")
    assert page.get_by_role("heading", name=HEADINGS[language][0], exact=True).is_visible()
    assert charts_drawn(page) >= 4
    # Togo's one request, whatever the others did.
    assert page.locator("#opened_per_year table tbody tr").count() == 1
    shot(page, f"figures-portal-{language}")
