"""UPR recommendations imported from the public databases' CSV layout: good files in,
bad rows reported by line number with nothing half-imported."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from tracker.models import AssistanceRequest, UprRecommendation

pytestmark = pytest.mark.django_db

HEADER = "State under Review,Recommending State,Cycle,Session,Recommendation,Response,Themes\n"
GOOD = HEADER + (
    'Togo,Germany,3,40,"Ratify the Optional Protocol to the Convention against Torture",'
    "Supported,Torture; Detention\n"
    'TGO,FRA,3,40,"Establish a national preventive mechanism",noted,\n'
)


def run(tmp_path, content: str, name="upr.csv"):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    call_command("import_upr_recommendations", str(path), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_a_good_file_is_imported_with_states_by_name_or_code(tmp_path):
    out, _err = run(tmp_path, GOOD)
    assert out.strip().startswith("Imported 2 new and 0 updated UPR recommendations")
    first, second = UprRecommendation.objects.order_by("pk")
    assert (
        first.state_under_review_id,
        first.recommending_state_id,
        first.cycle,
        first.session,
        first.response,
        first.themes,
    ) == ("TGO", "DEU", 3, 40, "supported", "Torture; Detention")
    assert (second.recommending_state_id, second.response, second.themes) == ("FRA", "noted", "")


def test_importing_again_updates_rather_than_doubles(tmp_path):
    run(tmp_path, GOOD)
    out, _err = run(tmp_path, GOOD.replace("noted", "Supported"))
    assert "0 new and 2 updated" in out
    assert UprRecommendation.objects.count() == 2
    assert set(UprRecommendation.objects.values_list("response", flat=True)) == {"supported"}


def test_bad_rows_are_reported_by_line_and_nothing_is_imported(tmp_path):
    content = GOOD + (
        "Togo,Atlantis,3,40,Something,Supported,\n"
        "Togo,Germany,three,40,Something,Supported,\n"
        "Togo,Germany,3,40,,Maybe,\n"
    )
    with pytest.raises(CommandError, match=r"4 problem\(s\) in .*: nothing was imported"):
        run(tmp_path, content)
    assert not UprRecommendation.objects.exists()


def test_the_problems_name_their_lines(tmp_path):
    content = HEADER + "Togo,Atlantis,3,40,Something,Supported,\nTogo,Germany,3,0,x,Noted,\n"
    err = io.StringIO()
    path = tmp_path / "bad.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("import_upr_recommendations", str(path), stderr=err)
    assert err.getvalue().splitlines() == [
        "line 2: Recommending State “Atlantis” is not a State we know",
        "line 3: Session “0” is not a whole number from 1",
    ]


def problems(tmp_path, content: str) -> list[str]:
    """What the command says of a file it refuses, one problem a line; nothing imported."""
    err = io.StringIO()
    path = tmp_path / "x.csv"
    path.write_text(content, encoding="utf-8", newline="")
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_upr_recommendations", str(path), stderr=err)
    assert not UprRecommendation.objects.exists()
    return err.getvalue().splitlines()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            "Recommendation,Cycle\nx,3\n",
            "line 1: missing column(s): Recommending State, State under Review, Session, Response",
        ),
        (
            "\n\nRecommendation,Cycle\n",
            "line 3: missing column(s): Recommending State, State under Review, Session, Response",
        ),
        ("", "The file is empty."),
        ("\ufeff\n  \n", "The file is empty."),
        (HEADER, "The file has no recommendations."),
        (HEADER + "\n,,,,,,\n", "The file has no recommendations."),
    ],
)
def test_a_file_without_its_columns_or_rows_is_refused(tmp_path, content, message):
    assert problems(tmp_path, content) == [message]


def test_lines_are_counted_as_an_editor_counts_them(tmp_path):
    """A quoted text over several lines and blank lines: each problem names the line
    its row starts on."""
    content = HEADER + (
        'Togo,Germany,3,40,"Ratify the Optional Protocol\nto the Convention\r\n'
        'against Torture",Supported,\n'
        "\n"
        "Togo,Atlantis,3,40,Something,Supported,\n"
        "\r\n"
        'Togo,Germany,3,41,"Two\nlines",Maybe,\n'
    )
    assert problems(tmp_path, content) == [
        "line 6: Recommending State “Atlantis” is not a State we know",
        "line 8: Response “Maybe” is neither Supported nor Noted",
    ]


@pytest.mark.parametrize("separator", [";", "\t"])
def test_columns_separated_by_semicolons_or_tabs_are_read(tmp_path, separator):
    content = GOOD.replace(",", separator).replace("Torture; Detention", '"Torture; Detention"')
    out, _err = run(tmp_path, content)
    assert "Imported 2 new and 0 updated" in out
    assert UprRecommendation.objects.get(recommending_state="DEU").themes == "Torture; Detention"


def test_a_file_of_semicolons_says_its_own_lines(tmp_path):
    content = HEADER.replace(",", ";") + "Togo;Atlantis;3;40;Something;Supported;\n"
    assert problems(tmp_path, content) == [
        "line 2: Recommending State “Atlantis” is not a State we know"
    ]


def test_every_problem_of_a_file_is_said_at_once(tmp_path):
    """A repeat names both its lines; themes too long for a record are refused, not cut."""
    repeat = 'TGO,DEU,3,41,"ratify the optional  protocol to the Convention against torture",'
    content = GOOD + repeat + "Noted,\n" + "Togo,Germany,3,40,Other,Supported," + "x" * 501
    assert problems(tmp_path, content) == [
        "line 4: repeats the recommendation of line 2 (same States, cycle and text)",
        "line 5: the themes take 501 characters; a record keeps 500 at most",
    ]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            GOOD + 'Togo,Germany,3,40,"Never closed,Supported,\nTogo,France,3,40,x,Noted,\n',
            "line 4: a quotation mark opens a value that the file never closes",
        ),
        (
            GOOD + 'Togo,Germany,3,40,"Ratify" now,Supported,\n',
            "line 4: text follows the quotation mark that closes a value before the next comma: "
            'write a quotation mark inside a quoted value twice ("")',
        ),
        (
            '"Recommendation,Recommending State\n',
            "line 1: a quotation mark opens a value that the file never closes",
        ),
        (
            GOOD + 'Togo,Germany,3,40,"' + "x" * 140_000 + '",Supported,\n',
            "line 4: a value is longer than 131072 characters: a quotation mark that opens it may "
            "have no closing one",
        ),
    ],
)
def test_what_is_not_csv_is_said_with_its_line(tmp_path, content, message):
    assert problems(tmp_path, content) == [message]


def test_a_file_that_is_not_utf8_is_refused(tmp_path):
    path = tmp_path / "latin.csv"
    path.write_bytes(GOOD.replace("TGO", "Côte d'Ivoire").encode("latin-1"))
    with pytest.raises(CommandError, match=r"latin.csv is not UTF-8 text \(line 3 is the first"):
        call_command("import_upr_recommendations", str(path))
    assert not UprRecommendation.objects.exists()


def test_a_missing_file_or_a_folder_is_named(tmp_path):
    with pytest.raises(CommandError, match=r"^There is no file .*nowhere.csv\.$"):
        call_command("import_upr_recommendations", str(tmp_path / "nowhere.csv"))
    with pytest.raises(CommandError, match=r"cannot be read: Is a directory\.$"):
        call_command("import_upr_recommendations", str(tmp_path))


def test_the_demo_stops_when_its_own_sample_does_not_import(tmp_path, monkeypatch):
    from tracker import demo

    sample = tmp_path / "sample.csv"
    sample.write_text(HEADER + "Togo,Atlantis,3,40,Something,Supported,\n", encoding="utf-8")
    monkeypatch.setattr(demo, "UPR_SAMPLE", sample)
    with pytest.raises(CommandError, match=r"sample\.csv imports nothing:\nline 2: Recommending"):
        call_command("load_demo")
    assert not AssistanceRequest.objects.exists()
    monkeypatch.setattr(demo, "UPR_SAMPLE", tmp_path / "gone.csv")
    with pytest.raises(CommandError, match=r"There is no file .*gone\.csv"):
        call_command("load_demo")
    assert not AssistanceRequest.objects.exists()


# --- requests link to the records --------------------------------------------------------------


@pytest.fixture
def records(tmp_path):
    run(tmp_path, GOOD + 'SEN,Germany,3,45,"Reform the nationality code",Supported,\n')
    return {
        r.state_under_review_id + r.recommending_state_id: r
        for r in UprRecommendation.objects.all()
    }


def test_a_request_links_to_a_record_made_to_its_state(api, records):
    record = records["TGODEU"]
    response = api("togo_focal").post(
        "/api/v1/requests/",
        {
            "title": "National preventive mechanism",
            "recommendations": [{"source": "upr", "record": record.pk}],
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    (link,) = response.json()["recommendations"]
    assert (link["record"], link["upr_cycle"], link["recommending_state"], link["text"]) == (
        record.pk,
        3,
        "DEU",
        "Ratify the Optional Protocol to the Convention against Torture",
    )
    assert record.links.count() == 1


def test_the_figures_count_requests_following_upr_records(api, records):
    for title in ("National preventive mechanism", "Training of prison staff"):
        api("togo_focal").post(
            "/api/v1/requests/",
            {
                "title": title,
                "recommendations": [{"source": "upr", "record": records["TGODEU"].pk}],
            },
            format="json",
        )
    api("togo_focal").post(
        "/api/v1/requests/",
        {"title": "No record", "recommendations": [{"source": "upr", "upr_cycle": 3}]},
        format="json",
    )
    figures = api("analyst").get("/api/v1/reports/summary/").json()
    assert figures["upr_records"] == {"requests": 2, "records": 1}
    # A State's own figures count its own requests only.
    assert api("senegal_focal").get("/api/v1/reports/summary/").json()["upr_records"] == {
        "requests": 0,
        "records": 0,
    }


def test_a_record_made_to_another_state_is_refused(api, records):
    response = api("togo_focal").post(
        "/api/v1/requests/",
        {
            "title": "Nationality",
            "recommendations": [{"source": "upr", "record": records["SENDEU"].pk}],
        },
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["errors"] == {
        "recommendations.0.record": [
            f"There is no UPR recommendation {records['SENDEU'].pk} made to Togo."
        ]
    }


def test_an_officer_links_a_correction_to_a_record(client_as, request_at, records):
    from django.urls import reverse

    from tracker.models import LinkedRecommendation
    from tracker.workflow import Stage

    ta_request = request_at(Stage.NEEDS_ASSESSMENT)
    url = reverse("admin:tracker_assistancerequest_recommendations", args=[ta_request.pk])
    client = client_as("officer")
    page = client.get(url).content.decode()
    assert "Establish a national preventive mechanism" in page  # offered: made to Togo
    assert "Reform the nationality code" not in page  # made to Senegal
    response = client.post(
        url,
        {
            "recommendations-TOTAL_FORMS": "1",
            "recommendations-INITIAL_FORMS": "0",
            "recommendations-0-record": str(records["TGOFRA"].pk),
        },
    )
    assert response.status_code == 302
    link = LinkedRecommendation.objects.get(request=ta_request)
    assert (link.record, link.recommending_state_id, link.source) == (
        records["TGOFRA"],
        "FRA",
        "upr",
    )


def test_the_state_picks_a_record_in_the_portal(client, togo_focal, records):
    client.force_login(togo_focal)
    page = client.get("/portal/requests/new/").content.decode()
    assert "Ratify the Optional Protocol" in page
    assert "Reform the nationality code" not in page
    response = client.post(
        "/portal/requests/new/",
        {
            "title": "OPCAT",
            "rec-TOTAL_FORMS": "1",
            "rec-INITIAL_FORMS": "0",
            "rec-0-record": str(records["TGODEU"].pk),
        },
    )
    assert response.status_code == 302
    assert records["TGODEU"].links.get().request.title == "OPCAT"


def test_an_id_beyond_what_a_database_stores_is_refused_not_a_crash(api, records):
    too_big = 2**120
    response = api("togo_focal").post(
        "/api/v1/requests/",
        {
            "title": "National preventive mechanism",
            "recommendations": [{"source": "upr", "record": too_big}],
        },
        format="json",
    )
    assert response.status_code == 400
    assert "recommendations" in response.json()["errors"]
