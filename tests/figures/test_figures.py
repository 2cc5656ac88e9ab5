"""The Figures against values computed by hand on a small fixed dataset.

A  Togo (least developed), opened by its focal point 2024-03-01, justice, follows up
   a UPR recommendation given as text; accepted 03-11 (10 days requested), assessed 04-10 (30 days
   in needs assessment); plan 1 proposed 04-20, rejected 04-25 (5 days); plan 2
   proposed 05-01, approved 05-03 (2 days; 23 days in consultation); in
   implementation since. Funding: 1 000 USD from the Voluntary Fund.
B  Cambodia (least developed, agenda item 10), logged from a note verbale 2025-01-15,
   justice and legislation; accepted 01-20 (5 days), withdrawn 02-19 from needs
   assessment (30 days). Funding: 500 EUR bilateral.
C  Mexico, logged from a note verbale 2025-06-01, elections; still requested.
   Funding: 2 000 USD from the Voluntary Fund.
D  Senegal (least developed), opened by its focal point 2025-02-01, education,
   follows up an imported UPR record; ten days in each stage to closed (plan 1
   proposed halfway through consultation, approved 5 days later); its lessons published.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from tests.factories import FocalPointFactory
from tracker import figures, services
from tracker.demo.scenarios import Content, bring_to
from tracker.figures import tallies
from tracker.interop import upr
from tracker.kernel import clock
from tracker.models import AssistanceRequest, UprRecommendation
from tracker.services import ActivityDraft, FormalRequest, FundingDraft, RecommendationDraft

pytestmark = pytest.mark.django_db


def at(day: str) -> datetime:
    return datetime.fromisoformat(f"{day}T12:00:00").replace(tzinfo=UTC)


def plan(ta_request, officer):
    training = [ActivityDraft(form="training", title="Training")]
    services.propose_plan(
        ta_request=ta_request, by=officer, budget_amount=Decimal(1000), activities=training
    )


@pytest.fixture
def dataset(togo_focal, senegal_focal, officer):
    cambodia = FocalPointFactory(username="sophea", member_state_id="KHM")
    with clock.at(at("2024-03-01")):
        a = services.open_request(
            by=togo_focal,
            title="A",
            domains=["justice"],
            recommendations=[
                RecommendationDraft(source="upr", upr_cycle=3, text="Reform the courts.")
            ],
        )
    with clock.at(at("2024-03-11")):
        services.take_transition(ta_request=a, name="accept", by=officer)
        services.record_funding(
            ta_request=a, by=officer, funding=[FundingDraft("vftc", Decimal(1000))]
        )
    with clock.at(at("2024-04-10")):
        services.record_assessment(ta_request=a, by=officer, findings="f", gaps="g")
        services.take_transition(ta_request=a, name="complete_assessment", by=officer)
    with clock.at(at("2024-04-20")):
        plan(a, officer)
    with clock.at(at("2024-04-25")):
        services.take_transition(
            ta_request=a, name="reject_plan", by=togo_focal, reason="Too short."
        )
    with clock.at(at("2024-05-01")):
        plan(a, officer)
    with clock.at(at("2024-05-03")):
        services.take_transition(ta_request=a, name="approve_plan", by=togo_focal)

    with clock.at(at("2025-01-15")):
        b = services.open_request(
            by=officer,
            title="B",
            requesting_state="KHM",
            domains=["justice", "legislation"],
            formal_request=FormalRequest("note_verbale", "NV/KHM/1", at("2025-01-15").date()),
            funding=[FundingDraft("bilateral", Decimal(500), "EUR")],
        )
    with clock.at(at("2025-01-20")):
        services.take_transition(ta_request=b, name="accept", by=officer)
    with clock.at(at("2025-02-19")):
        services.take_transition(ta_request=b, name="withdraw", by=cambodia, reason="Elsewhere.")

    with clock.at(at("2025-06-01")):
        services.open_request(
            by=officer,
            title="C",
            requesting_state="MEX",
            domains=["elections"],
            formal_request=FormalRequest("note_verbale", "NV/MEX/1", at("2025-06-01").date()),
            funding=[FundingDraft("vftc", Decimal(2000))],
        )

    text = "Ensure the right to education for all children."
    record = UprRecommendation.objects.create(
        state_under_review_id="SEN",
        recommending_state_id="DEU",
        cycle=3,
        session=45,
        text=text,
        response="supported",
        fingerprint=upr.fingerprint(text),
    )
    followed = [RecommendationDraft(source="upr", record=record.pk)]
    with clock.at(at("2025-02-01")):
        d = services.open_request(
            by=senegal_focal, title="D", domains=["education"], recommendations=followed
        )
    d = bring_to(
        d,
        "closed",
        officer=officer,
        focal_point=senegal_focal,
        content=Content(days_per_step=10, lessons="Start with the courts."),
    )
    services.publish_lessons(ta_request=d, by=senegal_focal, publish=True)


def everything(**narrowed) -> dict:
    return figures.figures(AssistanceRequest.objects.all(), figures.Filters(**narrowed))


def test_requests_opened_per_year_with_the_change_from_the_year_before(dataset):
    opened = everything()["opened_per_year"]
    assert opened["years"] == [
        {"year": 2024, "total": 1, "change": None},
        {
            "year": 2025,
            "total": 3,
            "change": {"difference": 2, "percent": 200.0, "text": "+200.0 %"},
        },
    ]
    assert opened["by_stage"] == {
        "2024": {"implementation": 1},
        "2025": {"closed": 1, "requested": 1, "withdrawn": 1},
    }
    assert opened["by_region"] == {
        "2024": {"AFRICA": 1},
        "2025": {"AFRICA": 1, "ASIA_PACIFIC": 1, "LATIN_AMERICA_CARIBBEAN": 1},
    }
    assert opened["by_domain"] == {
        "2024": {"justice": 1},
        "2025": {"education": 1, "elections": 1, "justice": 1, "legislation": 1},
    }


def test_time_in_each_stage_and_the_overdue_share(dataset):
    found = everything()["time_in_stage"]
    # requested: 10, 5, 10; needs assessment: 30, 30, 10; consultation: 23, 10;
    # implementation and evaluation: D's 10 each. 90th percentile interpolated.
    assert found["stages"] == {
        "requested": {"stays": 3, "median_days": 10.0, "p90_days": 10.0},
        "needs_assessment": {"stays": 3, "median_days": 30.0, "p90_days": 30.0},
        "consultation": {"stays": 2, "median_days": 16.5, "p90_days": 21.7},
        "implementation": {"stays": 1, "median_days": 10.0, "p90_days": 10.0},
        "evaluation": {"stays": 1, "median_days": 10.0, "p90_days": 10.0},
    }
    # A (implementation since 2024-05-03) and C (requested since 2025-06-01) are open,
    # both well past their service levels today.
    assert (found["open"], found["overdue"], found["overdue_share"]) == (2, 2, 1.0)


def test_shares_of_least_developed_agenda_item_10_and_upr(dataset):
    # UPR follow-up: A's text and D's record; imported records: D's only.
    assert everything()["shares"] == {
        "total": 4,
        "least_developed": {"count": 3, "share": 0.75},
        "agenda_item_10": {"count": 1, "share": 0.25},
        "upr_follow_up": {"count": 2, "share": 0.5},
        "upr_record_follow_up": {"count": 1, "share": 0.25},
    }


def test_funding_by_year_and_source_never_adds_currencies(dataset):
    assert everything()["funding"] == [
        {"year": 2024, "source": "vftc", "currency": "USD", "amount": "1000.00"},
        {"year": 2025, "source": "bilateral", "currency": "EUR", "amount": "500.00"},
        {"year": 2025, "source": "vftc", "currency": "USD", "amount": "2000.00"},
    ]


def test_ownership(dataset):
    owned = everything()["ownership"]
    assert owned["opened_by_the_state"] == {"count": 2, "share": 0.5}  # A and D
    assert owned["logged_from_a_letter"] == {"count": 2, "share": 0.5}  # B and C
    # Plans decided after 5 (A 1, rejected), 2 (A 2) and 5 days (D 1).
    assert owned["days_to_decision"] == {"plans_decided": 3, "median_days": 5.0}
    assert owned["plans_rejected"] == 1
    assert owned["versions_before_approval"] == {
        "approved": 2,
        "by_version": {"1": 1, "2": 1},
        "mean": 1.5,
    }
    assert owned["withdrawals_by_stage"] == {
        "requested": 0,
        "needs_assessment": 1,
        "consultation": 0,
        "implementation": 0,
        "evaluation": 0,
    }
    assert (owned["closed"], owned["lessons_shared"]) == (1, {"count": 1, "share": 1.0})


@pytest.mark.parametrize(
    ("narrowed", "years"),
    [
        ({"region": "AFRICA"}, [(2024, 1, None), (2025, 1, "0.0 %")]),  # A and D
        ({"domain": "justice"}, [(2024, 1, None), (2025, 1, "0.0 %")]),  # A and B, once each
        ({"first_year": 2025}, [(2025, 3, None)]),
        ({"last_year": 2024}, [(2024, 1, None)]),
        ({"region": "WESTERN_EUROPE_OTHERS"}, []),
    ],
)
def test_filters_narrow_every_figure(dataset, narrowed, years):
    found = everything(**narrowed)
    assert [
        (y["year"], y["total"], y["change"] and y["change"]["text"])
        for y in found["opened_per_year"]["years"]
    ] == years
    assert found["shares"]["total"] == sum(total for _year, total, _change in years)


def test_a_states_figures_cover_its_own_requests(dataset, togo_focal):
    from tracker import selectors

    found = figures.figures(selectors.visible_requests(togo_focal))
    assert found["shares"]["total"] == 1
    assert found["funding"] == [
        {"year": 2024, "source": "vftc", "currency": "USD", "amount": "1000.00"}
    ]


def test_the_percentile_is_postgresqls_on_sqlite_too():
    assert figures.percentile([10, 23], 0.9) == pytest.approx(21.7)
    assert figures.percentile([1, 2, 3, 4], 0.5) == 2.5
    assert figures.percentile([], 0.5) is None


# --- through the API --------------------------------------------------------------------------


def test_the_api_gives_the_figures_narrowed(api, dataset):
    body = api("analyst").get("/api/v1/reports/figures/?region=AFRICA").json()
    assert body["shares"]["total"] == 2
    assert body == everything(region="AFRICA")
    # A State sees its own requests only, whatever it asks for.
    assert api("togo_focal").get("/api/v1/reports/figures/").json()["shares"]["total"] == 1


def test_every_figure_downloads_as_csv(api, dataset):
    response = api("analyst").get("/api/v1/reports/figures/?format=csv&figure=shares")
    lines = b"".join(response.streaming_content).decode("utf-8-sig").splitlines()
    assert lines == [
        "figure,measure,value",
        "shares,total,4",
        "shares,least_developed/count,3",
        "shares,least_developed/share,0.75",
        "shares,agenda_item_10/count,1",
        "shares,agenda_item_10/share,0.25",
        "shares,upr_follow_up/count,2",
        "shares,upr_follow_up/share,0.5",
        "shares,upr_record_follow_up/count,1",
        "shares,upr_record_follow_up/share,0.25",
    ]
    whole = api("analyst").get("/api/v1/reports/figures/?format=csv")
    text = b"".join(whole.streaming_content).decode("utf-8-sig")
    assert "funding,2025/bilateral/EUR/amount,500.00" in text
    assert "opened_per_year,years/2025/change/percent,200.0" in text


def test_the_openapi_schema_describes_both_upr_shares(client):
    schema = client.get("/api/schema/?format=json").json()
    shares = schema["components"]["schemas"]["Shares"]["properties"]
    assert "imported UPR record" in shares["upr_record_follow_up"]["description"]
    assert "or text" in shares["upr_follow_up"]["description"]


@pytest.mark.parametrize(
    ("query", "problem"),
    [
        ("first_year=2026&last_year=2024", "The last year comes after the first."),
        ("region=MARS", "region"),
        ("domain=cooking", "domain"),
        ("figure=weather", "figure"),
        ("first_year=", "Give a value to first_year"),
        ("colour=red", "Unknown query parameter"),
    ],
)
def test_the_api_refuses_what_it_cannot_narrow_by(api, dataset, query, problem):
    response = api("analyst").get(f"/api/v1/reports/figures/?{query}")
    assert response.status_code == 400
    assert problem in response.content.decode()


# --- the pages ----------------------------------------------------------------------------------


def test_the_admin_page_shows_every_request_to_officers_and_analysts(client_as, dataset):
    for persona in ("officer", "analyst"):
        page = client_as(persona).get("/admin/figures/").content.decode()
        assert "Shares of the 4 requests" in page
        assert '<th scope="row">Following up imported UPR records</th><td>1</td>' in page
        assert page.count('src="data:image/svg+xml;base64,') >= 8
        assert 'href="/admin/figures/shares.csv"' in page


def test_the_portal_page_shows_the_states_own_requests(client, dataset, togo_focal):
    client.force_login(togo_focal)
    page = client.get("/portal/figures/?region=AFRICA").content.decode()
    assert "Shares of the 1 requests" in page
    # Togo's only request follows up a UPR recommendation given as text, not a record.
    assert '<th scope="row">Following up UPR recommendations</th><td>1</td>' in page
    assert '<th scope="row">Following up imported UPR records</th><td>0</td>' in page
    # The CSV link narrows as the page does.
    assert 'href="/portal/figures/funding.csv?region=AFRICA"' in page


def csv_lines(response) -> list[str]:
    assert response.status_code == 200, response.content
    return b"".join(response.streaming_content).decode("utf-8-sig").splitlines()


def test_each_tables_csv_is_that_table_in_the_readers_language(client_as, dataset):
    """Not one dump of every figure: the table under the chart, its headings translated,
    stages named, not coded."""
    analyst = client_as("analyst")
    withdrawals = csv_lines(analyst.get("/admin/figures/withdrawals.csv"))
    assert withdrawals[0] == "Stage,Withdrawals"
    assert "Needs assessment,1" in withdrawals  # B, from needs assessment
    assert len(withdrawals) == 1 + 5  # one row per open stage
    ownership = csv_lines(analyst.get("/admin/figures/ownership.csv"))
    assert ownership[0] == "Measure,Value,Detail"
    assert ownership != withdrawals
    analyst.post("/portal/language/", {"language": "fr"})
    french = csv_lines(analyst.get("/admin/figures/withdrawals.csv"))
    assert french[0] == "Étape,Retraits"
    assert "Évaluation des besoins,1" in french


def test_a_states_table_csv_counts_only_its_requests_narrowed_as_its_page(client_as, dataset):
    togo = client_as("togo_focal")
    per_year = csv_lines(togo.get("/portal/figures/opened_per_year.csv"))
    assert per_year == ["Year,Requests,Change", "2024,1,—"]
    assert csv_lines(togo.get("/portal/figures/opened_per_year.csv?region=ASIA_PACIFIC")) == [
        "Year,Requests,Change"
    ]


def test_a_figure_that_is_not_there_is_a_404_and_strangers_sign_in_first(
    client, client_as, dataset
):
    assert client.get("/portal/figures/shares.csv").status_code == 302
    assert client.get("/admin/figures/shares.csv").status_code == 302
    assert client_as("togo_focal").get("/admin/figures/shares.csv").status_code == 302
    assert client_as("analyst").get("/admin/figures/nothing.csv").status_code == 404
    assert client_as("togo_focal").get("/portal/figures/nothing.csv").status_code == 404


def test_a_year_with_no_request_is_a_year_of_the_table_and_its_change_is_said_in_words(
    client_as, officer, dataset
):
    """Mexico asked in 2023 and 2025, not in 2024: the years stay consecutive,
    and from none there is no percentage."""
    for day in ("2023-05-01", "2023-06-01"):
        with clock.at(at(day)):
            services.open_request(
                by=officer,
                title="E",
                requesting_state="MEX",
                formal_request=FormalRequest("note_verbale", f"NV/MEX/{day}", at(day).date()),
            )
    years = everything(region="LATIN_AMERICA_CARIBBEAN")["opened_per_year"]["years"]
    assert [(y["year"], y["total"]) for y in years] == [(2023, 2), (2024, 0), (2025, 1)]
    assert years[1]["change"]["difference"] == -2
    assert years[2]["change"] == {"difference": 1, "percent": None, "text": "n/a"}
    page = (
        client_as("analyst").get("/admin/figures/?region=LATIN_AMERICA_CARIBBEAN").content.decode()
    )
    assert '<th scope="row">2024</th><td>0</td><td>-100.0%</td>' in page
    assert '<th scope="row">2025</th><td>1</td><td>up from none</td>' in page
    by_region = csv_lines(
        client_as("analyst").get(
            "/admin/figures/opened_by_region.csv?region=LATIN_AMERICA_CARIBBEAN"
        )
    )
    assert by_region[1:] == ["2023,2", "2024,0", "2025,1"]


def test_states_and_strangers_stay_out_of_the_admins_figures(client, dataset, togo_focal):
    assert client.get("/portal/figures/").status_code == 302  # to the sign-in page
    assert client.get("/admin/figures/").status_code == 302
    client.force_login(togo_focal)
    assert client.get("/admin/figures/")["Location"].startswith("/admin/login/")


def test_a_wrong_filter_is_said_next_to_it_and_the_page_still_shows(client_as, dataset):
    page = client_as("analyst").get("/admin/figures/?first_year=2026&last_year=2024")
    assert page.status_code == 200
    assert "The last year comes after the first." in page.content.decode()


def test_the_page_reads_a_bounded_number_of_queries(
    client_as, dataset, django_assert_max_num_queries
):
    admin = client_as("analyst")
    with django_assert_max_num_queries(40):
        assert admin.get("/admin/figures/").status_code == 200


def test_a_states_page_counts_only_its_lengths_live(
    client_as, dataset, django_assert_max_num_queries
):
    """A State's lengths are not kept: they are read live, and only they (its counts
    come from the tallies, as everyone's)."""
    tallies.fold()
    portal = client_as("togo_focal")
    with django_assert_max_num_queries(16):
        assert portal.get("/portal/figures/").status_code == 200


def test_the_backlog_downloads_narrowed_as_csv(api, dataset):
    response = api("analyst").get(
        "/api/v1/reports/backlog/?on=2025-03-01&compare=2024-12-31&region=ASIA_PACIFIC&format=csv"
    )
    lines = b"".join(response.streaming_content).decode("utf-8-sig").splitlines()
    assert lines[0] == "stage,on,open_on,compare,open_on_compare,difference,percent"
    assert "total,2025-03-01,0,2024-12-31,0,0," in lines  # B was withdrawn on 02-19
    assert "needs_assessment,2025-03-01,0,2024-12-31,0,0," in lines


def test_the_api_hands_out_each_charts_vega_lite_specification(api, dataset):
    import vl_convert

    body = api("analyst").get("/api/v1/reports/figures/charts/?region=AFRICA").json()
    shown = {section["id"]: section for section in body["sections"]}
    assert list(shown)[:2] == ["opened_per_year", "opened_by_stage"]
    shares = shown["shares"]
    assert shares["table"]["rows"][0] == ["Least developed countries", 2, "100.0%"]
    assert shares["vega_lite"]["$schema"].startswith("https://vega.github.io/schema/vega-lite/")
    assert vl_convert.vegalite_to_svg(shares["vega_lite"]).startswith("<svg")  # it draws
    assert api().get("/api/v1/reports/figures/charts/").status_code == 401


@pytest.mark.parametrize(
    ("language", "share", "change"),
    [
        ("en", "100.0%", "+200.0%"),
        ("fr", "100,0\u00a0%", "+200,0\u00a0%"),
        ("ru", "100,0\u00a0%", "+200,0\u00a0%"),
        ("zh-hans", "100.0%", "+200.0%"),
    ],
)
def test_percentages_are_written_as_each_language_writes_them(language, share, change):
    from django.utils import translation

    from tracker.web.figures_page import percent

    with translation.override(language):
        assert (percent(100.0), percent(200.0, signed=True)) == (share, change)
        assert percent(-3.75, signed=True).startswith("-3")


@pytest.mark.parametrize("on", ["0001-05-19", "0001-01-01", "9999-12-31"])
def test_the_first_and_last_days_there_are_answer(api, client_as, dataset, on):
    """A backlog asked for in year 1 (compared with a year before: none) or in 9999."""
    query = f"?on={on}&region=AFRICA&first_year=2001&last_year=2100"
    assert api("togo_focal").get(f"/api/v1/reports/figures/charts/{query}").status_code == 200
    assert api("analyst").get(f"/api/v1/reports/backlog/{query}").status_code == 200
    assert client_as("analyst").get(f"/admin/figures/{query}").status_code == 200
