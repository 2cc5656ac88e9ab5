"""Dates and moments as each language writes them, the same way on every page: a date
in the language's one format, a timestamp with its time zone, a year never with a
thousands separator."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from django.conf import settings
from django.utils import formats, timezone, translation

from tracker import services
from tracker.demo.scenarios import Content
from tracker.kernel import clock
from tracker.workflow import Stage

pytestmark = pytest.mark.django_db

LANGUAGES = [code for code, _name in settings.LANGUAGES]
WRITTEN_ON = datetime(2026, 3, 4, 9, 30, tzinfo=UTC)
#: A year as a number formatter would write it: "2,026", "2 026", "2.026", "2 026".
SEPARATED = re.compile(r"\b2[,.\u00a0\u202f\u066c' ]0[12][0-9]\b")


@pytest.fixture
def closed_with_a_message(request_at, togo_focal, officer):
    with clock.at(WRITTEN_ON):
        ta_request = request_at(Stage.CLOSED, content=Content(lessons="Start with the courts."))
        services.write_message(ta_request=ta_request, by=officer, text="Here is the report.")
    services.write_brief(
        ta_request=ta_request, by=togo_focal, context="C.", done="D.", results="R."
    )
    services.publish_brief(ta_request=ta_request, by=togo_focal, publish=True)
    return ta_request


def page_in(client, language: str, url: str) -> str:
    client.cookies["django_language"] = language
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def times(page: str) -> list[str]:
    return re.findall(r"<time [^>]*>([^<]+)</time>", page)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_moment_names_its_time_zone_and_every_date_one_format(
    client_as, closed_with_a_message, language
):
    page = page_in(
        client_as("togo_focal"), language, f"/portal/requests/{closed_with_a_message.reference}/"
    )
    with translation.override(language):
        day = formats.date_format(WRITTEN_ON.date())
    moments = times(page)
    assert moments, "the page shows its timestamps in <time> elements"
    assert all(moment.endswith("UTC") for moment in moments), moments
    # The message written on 4 March, as the page writes every date.
    assert any(moment.startswith(day) for moment in moments), (day, moments)


def test_a_moment_is_read_in_the_deployments_time_zone_and_says_which(
    client_as, closed_with_a_message, settings
):
    settings.TIME_ZONE = "Asia/Tokyo"
    timezone.deactivate()
    page = page_in(
        client_as("togo_focal"), "en", f"/portal/requests/{closed_with_a_message.reference}/"
    )
    assert "March 4, 2026, 6:30 p.m. JST" in times(page)


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_year_is_never_written_with_a_separator(client_as, closed_with_a_message, language):
    ta_request = closed_with_a_message
    state = client_as("togo_focal")
    pages = {
        "briefs": page_in(state, language, "/portal/good-practices/"),
        "request": page_in(state, language, f"/portal/requests/{ta_request.reference}/"),
        "figures": page_in(state, language, "/portal/figures/"),
    }
    officer = client_as("officer")
    pages |= {
        "admin": page_in(
            officer, language, f"/admin/tracker/assistancerequest/{ta_request.pk}/change/"
        ),
        "admin figures": page_in(officer, language, "/admin/figures/"),
    }
    for name, page in pages.items():
        assert not SEPARATED.findall(page), (name, SEPARATED.findall(page))
    assert "2026" in pages["briefs"]
