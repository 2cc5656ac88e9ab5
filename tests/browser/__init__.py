"""What the browser tests share: Debian's Chromium driven by Playwright against the
live server (fixtures ``browser`` and ``page`` in conftest.py), and screenshots in
test-artifacts/screenshots/ (git-ignored)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
SHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
PASSWORD = "correct horse battery staple"

needs_chromium = pytest.mark.skipif(
    shutil.which(CHROMIUM) is None,
    reason="needs Debian's chromium package (apt-get install chromium; .ci/run does)",
)


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SHOTS / f"{name}.png", full_page=True)


def sign_in(browser, live_server, door, user, width=1280, **options):
    """A new browser context signed in through the real login page of ``door``
    ("admin" for staff without a second factor, "portal" for focal points)."""
    viewport = {"width": width, "height": 900}
    context = browser.new_context(base_url=live_server.url, viewport=viewport, **options)
    page = context.new_page()
    page.goto(f"/{door}/login/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("main button[type=submit], #login-form [type=submit]").first.click()
    page.wait_for_url(f"**/{door}/")
    return context, page


def signed_in(browser, live_server, user, width=1280):
    """A new browser context signed in through the admin's login page."""
    return sign_in(browser, live_server, "admin", user, width)
