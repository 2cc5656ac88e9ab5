"""Follow-up evaluations at 6 and 12 months (A/HRC/43/31 para 100): recorded against
the final evaluation's indicators, they satisfy their reminder; the State may withdraw
its consent to follow-up, which cancels the reminders."""

from __future__ import annotations

import base64
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import formats, timezone

from tests.conftest import messages_of
from tracker import services
from tracker.kernel import clock
from tracker.kernel.errors import InvalidInput, NotAllowed, Refused
from tracker.models import Consent, Notification
from tracker.notifications import reminders
from tracker.portal import status
from tracker.web import charts
from tracker.workflow import Stage

pytestmark = pytest.mark.django_db


@pytest.fixture
def closed(request_at):
    """A request closed 200 days ago, its final indicator "Officials trained" 0 → 40,
    35 measured at closing."""
    with clock.at(timezone.now() - timedelta(days=200)):
        return request_at(Stage.CLOSED)


def follow_up(ta_request, by, **changes):
    inputs = {
        "kind": "follow_up_6",
        "measured_on": timezone.now().date(),
        "measured": {"Officials trained": Decimal(42)},
        "summary": "Kept up.",
    }
    return services.record_follow_up(ta_request=ta_request, by=by, **{**inputs, **changes})


def test_a_follow_up_measures_the_final_indicators_again(closed, officer):
    evaluation = follow_up(closed, officer)
    (indicator,) = evaluation.indicators.all()
    assert (indicator.name, indicator.baseline, indicator.target, indicator.measured) == (
        "Officials trained",
        Decimal(0),
        Decimal(40),
        Decimal(42),
    )
    assert evaluation.measured_on == timezone.now().date()
    assert closed.final_evaluation().indicators.get().measured == Decimal(35)


def test_recording_it_satisfies_its_reminder(closed, officer, django_capture_on_commit_callbacks):
    ids = reminders.sweep(timezone.now())
    due = Notification.objects.get(pk__in=ids, request=closed, kind="follow_up_6")
    follow_up(closed, officer)
    assert reminders.deliver(due.pk) == "skipped"
    assert Notification.objects.get(pk=due.pk).last_error.startswith("No longer due")


@pytest.mark.parametrize(
    ("changes", "problems"),
    [
        ({"kind": "final"}, {"kind": "Choose which follow-up this is."}),
        ({"measured_on": None}, {"measured_on": "Give the date the values were measured."}),
        ({"measured": {}}, {"indicators.0.measured": "Give the value measured."}),
    ],
)
def test_an_incomplete_follow_up_says_what_is_missing(closed, officer, changes, problems):
    with pytest.raises(InvalidInput) as refused:
        follow_up(closed, officer, **changes)
    assert refused.value.fields == problems


def test_only_officers_record_follow_ups_of_closed_requests(
    closed, request_at, togo_focal, officer
):
    with pytest.raises(NotAllowed):
        follow_up(closed, togo_focal)
    with pytest.raises(Refused):
        follow_up(request_at(Stage.IMPLEMENTATION), officer)


def test_the_state_withdraws_its_consent_and_the_reminders_stop(closed, togo_focal, officer):
    ids = reminders.sweep(timezone.now())
    due = Notification.objects.get(pk__in=ids, request=closed, kind="follow_up_6")
    consent = services.withdraw_follow_up_consent(
        ta_request=closed, by=togo_focal, comment="We evaluate it ourselves."
    )
    assert consent.decision == "no_follow_up"
    assert consent.history_entry.transition == "follow_up_consent_withdrawn"
    assert reminders.deliver(due.pk) == "skipped"
    with pytest.raises(Refused, match="withdrew its consent to follow-up"):
        follow_up(closed, officer)
    with pytest.raises(Refused, match="withdrawn already"):
        services.withdraw_follow_up_consent(ta_request=closed, by=togo_focal)


def test_an_officer_records_the_withdrawal_only_with_the_states_letter(closed, officer):
    with pytest.raises(InvalidInput, match="written communication"):
        services.withdraw_follow_up_consent(ta_request=closed, by=officer)
    services.withdraw_follow_up_consent(
        ta_request=closed, by=officer, document_reference="NV/2026/88"
    )
    assert Consent.objects.filter(request=closed, decision="no_follow_up").count() == 1


def test_another_state_cannot_withdraw_it(closed, senegal_focal):
    with pytest.raises(NotAllowed):
        services.withdraw_follow_up_consent(ta_request=closed, by=senegal_focal)


def test_an_officer_records_a_follow_up_in_the_admin(client_as, closed):
    url = reverse("admin:tracker_assistancerequest_follow_up", args=[closed.pk])
    client = client_as("officer")
    page = client.get(url).content.decode()
    assert "Officials trained" in page
    response = client.post(url, {"kind": "follow_up_12", "measured_on": "", "indicator_0": ""})
    assert response.status_code == 200
    form = response.context["forms"][0]
    assert form.errors == {
        "measured_on": ["Give the date the values were measured."],
        "indicator_0": ["Give the value measured."],
    }
    response = client.post(
        url,
        {
            "kind": "follow_up_12",
            "measured_on": timezone.now().date().isoformat(),
            "indicator_0": "44",
        },
    )
    assert response.status_code == 302
    assert closed.evaluations.get(kind="follow_up_12").indicators.get().measured == Decimal(44)


def test_the_portal_shows_each_indicator_over_time(client, togo_focal, closed, officer):
    follow_up(closed, officer)
    client.force_login(togo_focal)
    page = client.get(f"/portal/requests/{closed.reference}/").content.decode()
    assert "Outcome indicators over time" in page
    assert "Follow-up after 6 months" in page
    row = page[page.index("<td>Officials trained") :]
    row = row[: row.index("</tr>")]
    assert [cell.split("<")[0] for cell in row.split("<td>")[2:]] == ["0", "40", "35", "42"]


def drawn_chart(page: str) -> str:
    """The SVG of the page's chart (an image inlined as base64)."""
    source = page[page.index('src="data:image/svg+xml;base64,') :].split('"')[1]
    return base64.b64decode(source.split(",", 1)[1]).decode()


def test_the_portal_draws_each_indicator_over_time(client, togo_focal, closed, officer):
    follow_up(closed, officer)
    client.force_login(togo_focal)
    page = client.get(f"/portal/requests/{closed.reference}/").content.decode()
    svg = drawn_chart(page)
    assert svg.startswith("<svg")
    assert "Officials trained" in svg
    assert "Follow-up after 6 months" in svg  # the follow-up is a point of its own
    spec = charts.indicator_progress(
        status.indicator_progress(
            closed.final_evaluation(), list(closed.evaluations.exclude(kind="final"))
        )
    )
    points = [(v["when"], v["value"], v["target"]) for v in spec["data"]["values"]]
    assert points == [
        ("Baseline", 0, 40),
        ("At closing", 35, 40),
        ("Follow-up after 6 months", 42, 40),
    ]


def test_no_chart_without_an_evaluation(client, togo_focal, request_at):
    ta_request = request_at(Stage.IMPLEMENTATION)
    client.force_login(togo_focal)
    page = client.get(f"/portal/requests/{ta_request.reference}/").content.decode()
    assert "data:image/svg+xml" not in page
    assert charts.indicator_progress({"columns": [], "rows": []}) is None


def test_the_state_declines_follow_ups_in_the_portal(client, togo_focal, closed):
    client.force_login(togo_focal)
    url = f"/portal/requests/{closed.reference}/no-follow-up/"
    client.post(url)  # without ticking the box: nothing happens
    assert closed.consents_to_follow_up()
    response = client.post(url, {"confirm": "yes"})
    assert response.status_code == 302
    assert not closed.consents_to_follow_up()
    page = client.get(f"/portal/requests/{closed.reference}/").content.decode()
    assert "Togo withdrew its consent to follow-up evaluations." in page
    assert "Decline follow-up evaluations" not in page


# --- the State's written withdrawal, recorded in the admin ------------------------------------

WITHDRAWAL = "Record the State's withdrawal of consent to follow-up"


def withdrawal_url(ta_request):
    return reverse("admin:tracker_assistancerequest_follow_up_consent", args=[ta_request.pk])


def withdrawal_step(client, ta_request):
    page = client.get(reverse("admin:tracker_assistancerequest_change", args=[ta_request.pk]))
    return next((s for s in page.context["request_actions"] if s["label"] == WITHDRAWAL), None)


def test_an_officer_records_the_states_written_withdrawal_in_the_admin(client_as, closed):
    admin = client_as("officer")
    assert withdrawal_step(admin, closed)["url"] == withdrawal_url(closed)
    response = admin.post(withdrawal_url(closed), {"comment": "By telephone."})
    assert response.status_code == 200
    (form,) = response.context["forms"]
    assert "give the reference of its written communication" in form.errors["document_reference"][0]
    assert closed.consents_to_follow_up()
    letter = {
        "document_reference": "NV/TGO/2026/120",
        "document_date": "2026-11-02",
        "comment": "The State evaluates it itself.",
    }
    assert admin.post(withdrawal_url(closed), letter).status_code == 302
    consent = Consent.objects.get(request=closed, decision="no_follow_up")
    assert (consent.document_reference, consent.comment) == (
        "NV/TGO/2026/120",
        "The State evaluates it itself.",
    )
    # Withdrawn once, the step is shown disabled with the reason, and refused.
    step = withdrawal_step(admin, closed)
    assert (step["url"], step["reason"]) == (
        "",
        "Consent to follow-up evaluations was withdrawn already.",
    )
    response = admin.post(withdrawal_url(closed), letter)
    assert any("withdrawn already" in m for m in messages_of(response))
    assert Consent.objects.filter(request=closed, decision="no_follow_up").count() == 1


@pytest.mark.parametrize("method", ["get", "post"])
def test_analysts_cannot_record_a_withdrawal_of_consent(client_as, closed, method):
    analyst = client_as("analyst")
    assert withdrawal_step(analyst, closed) is None
    response = getattr(analyst, method)(
        withdrawal_url(closed), {"document_reference": "NV/TGO/2026/120"}
    )
    assert response.status_code == 302
    assert any("Only secretariat officers" in m for m in messages_of(response))
    assert closed.consents_to_follow_up()


def test_a_withdrawal_of_consent_is_recorded_only_on_a_closed_request(client_as, request_at):
    ta_request = request_at(Stage.EVALUATION)
    admin = client_as("officer")
    assert withdrawal_step(admin, ta_request) is None
    response = admin.post(withdrawal_url(ta_request), {"document_reference": "NV/TGO/2026/120"})
    assert response.status_code == 200
    assert any("only at the stage Closed" in m for m in messages_of(response))
    assert not Consent.objects.filter(request=ta_request, decision="no_follow_up").exists()


def test_the_api_shows_the_follow_ups_with_the_evaluation(api, closed, officer):
    follow_up(closed, officer)
    body = api("togo_focal").get(f"/api/v1/requests/{closed.reference}/evaluation/").json()
    (later,) = body["follow_ups"]
    assert (later["kind"], later["indicators"][0]["measured"]) == ("follow_up_6", "42.00")


@pytest.mark.parametrize("days", [1, -300])
def test_a_follow_up_dated_in_the_future_or_before_closing_is_refused(closed, officer, days):
    with pytest.raises(InvalidInput) as refused:
        follow_up(closed, officer, measured_on=(timezone.now() + timedelta(days=days)).date())
    assert refused.value.fields == {"measured_on": "The date falls between the closing and today."}


def test_follow_ups_cannot_be_declined_before_the_request_is_closed(request_at, togo_focal):
    with pytest.raises(Refused):
        services.withdraw_follow_up_consent(
            ta_request=request_at(Stage.IMPLEMENTATION), by=togo_focal
        )


@pytest.fixture
def closed_long_ago(request_at):
    """A request closed 800 days ago, with the same indicator as ``closed``."""
    with clock.at(timezone.now() - timedelta(days=800)):
        return request_at(Stage.CLOSED)


def test_later_follow_ups_are_recorded_at_any_later_date(
    closed_long_ago, officer, client, togo_focal, api
):
    closed_on = closed_long_ago.stage_entered_at.date()
    for kind, days, value in [
        ("follow_up_later", 700, 50),
        ("follow_up_6", 185, 38),
        ("follow_up_later", 500, 45),
        ("follow_up_12", 370, 41),
    ]:
        follow_up(
            closed_long_ago,
            officer,
            kind=kind,
            measured_on=closed_on + timedelta(days),
            measured={"Officials trained": Decimal(value)},
        )
    # Recording a later follow-up again on its date corrects it rather than adding one.
    follow_up(
        closed_long_ago,
        officer,
        kind="follow_up_later",
        measured_on=closed_on + timedelta(500),
        measured={"Officials trained": Decimal(46)},
    )

    ordered = closed_long_ago.follow_ups()
    assert [
        (e.kind, (e.measured_on - closed_on).days, e.indicators.get().measured) for e in ordered
    ] == [
        ("follow_up_6", 185, 38),
        ("follow_up_12", 370, 41),
        ("follow_up_later", 500, 46),
        ("follow_up_later", 700, 50),
    ]

    client.force_login(togo_focal)
    page = client.get(f"/portal/requests/{closed_long_ago.reference}/").content.decode()
    row = page[page.index("<td>Officials trained") :]
    row = row[: row.index("</tr>")]
    assert [cell.split("<")[0] for cell in row.split("<td>")[2:]] == [
        "0",
        "40",
        "35",
        "38",
        "41",
        "46",
        "50",
    ]

    assert page.count(">Later follow-up<br>") == 2  # the table's headings
    progress = status.indicator_progress(closed_long_ago.final_evaluation(), ordered)
    when = [v["when"] for v in charts.indicator_progress(progress)["data"]["values"]]
    assert len(when) == len(set(when)) == 6  # each later follow-up is a point of its own
    # Dated as every page writes a date.
    assert when[-2:] == [formats.date_format(closed_on + timedelta(d)) for d in (500, 700)]

    body = api("togo_focal").get(f"/api/v1/requests/{closed_long_ago.reference}/evaluation/").json()
    assert [(f["kind"], f["indicators"][0]["measured"]) for f in body["follow_ups"]] == [
        ("follow_up_6", "38.00"),
        ("follow_up_12", "41.00"),
        ("follow_up_later", "46.00"),
        ("follow_up_later", "50.00"),
    ]


def test_a_later_follow_up_within_a_year_of_closing_is_refused(closed, officer):
    with pytest.raises(InvalidInput) as refused:
        follow_up(closed, officer, kind="follow_up_later")
    assert refused.value.fields == {
        "measured_on": (
            "A later follow-up is measured a year or more after the closing; before that, "
            "record the 6- or 12-month follow-up."
        )
    }
    assert not closed.evaluations.filter(kind="follow_up_later").exists()


def test_no_later_follow_up_once_the_state_withdrew_its_consent(
    closed_long_ago, officer, togo_focal
):
    services.withdraw_follow_up_consent(ta_request=closed_long_ago, by=togo_focal)
    with pytest.raises(Refused, match="Togo withdrew its consent to follow-up evaluations"):
        follow_up(closed_long_ago, officer, kind="follow_up_later")


def test_once_consent_is_withdrawn_the_admin_offers_no_follow_up(client_as, closed, togo_focal):
    admin = client_as("officer")
    page = reverse("admin:tracker_assistancerequest_change", args=[closed.pk])

    def follow_up_step():
        actions = admin.get(page).context["request_actions"]
        return next(s for s in actions if s["label"] == "Record a follow-up evaluation")

    assert follow_up_step()["reason"] == ""
    services.withdraw_follow_up_consent(ta_request=closed, by=togo_focal)
    step = follow_up_step()
    assert (step["url"], step["reason"]) == (
        "",
        "Togo withdrew its consent to follow-up evaluations of this request.",
    )
    url = reverse("admin:tracker_assistancerequest_follow_up", args=[closed.pk])
    response = admin.post(url, {"kind": "follow_up_6", "measured_on": "", "indicator_0": "1"})
    assert any("withdrew its consent" in m for m in messages_of(response))
    assert not closed.evaluations.exclude(kind="final").exists()


def test_the_states_timeline_tells_each_follow_up(client, togo_focal, closed, officer):
    follow_up(closed, officer, summary="Measured with the ministry.")
    client.force_login(togo_focal)
    page = client.get(f"/portal/requests/{closed.reference}/").content.decode()
    timeline = page[page.index('<ol class="timeline">') :]
    day = formats.date_format(timezone.now().date())
    assert (
        f"The secretariat recorded a follow-up evaluation: Follow-up after 6 months, "
        f"measured on {day}."
    ) in timeline
    assert "Measured with the ministry." in timeline
