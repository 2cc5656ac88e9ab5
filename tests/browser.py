"""What the browser tests share: Debian's Chromium driven by Playwright against the
live server (fixtures ``browser`` and ``page`` in conftest.py), and screenshots in
test-artifacts/screenshots/ (git-ignored)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
SHOTS = Path(__file__).resolve().parent.parent / "test-artifacts" / "screenshots"
PASSWORD = "correct horse battery staple"

needs_chromium = pytest.mark.skipif(
    shutil.which(CHROMIUM) is None,
    reason="needs Debian's chromium package (apt-get install chromium; .ci/run does)",
)


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SHOTS / f"{name}.png", full_page=True)
