"""Open data in the IATI 2.03 activity standard: only the requests whose State agreed
to their open publication (revocable, recorded like any consent), validated against
the official schema, streamed, and refused with a clear error when the publisher is
not configured."""

from __future__ import annotations

import io
import itertools
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from xml.etree import ElementTree

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from tests.factories import open_request
from tracker import services, tasks
from tracker.demo.scenarios import Content
from tracker.interop import iati
from tracker.kernel import clock
from tracker.kernel.errors import InvalidInput, NotAllowed, Refused
from tracker.models import AssistanceRequest, Consent, UprRecommendation
from tracker.services import ActivityDraft, IndicatorDraft, RecommendationDraft
from tracker.workflow import Stage, dates

pytestmark = pytest.mark.django_db

SCHEMA = Path(__file__).resolve().parents[3] / "shared" / "iati" / "iati-activities-schema.xsd"
LETTER = {"document_reference": "NV/TGO/2026/41", "document_date": timezone.now().date()}


def agree(ta_request, by, **letter):
    return services.decide_open_publication(ta_request=ta_request, by=by, agree=True, **letter)


def export() -> bytes:
    out = io.BytesIO()
    for piece in iati.document(iati.Publisher.from_settings(), iati.published()):
        out.write(piece)
    return out.getvalue()


def activities(xml: bytes) -> dict[str, ElementTree.Element]:
    root = ElementTree.fromstring(xml)  # noqa: S314 - our own export, not untrusted input
    return {a.findtext("iati-identifier"): a for a in root.findall("iati-activity")}


def identifier(ta_request) -> str:
    return f"XM-DAC-00000-{ta_request.reference}"


# --- the State's agreement ------------------------------------------------------------------


def test_nothing_is_published_without_the_states_agreement(request_at, togo_focal):
    ta_request = request_at(Stage.IMPLEMENTATION)
    assert identifier(ta_request) not in activities(export())
    consent = agree(ta_request, togo_focal)
    assert (consent.decision, consent.history_entry.transition) == (
        "open_data",
        "open_publication_agreed",
    )
    assert identifier(ta_request) in activities(export())
    services.decide_open_publication(ta_request=ta_request, by=togo_focal, agree=False)
    assert identifier(ta_request) not in activities(export())
    decisions = Consent.objects.filter(request=ta_request).values_list("decision", flat=True)
    assert list(decisions)[-2:] == ["open_data", "no_open_data"]  # both kept


def test_an_officer_records_the_states_written_agreement(request_at, officer):
    ta_request = request_at(Stage.CLOSED)
    with pytest.raises(InvalidInput, match="give the reference of its written communication"):
        agree(ta_request, officer)
    consent = agree(ta_request, officer, **LETTER)
    assert consent.document_reference == "NV/TGO/2026/41"
    ta_request.refresh_from_db()
    assert ta_request.open_publication_since is not None


def test_only_the_requesting_state_or_the_secretariat_from_its_letter_decides(
    request_at, senegal_focal, analyst
):
    ta_request = request_at(Stage.REQUESTED)
    for someone in (senegal_focal, analyst):
        with pytest.raises(NotAllowed):
            agree(ta_request, someone, **LETTER)
    assert AssistanceRequest.objects.get(pk=ta_request.pk).open_publication_since is None


def test_agreeing_twice_or_revoking_what_was_never_given_is_refused(request_at, togo_focal):
    ta_request = request_at(Stage.CONSULTATION)
    with pytest.raises(Refused, match="Togo has not agreed to the open publication"):
        services.decide_open_publication(ta_request=ta_request, by=togo_focal, agree=False)
    agree(ta_request, togo_focal)
    with pytest.raises(Refused, match="Togo already agreed"):
        agree(ta_request, togo_focal)


def test_the_state_decides_in_the_portal_and_confirms_it(
    client, request_at, togo_focal, senegal_focal
):
    ta_request = request_at(Stage.CLOSED)
    url = f"/portal/requests/{ta_request.reference}/open-data/"
    client.force_login(senegal_focal)
    assert client.post(url, {"agree": "yes", "confirm": "yes"}).status_code == 404
    client.force_login(togo_focal)
    page = client.get(f"/portal/requests/{ta_request.reference}/").content.decode()
    assert "internal notes are never published" in page
    response = client.post(url, {"agree": "yes"}, follow=True)
    assert "Tick the box to confirm that your State agrees." in response.content.decode()
    assert AssistanceRequest.objects.get(pk=ta_request.pk).open_publication_since is None
    response = client.post(url, {"agree": "yes", "confirm": "yes"}, follow=True)
    assert "published openly from the next export" in response.content.decode()
    assert "Togo agreed to the open publication of this request." in response.content.decode()
    client.post(url, {"agree": "no"})
    assert AssistanceRequest.objects.get(pk=ta_request.pk).open_publication_since is None


def test_an_officer_records_it_in_the_admin(client_as, request_at):
    ta_request = request_at(Stage.IMPLEMENTATION)
    admin = client_as("officer")
    url = f"/admin/tracker/assistancerequest/{ta_request.pk}/open_data/"
    page = admin.post(url, {"agree": "yes"}).content.decode()
    assert "give the reference of its written communication" in page
    admin.post(
        url,
        {
            "agree": "yes",
            "document_reference": "NV/TGO/2026/41",
            "document_date": str(dates.today()),
        },
    )
    assert AssistanceRequest.objects.get(pk=ta_request.pk).open_publication_since is not None
    analyst = client_as("analyst")
    analyst.post(url, {"agree": "no", "document_reference": "NV/TGO/2026/42"})
    assert AssistanceRequest.objects.get(pk=ta_request.pk).open_publication_since is not None


# --- what an activity says -------------------------------------------------------------------


@pytest.fixture
def closed_and_followed_up(request_at, togo_focal, officer):
    """Closed 200 days ago, followed up at 6 months, its brief published, agreed."""
    with clock.at(timezone.now() - timedelta(days=200)):
        ta_request = request_at(Stage.CLOSED)
    services.record_follow_up(
        ta_request=ta_request,
        by=officer,
        kind="follow_up_6",
        measured_on=timezone.now().date(),
        measured={"Officials trained": Decimal(42)},
    )
    services.write_brief(
        ta_request=ta_request,
        by=togo_focal,
        context="Overcrowded prisons.",
        done="Judges trained.",
        results="Fewer detainees.",
    )
    services.publish_brief(ta_request=ta_request, by=togo_focal, publish=True)
    agree(ta_request, togo_focal)
    return ta_request


def test_an_activity_carries_status_country_results_and_follow_ups(closed_and_followed_up):
    activity = activities(export())[identifier(closed_and_followed_up)]
    assert activity.find("activity-status").get("code") == "4"  # closed
    assert activity.find("recipient-country").get("code") == "TG"
    assert activity.find("participating-org[@role='2']/narrative").text == "Togo"
    shares = [Decimal(s.get("percentage")) for s in activity.findall("sector")]
    assert sum(shares) == 100
    (indicator,) = activity.findall("result/indicator")
    assert indicator.find("title/narrative").text == "Officials trained"
    assert indicator.find("baseline").get("value") == "0.00"
    periods = indicator.findall("period")
    assert [(p.find("target").get("value"), p.find("actual").get("value")) for p in periods] == [
        ("40.00", "35.00"),
        ("40.00", "42.00"),
    ]  # at closing, then the 6-month follow-up
    link = activity.find("document-link")
    assert link.get("url").endswith(f"/open/briefs/{closed_and_followed_up.reference}/")


def test_the_status_follows_the_stage(request_at, togo_focal):
    expected = {
        Stage.REQUESTED: "1",
        Stage.IMPLEMENTATION: "2",
        Stage.EVALUATION: "3",
        Stage.WITHDRAWN: "5",
    }
    made = {stage: agree(request_at(stage), togo_focal).request for stage in expected}
    found = activities(export())
    for stage, code in expected.items():
        assert found[identifier(made[stage])].find("activity-status").get("code") == code


def test_linked_upr_records_are_counted_as_tags(togo, togo_focal):
    record = UprRecommendation.objects.create(
        state_under_review=togo,
        recommending_state_id="DEU",
        cycle=4,
        session=44,
        text="Establish a national preventive mechanism.",
        response="supported",
        fingerprint="f" * 64,
    )
    ta_request = open_request(
        togo_focal, recommendations=[RecommendationDraft(source="upr", record=record.pk)]
    )
    agree(ta_request, togo_focal)
    (tag,) = activities(export())[identifier(ta_request)].findall("tag")
    assert (tag.get("vocabulary"), tag.find("narrative").text) == (
        "99",
        "Establish a national preventive mechanism.",
    )


def test_the_public_brief_page_needs_both_publications(client, closed_and_followed_up, togo_focal):
    url = f"/open/briefs/{closed_and_followed_up.reference}/"
    assert "Judges trained." in client.get(url).content.decode()  # nobody signed in
    services.publish_brief(ta_request=closed_and_followed_up, by=togo_focal, publish=False)
    assert client.get(url).status_code == 404
    assert activities(export())[identifier(closed_and_followed_up)].find("document-link") is None
    services.publish_brief(ta_request=closed_and_followed_up, by=togo_focal, publish=True)
    services.decide_open_publication(ta_request=closed_and_followed_up, by=togo_focal, agree=False)
    assert client.get(url).status_code == 404


def test_the_public_brief_page_has_its_heading_and_the_portal_links_to_it(
    client, client_as, closed_and_followed_up, togo_focal
):
    reference = closed_and_followed_up.reference
    url = f"/open/briefs/{reference}/"
    page = client.get(url).content.decode()
    assert '<header class="site">' in page
    assert "<h1>Good-practice brief</h1>" in page
    portal = client_as("togo_focal")
    assert f'href="{url}"' in portal.get(f"/portal/requests/{reference}/").content.decode()
    services.decide_open_publication(ta_request=closed_and_followed_up, by=togo_focal, agree=False)
    assert f'href="{url}"' not in portal.get(f"/portal/requests/{reference}/").content.decode()


def test_a_brief_taken_back_or_corrected_leaves_the_served_file_at_once(
    client, closed_and_followed_up, togo_focal, officer, django_capture_on_commit_callbacks
):
    ta_request = closed_and_followed_up

    def served_link():
        body = b"".join(client.get("/api/v1/iati/activities.xml").streaming_content)
        return activities(body)[identifier(ta_request)].find("document-link")

    tasks.publish_open_data()
    assert served_link() is not None
    revision = AssistanceRequest.objects.get(pk=ta_request.pk).revision
    with django_capture_on_commit_callbacks(execute=True):
        services.publish_brief(ta_request=ta_request, by=togo_focal, publish=False)
    assert served_link() is None
    assert AssistanceRequest.objects.get(pk=ta_request.pk).revision == revision + 1
    with django_capture_on_commit_callbacks(execute=True):
        services.publish_brief(ta_request=ta_request, by=togo_focal, publish=True)
    assert served_link() is not None
    # An officer's correction goes back to the State unpublished: out of the file too.
    with django_capture_on_commit_callbacks(execute=True):
        services.write_brief(
            ta_request=ta_request,
            by=officer,
            context="Prisons.",
            done="Judges trained.",
            results="Fewer detainees.",
        )
    assert served_link() is None


def test_a_brief_of_a_request_not_published_openly_leaves_the_file_alone(
    request_at, togo_focal, django_capture_on_commit_callbacks
):
    ta_request = request_at(Stage.CLOSED)
    with django_capture_on_commit_callbacks() as queued:
        services.write_brief(
            ta_request=ta_request,
            by=togo_focal,
            context="Prisons.",
            done="Judges trained.",
            results="Fewer detainees.",
        )
        services.publish_brief(ta_request=ta_request, by=togo_focal, publish=True)
    assert queued == []


def test_saving_a_draft_rewrites_the_file_only_when_its_link_may_change(
    request_at, togo_focal, officer, django_capture_on_commit_callbacks
):
    ta_request = agree(request_at(Stage.CLOSED), togo_focal).request
    draft = {"context": "Prisons.", "done": "Judges trained.", "results": "Fewer detainees."}
    with django_capture_on_commit_callbacks() as queued:
        services.write_brief(ta_request=ta_request, by=officer, **draft)
        services.write_brief(ta_request=ta_request, by=togo_focal, **draft)
    assert queued == []  # unpublished before and after: no link in the file either way
    with django_capture_on_commit_callbacks() as queued:
        services.publish_brief(ta_request=ta_request, by=togo_focal, publish=True)
        services.write_brief(ta_request=ta_request, by=togo_focal, **draft)
    assert len(queued) == 2  # published, then its text changed while published


# --- the document ---------------------------------------------------------------------------


def demo_export(tmp_path, officer) -> Path:
    """The whole demo data, every request agreed to open publication, exported."""
    call_command("load_demo", stdout=io.StringIO())
    for ta_request in AssistanceRequest.objects.filter(open_publication_since__isnull=True):
        agree(
            ta_request, AssistanceRequest.objects.get(pk=ta_request.pk).officer or officer, **LETTER
        )
    target = tmp_path / "activities.xml"
    call_command("export_iati", str(target), stdout=io.StringIO())
    return target


@pytest.mark.skipif(not SCHEMA.exists(), reason=f"the IATI 2.03 schema is not at {SCHEMA.parent}")
def test_the_export_of_the_full_demo_data_is_valid_iati_2_03(tmp_path, officer):
    from lxml import etree

    schema = etree.XMLSchema(etree.parse(str(SCHEMA)))
    document = etree.parse(str(demo_export(tmp_path, officer)))
    errors = (
        []
        if schema.validate(document)
        else [f"line {e.line}: {e.message}" for e in schema.error_log]
    )
    assert errors == []
    assert len(document.getroot()) == AssistanceRequest.objects.count() == 25


def test_the_export_of_the_full_demo_data_keeps_the_standards_rules(tmp_path, officer):
    # The Standard's rules the schema cannot check: these need no schema file.
    document = ElementTree.parse(demo_export(tmp_path, officer))  # noqa: S314 - our own export
    # Every kind of element the demo has data for is there: follow-ups (a fourth period:
    # closing, 6, 12 months, later), an indicator that improves as it falls, a brief.
    for path in (
        "budget",
        "result",
        "tag",
        "participating-org[@role='1']",
        "participating-org[@role='4']",
        "activity-date[@type='2']",
        "result/indicator/period[4]",
        "result/indicator[@ascending='0']",
        "document-link",
    ):
        assert document.getroot().findall(f"iati-activity/{path}"), path
    assert broken_rules(document.getroot()) == []


def broken_rules(root) -> list[str]:
    """The IATI Standard's rules on dates that the schema cannot check (its rulesets)."""
    broken = []
    for activity in root.iter("iati-activity"):
        name = activity.findtext("iati-identifier")
        dates = {
            d.get("type"): date.fromisoformat(d.get("iso-date"))
            for d in activity.iter("activity-date")
        }
        if not {"1", "2"} & dates.keys():
            broken.append(f"{name}: no planned or actual start")
        if activity.find("activity-status").get("code") == "1" and {"2", "4"} & dates.keys():
            broken.append(f"{name}: in the pipeline with an actual date")
        if "1" in dates and "3" in dates and dates["1"] > dates["3"]:
            broken.append(f"{name}: planned end before its start")
        for period in [*activity.iter("budget"), *activity.iter("period")]:
            start = date.fromisoformat(period.find("period-start").get("iso-date"))
            end = date.fromisoformat(period.find("period-end").get("iso-date"))
            if end < start:
                broken.append(f"{name}: a period ends before it starts")
            if period.tag == "budget" and end > iati._year_after(start):
                broken.append(f"{name}: a budget period longer than a year")
    return broken


def test_the_api_serves_the_published_file_to_anyone(client, request_at, togo_focal, settings):
    agree(request_at(Stage.CLOSED), togo_focal)
    # Before the worker's first export: a clear 503.
    response = client.get("/api/v1/iati/activities.xml")  # no sign-in: open data
    assert response.status_code == 503
    assert "being written for the first time" in response.json()["detail"]
    tasks.publish_open_data()
    response = client.get("/api/v1/iati/activities.xml")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/xml"
    assert "Last-Modified" in response
    body = b"".join(response.streaming_content)
    assert body == Path(settings.IATI_EXPORT_FILE).read_bytes()
    assert activities(body).keys() == activities(export()).keys()


def test_a_decision_refreshes_the_published_file_at_once(
    request_at, togo_focal, settings, django_capture_on_commit_callbacks
):
    ta_request = request_at(Stage.IMPLEMENTATION)
    published = Path(settings.IATI_EXPORT_FILE)
    with django_capture_on_commit_callbacks(execute=True):
        agree(ta_request, togo_focal)
    assert identifier(ta_request) in activities(published.read_bytes())
    with django_capture_on_commit_callbacks(execute=True):
        services.decide_open_publication(ta_request=ta_request, by=togo_focal, agree=False)
    assert identifier(ta_request) not in activities(published.read_bytes())


def test_one_export_runs_at_a_time(settings):
    from django.core.cache import cache

    cache.add(tasks.EXPORT_LOCK, "running")
    assert tasks.publish_open_data() is None
    assert not Path(settings.IATI_EXPORT_FILE).exists()
    cache.delete(tasks.EXPORT_LOCK)
    assert tasks.publish_open_data() == 0  # no request agreed: an empty list
    assert activities(Path(settings.IATI_EXPORT_FILE).read_bytes()) == {}


def test_the_export_reads_a_page_of_requests_at_a_time(
    request_at, togo_focal, monkeypatch, django_assert_max_num_queries
):
    monkeypatch.setattr(iati, "PAGE", 2)
    for stage in (
        Stage.REQUESTED,
        Stage.CONSULTATION,
        Stage.IMPLEMENTATION,
        Stage.CLOSED,
        Stage.CLOSED,
    ):
        agree(request_at(stage), togo_focal)
    # 3 pages of at most 2 requests: each page one query and one per related table.
    with django_assert_max_num_queries(3 * 12):
        assert len(activities(export())) == 5


@pytest.mark.parametrize(
    ("ref", "name", "problem"),
    [
        ("", "Secretariat", "set IATI_REPORTING_ORG_REF"),
        ("XM DAC 1", "Secretariat", "is not an IATI organisation identifier"),
        ("XM-DAC-00000", "", "set IATI_REPORTING_ORG_NAME"),
    ],
)
def test_a_missing_publisher_is_a_clear_error_not_a_broken_file(
    settings, client, tmp_path, ref, name, problem
):
    settings.IATI_REPORTING_ORG_REF, settings.IATI_REPORTING_ORG_NAME = ref, name
    target = tmp_path / "activities.xml"
    with pytest.raises(CommandError, match=problem):
        call_command("export_iati", str(target))
    assert list(tmp_path.iterdir()) == []  # nothing written, not even a partial file
    response = client.get("/api/v1/iati/activities.xml")
    assert response.status_code == 503
    assert problem in response.json()["detail"]


def test_a_failed_export_leaves_the_previous_file_in_place(
    tmp_path, request_at, togo_focal, monkeypatch
):
    agree(request_at(Stage.CLOSED), togo_focal)
    target = tmp_path / "activities.xml"
    call_command("export_iati", str(target), stdout=io.StringIO())
    before = target.read_bytes()

    def broken(*args):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(iati, "activity", broken)
    with pytest.raises(RuntimeError):
        call_command("export_iati", str(target), stdout=io.StringIO())
    assert target.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["activities.xml"]


# --- the Standard's rules beyond the schema -------------------------------------------------


def test_a_plan_longer_than_a_year_is_budgeted_year_by_year(request_at, togo_focal):
    two_years = Content(
        budget=Decimal("73000"),
        activities=(
            ActivityDraft("workshop", "Opening workshop", starts_on=date(2026, 1, 1)),
            ActivityDraft(
                "training", "Last training", starts_on=date(2027, 12, 1), ends_on=date(2027, 12, 31)
            ),
        ),
    )
    ta_request = agree(request_at(Stage.IMPLEMENTATION, content=two_years), togo_focal).request
    budgets = activities(export())[identifier(ta_request)].findall("budget")
    assert [
        (
            b.find("period-start").get("iso-date"),
            b.find("period-end").get("iso-date"),
            b.find("value").text,
            b.get("status"),
        )
        for b in budgets
    ] == [
        ("2026-01-01", "2026-12-31", "36500.00", "2"),
        ("2027-01-01", "2027-12-31", "36500.00", "2"),
    ]


def test_shares_of_a_budget_add_up_to_the_cent():
    shares = iati._by_year(date(2028, 2, 29), date(2030, 3, 1), Decimal("1000.00"))
    assert [period for period, _share in shares] == [
        (date(2028, 2, 29), date(2029, 2, 28)),
        (date(2029, 3, 1), date(2030, 2, 28)),
        (date(2030, 3, 1), date(2030, 3, 1)),
    ]
    assert sum(share for _period, share in shares) == Decimal("1000.00")


def test_an_activity_planned_only_by_its_end_still_starts(request_at, togo_focal):
    end_only = Content(
        plan_awaiting_decision=True,
        activities=(
            ActivityDraft("workshop", "Workshop", ends_on=timezone.now().date() + timedelta(90)),
        ),
    )
    ta_request = agree(request_at(Stage.CONSULTATION, content=end_only), togo_focal).request
    activity = activities(export())[identifier(ta_request)]
    (start,) = activity.findall("activity-date[@type='1']")
    assert start.get("iso-date") == ta_request.opened_at.date().isoformat()
    (budget,) = activity.findall("budget")
    assert budget.find("period-start").get("iso-date") < budget.find("period-end").get("iso-date")


def test_a_request_sent_back_to_consultation_is_still_in_implementation(
    request_at, togo_focal, officer
):
    ta_request = request_at(Stage.IMPLEMENTATION)
    services.propose_plan(
        ta_request=ta_request,
        by=officer,
        budget_amount=Decimal(90000),
        activities=[ActivityDraft("training", "More training")],
    )
    ta_request = services.take_transition(
        ta_request=ta_request, name="revise_plan", by=officer, comment="Budget doubled"
    )
    agree(ta_request, togo_focal)
    activity = activities(export())[identifier(ta_request)]
    # IATI's pipeline has no actual start: an activity that started is in implementation.
    assert activity.find("activity-status").get("code") == "2"
    assert activity.find("activity-date[@type='2']") is not None
    # The budget is still the approved version's, not the proposal awaiting consent.
    assert activity.find("budget").get("status") == "2"


def test_a_rejected_plan_is_not_published_as_planned(request_at, togo_focal):
    ta_request = request_at(Stage.CONSULTATION, content=Content(plan_awaiting_decision=True))
    services.take_transition(
        ta_request=ta_request,
        name="reject_plan",
        by=togo_focal,
        plan_version=1,
        reason="Not this one.",
    )
    agree(ta_request, togo_focal)
    activity = activities(export())[identifier(ta_request)]
    assert activity.find("budget") is None
    assert activity.find("participating-org[@role='4']") is None


def test_an_indicator_that_improves_as_it_falls_says_so(request_at, togo_focal, officer):
    fewer = IndicatorDraft("Overdue treaty reports", Decimal(4), Decimal(0), Decimal(1))
    ta_request = request_at(Stage.CLOSED, content=Content(indicators=(fewer,)))
    agree(ta_request, togo_focal)
    (indicator,) = activities(export())[identifier(ta_request)].findall("result/indicator")
    assert indicator.get("ascending") == "0"


def test_follow_ups_measure_one_period_after_another(closed_and_followed_up, officer):
    later = closed_and_followed_up.stage_entered_at.date() + timedelta(days=190)
    with clock.at(timezone.now() + timedelta(days=400)):
        services.record_follow_up(
            ta_request=closed_and_followed_up,
            by=officer,
            kind="follow_up_later",
            measured_on=later + timedelta(days=200),
            measured={"Officials trained": Decimal(45)},
        )
        xml = export()
    (indicator,) = activities(xml)[identifier(closed_and_followed_up)].findall("result/indicator")
    spans = [
        (
            p.find("period-start").get("iso-date"),
            p.find("period-end").get("iso-date"),
            p.find("actual").get("value"),
        )
        for p in indicator.findall("period")
    ]
    assert [value for _start, _end, value in spans] == ["35.00", "42.00", "45.00"]
    for (_start, end, _value), (start, _end, _next) in itertools.pairwise(spans):
        assert start == end  # each follow-up's period starts where the one before ended


def test_text_xml_cannot_hold_is_left_out_not_a_broken_file(togo_focal):
    ta_request = open_request(togo_focal, title="Training\x0bof judges\ufffe")
    agree(ta_request, togo_focal)
    activity = activities(export())[identifier(ta_request)]
    assert activity.find("title/narrative").text == "Trainingof judges"


@pytest.mark.parametrize(("language", "code"), [("fr", "fr"), ("zh-hans", "zh")])
def test_a_requests_own_words_carry_the_language_they_were_written_in(togo_focal, language, code):
    togo_focal.language = language
    togo_focal.save(update_fields=["language"])
    ta_request = open_request(togo_focal, title="Formation des juges")
    agree(ta_request, togo_focal)
    activity = activities(export())[identifier(ta_request)]
    xml_lang = "{http://www.w3.org/XML/1998/namespace}lang"
    assert activity.get(xml_lang) == "en"  # the narratives the export writes itself
    assert activity.find("title/narrative").get(xml_lang) == code  # ISO 639-1, as IATI's
    assert activity.find("reporting-org/narrative").get(xml_lang) is None


def test_the_publisher_type_must_be_an_organisation_type(settings):
    settings.IATI_REPORTING_ORG_TYPE = "41"
    with pytest.raises(iati.NotConfigured, match="OrganisationType"):
        iati.Publisher.from_settings()


def test_a_decision_during_a_running_export_is_written_when_it_ends(monkeypatch, settings):
    runs = []

    def refresh():
        runs.append(len(runs))
        if len(runs) == 1:  # a State decides while the first export runs
            assert tasks.publish_open_data() is None  # it does not wait for the lock
        return None

    monkeypatch.setattr(iati, "refresh", refresh)
    tasks.publish_open_data()
    assert runs == [0, 1]  # written again, with the decision


def test_the_rules_check_finds_what_it_looks_for():
    bad = ElementTree.fromstring(  # noqa: S314 - written here
        "<iati-activities><iati-activity><iati-identifier>X-1</iati-identifier>"
        "<activity-status code='1'/><activity-date type='4' iso-date='2026-01-01'/>"
        "<budget><period-start iso-date='2026-01-01'/><period-end iso-date='2027-01-01'/>"
        "</budget></iati-activity>"
        "<iati-activity><iati-identifier>X-2</iati-identifier><activity-status code='2'/>"
        "<activity-date type='1' iso-date='2026-06-01'/>"
        "<activity-date type='3' iso-date='2026-01-01'/>"
        "<result><indicator><period><period-start iso-date='2026-03-01'/>"
        "<period-end iso-date='2026-02-01'/></period></indicator></result>"
        "</iati-activity></iati-activities>"
    )
    assert broken_rules(bad) == [
        "X-1: no planned or actual start",
        "X-1: in the pipeline with an actual date",
        "X-1: a budget period longer than a year",
        "X-2: planned end before its start",
        "X-2: a period ends before it starts",
    ]
