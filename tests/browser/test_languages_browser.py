"""The portal's main pages in each of the six official languages, in Chromium, signed in
through the real login page as a focal point whose account speaks that language:
translated, laid out right to left in Arabic, nothing clipped, overlapping or scrolling
sideways. Screenshots go to test-artifacts/screenshots/languages-*.png."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.utils import translation

from tests.browser import needs_chromium, shot, sign_in, signed_in
from tests.factories import open_request
from tests.journeys import propose
from tracker.demo.scenarios import bring_to
from tracker.workflow import Stage

pytestmark = [
    pytest.mark.slow,
    needs_chromium,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("reference_data"),
]

LANGUAGES = [code for code, _name in settings.LANGUAGES]

#: Each main page, and a heading it shows (in English; the test reads it translated).
PAGES = {
    "dashboard": ("/portal/", "Open requests"),
    "request": (None, "Timeline"),
    "all-requests": ("/portal/requests/", "All our requests"),
    "new-request": ("/portal/requests/new/", "Ask for technical assistance"),
    "priorities": ("/portal/priorities/", "Our priorities"),
    "good-practices": ("/portal/good-practices/", "Good practices shared by States"),
    "figures": ("/portal/figures/", "Figures of our requests"),
}

#: In the page: elements whose text is cut off by their own box, and the main links that
#: overlap one another.
LAYOUT_FAULTS = """() => {
  const clipped = [...document.querySelectorAll('main *, header *')].filter(el => {
    const style = getComputedStyle(el);
    const hides = ['hidden', 'clip'].includes(style.overflowX);
    const forScreenReaders = el.closest('.visually-hidden') || el.clientWidth <= 1;
    const cut = el.scrollWidth > el.clientWidth + 1 && el.textContent.trim();
    return hides && !forScreenReaders && cut;
  }).map(el => el.outerHTML.slice(0, 80));
  const boxes = [...document.querySelectorAll('header.site nav a, header.site button')]
    .map(el => el.getBoundingClientRect());
  const overlapping = [];
  boxes.forEach((a, i) => boxes.slice(i + 1).forEach(b => {
    const apart = a.right - 1 <= b.left || b.right - 1 <= a.left
      || a.bottom - 1 <= b.top || b.bottom - 1 <= a.top;
    if (!apart) overlapping.push([a.left, a.top, b.left, b.top]);
  }));
  return {clipped, overlapping, width: document.documentElement.scrollWidth};
}"""


@pytest.fixture
def case(togo_focal, officer):
    ta_request = bring_to(
        open_request(togo_focal, title="Truth commission"),
        Stage.CONSULTATION,
        officer=officer,
        focal_point=togo_focal,
    )
    propose(ta_request, officer)
    return ta_request


def walk(page, case, language: str, width: int, name: str) -> None:
    with translation.override(language):
        headings = {page_name: translation.gettext(h) for page_name, (_u, h) in PAGES.items()}
    for page_name, (url, _heading) in PAGES.items():
        page.goto(url or f"/portal/requests/{case.reference}/")
        html = page.locator("html")
        assert html.get_attribute("lang") == language, page_name
        assert html.get_attribute("dir") == ("rtl" if language == "ar" else "ltr"), page_name
        assert page.get_by_role("heading", name=headings[page_name]).first.is_visible(), (
            page_name,
            headings[page_name],
        )
        faults = page.evaluate(LAYOUT_FAULTS)
        assert faults["width"] <= width, f"{page_name} scrolls sideways at {width} px"
        assert not faults["clipped"], (page_name, faults["clipped"])
        assert not faults["overlapping"], (page_name, faults["overlapping"])
        shot(page, f"languages-{name}-{page_name}")


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_portals_main_pages_in_each_language(browser, live_server, case, togo_focal, language):
    # The account's language is applied at sign-in: nothing to choose on the page.
    togo_focal.language = language
    togo_focal.save(update_fields=["language"])
    context, page = sign_in(browser, live_server, "portal", togo_focal, 1280)
    walk(page, case, language, 1280, language)
    context.close()


def test_arabic_at_phone_width_does_not_scroll_sideways(browser, live_server, case, togo_focal):
    togo_focal.language = "ar"
    togo_focal.save(update_fields=["language"])
    context, page = sign_in(browser, live_server, "portal", togo_focal, 375)
    walk(page, case, "ar", 375, "ar-375")
    context.close()


def test_arabic_mirrors_the_layout(browser, live_server, case, togo_focal):
    """Right to left: the brand on the right, the progress bar's first stage on the
    right, table headings and the timeline aligned to the right."""
    togo_focal.language = "ar"
    togo_focal.save(update_fields=["language"])
    context, page = sign_in(browser, live_server, "portal", togo_focal, 1280)
    page.goto(f"/portal/requests/{case.reference}/")
    brand = page.locator("header.site .brand").bounding_box()
    assert brand["x"] > 640, brand
    stages = page.locator(".progress li")
    first, last = stages.first.bounding_box(), stages.last.bounding_box()
    assert first["x"] > last["x"], (first, last)
    # "start" is the right edge only in a right-to-left cell: both are asked.
    heading = page.locator("th").first.evaluate(
        "th => [getComputedStyle(th).direction, getComputedStyle(th).textAlign]"
    )
    direction, align = heading
    assert direction == "rtl"
    assert align in ("right", "start")
    timeline = page.locator(".timeline").first
    assert timeline.evaluate("el => getComputedStyle(el).paddingRight") != "0px"
    context.close()


def test_the_switcher_names_each_language_in_its_own_name(browser, live_server, case, togo_focal):
    context, page = sign_in(browser, live_server, "portal", togo_focal, 1280)
    options = page.locator("#language option").all_inner_texts()
    assert options == [name for _code, name in settings.LANGUAGES]
    page.select_option("#language", "ar")
    page.locator("form.language [type=submit]").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("dir") == "rtl"
    context.close()


@pytest.mark.parametrize("language", ["ar", "zh-hans"])
def test_the_admin_in_arabic_and_chinese(browser, live_server, case, officer, language):
    """The secretariat's screens, signed in through the admin's login page: Arabic reads
    right to left (Django's admin mirrors itself on dir="rtl"), the queue and a request's
    page fit 1280 px."""
    officer.language = language
    officer.save(update_fields=["language"])
    context, page = signed_in(browser, live_server, officer)
    direction = "rtl" if language == "ar" else "ltr"
    with translation.override(language):
        stage = str(Stage(case.stage).label)
    pages = {
        "queue": "/admin/tracker/assistancerequest/?assigned=all",
        "request": f"/admin/tracker/assistancerequest/{case.pk}/change/",
    }
    for name, url in pages.items():
        page.goto(url)
        assert page.locator("html").get_attribute("dir") == direction, name
        assert page.locator("html").get_attribute("lang") == language, name
        assert page.get_by_text(stage).first.is_visible(), name
        assert page.evaluate("document.documentElement.scrollWidth") <= 1280, name
        shot(page, f"languages-admin-{language}-{name}")
    if language == "ar":
        header = page.locator("#site-name").bounding_box()
        assert header["x"] > 640, header  # the site's name on the right
    context.close()
