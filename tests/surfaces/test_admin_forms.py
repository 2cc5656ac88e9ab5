"""The admin's content forms: every problem at once next to its field, lists of rows
that grow and shrink without JavaScript, funding, and corrections of the linked
recommendations that the history keeps."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from tests.conftest import messages_of
from tests.surfaces.test_admin import change_url
from tracker import services
from tracker.kernel import money
from tracker.kernel.vocabulary import RECOMMENDATIONS_CORRECTED
from tracker.models import Funding, HistoryEntry, LinkedRecommendation, Plan
from tracker.services import RecommendationDraft
from tracker.workflow import Stage

pytestmark = pytest.mark.django_db


def step_url(ta_request, action):
    return reverse(f"admin:tracker_assistancerequest_{action}", args=[ta_request.pk])


def rows(prefix, *entries, initial=0):
    data = {f"{prefix}-TOTAL_FORMS": str(len(entries)), f"{prefix}-INITIAL_FORMS": str(initial)}
    for index, entry in enumerate(entries):
        data.update({f"{prefix}-{index}-{key}": value for key, value in entry.items()})
    return data


def field_errors(form, name):
    return [str(e) for e in form.errors.get(name, [])]


# --- the plan --------------------------------------------------------------------------


def test_every_problem_of_a_plan_shows_at_once_next_to_its_field(client_as, request_at):
    ta_request = request_at(Stage.CONSULTATION)
    response = client_as("officer").post(
        step_url(ta_request, "plan"),
        {
            "budget_amount": "-5",
            "budget_currency": "USD",
            **rows(
                "activities",
                {
                    "form": "training",
                    "title": "Training",
                    "starts_on": "2026-05-10",
                    "ends_on": "2026-05-01",
                },
                {"form": "workshop", "title": ""},
            ),
        },
    )
    assert response.status_code == 200
    plan_form, activities = response.context["forms"]
    assert field_errors(plan_form, "budget_amount") == ["A plan has a budget of zero or more."]
    first, second = activities.forms
    assert field_errors(first, "ends_on") == ["An activity cannot end before it starts."]
    assert field_errors(second, "title") == ["Give the activity a title."]
    page = response.content.decode()
    # All of them at the top too, each linked to its field.
    summary = page.split('class="errornote error-summary"')[1].split("</div>")[0]
    assert "There is a problem" in summary
    assert "An activity cannot end before it starts." in summary
    assert "Give the activity a title." in summary
    assert summary.count('href="#id_activities-') == 2
    # What was typed is kept.
    assert 'value="Training"' in page
    assert not Plan.objects.exists()


def test_form_errors_of_every_form_show_together(client_as, request_at):
    ta_request = request_at(Stage.CONSULTATION)
    response = client_as("officer").post(
        step_url(ta_request, "plan"),
        {
            "budget_amount": "",
            "budget_currency": "XYZ",
            **rows("activities", {"form": "training", "title": "T", "starts_on": "not a date"}),
        },
    )
    plan_form, activities = response.context["forms"]
    assert plan_form.errors.keys() == {"budget_amount", "budget_currency"}
    assert activities.forms[0].errors.keys() == {"starts_on"}


def test_a_plan_row_is_added_without_javascript_and_nothing_is_lost(client_as, request_at):
    ta_request = request_at(Stage.CONSULTATION)
    response = client_as("officer").post(
        step_url(ta_request, "plan"),
        {
            "budget_amount": "",
            "budget_currency": "USD",
            "_add_row": "activities",
            **rows("activities", {"form": "training", "title": "Training"}, {}),
        },
    )
    assert response.status_code == 200
    _plan, activities = response.context["forms"]
    assert len(activities.forms) == 3
    page = response.content.decode()
    assert "Activity 3" in page
    assert 'value="Training"' in page
    # Asking for a row is not a decision: no errors yet, nothing recorded.
    assert "Please correct" not in page
    assert "errorlist" not in page
    assert not Plan.objects.exists()


def test_a_removed_plan_row_is_not_recorded(client_as, request_at):
    ta_request = request_at(Stage.CONSULTATION)
    response = client_as("officer").post(
        step_url(ta_request, "plan"),
        {
            "budget_amount": "100",
            "budget_currency": "EUR",
            **rows(
                "activities",
                {"form": "training", "title": "Kept"},
                {"form": "workshop", "title": "Removed", "DELETE": "on"},
            ),
        },
    )
    assert response.status_code == 302
    plan = Plan.objects.get(request=ta_request)
    assert list(plan.activities.values_list("title", flat=True)) == ["Kept"]
    assert plan.budget_currency == "EUR"


def test_the_plan_form_numbers_its_rows_and_lists_currencies_by_name(client_as, request_at):
    ta_request = request_at(Stage.CONSULTATION)
    page = client_as("officer").get(step_url(ta_request, "plan")).content.decode()
    assert "Activity 1" in page
    assert "Activity 2" in page
    assert "Add an activity" in page
    assert "Remove this row" in page
    assert '<option value="CHF">Swiss Franc (CHF)</option>' in page


def test_currencies_are_iso_4217_codes_in_use_named_in_the_readers_language():
    assert {"USD", "EUR", "CHF", "XOF", "TND"} <= money.currencies()
    assert "FRF" not in money.currencies()  # replaced by the euro
    with translation.override("fr"):
        names = dict(money.currency_choices())
        assert names["CHF"] == "Franc suisse (CHF)"
        labels = [label for _code, label in money.currency_choices()]
        # By name in the reader's language, not by code.
        assert labels.index("Euro (EUR)") < labels.index("Franc suisse (CHF)")
    assert money.currency_problem("usd") is not None
    assert money.currency_problem("USD") is None


# --- funding -----------------------------------------------------------------------------


def test_a_currency_outside_the_list_is_refused_by_the_form(client_as, request_at):
    ta_request = request_at(Stage.CONSULTATION)
    response = client_as("officer").post(
        step_url(ta_request, "funding"),
        rows("funding", {"source": "vftc", "amount": "12", "currency": "ZZZ"}),
    )
    (lines,) = response.context["forms"]
    assert lines.forms[0].errors.keys() == {"currency"}
    assert not Funding.objects.exists()


def test_officer_records_funding_lines(client_as, request_at):
    ta_request = request_at(Stage.NEEDS_ASSESSMENT)
    response = client_as("officer").post(
        step_url(ta_request, "funding"),
        rows(
            "funding",
            {"source": "vftc", "amount": "25000", "currency": "USD"},
            {"source": "bilateral", "amount": "8000.50", "currency": "EUR"},
        ),
    )
    assert response.status_code == 302
    assert messages_of(response) == [f"{ta_request.reference}: funding recorded."]
    assert sorted(Funding.objects.filter(request=ta_request).values_list("source", "amount")) == [
        ("bilateral", Decimal("8000.50")),
        ("vftc", Decimal("25000.00")),
    ]


def test_funding_form_shows_the_recorded_lines_and_replaces_them(client_as, request_at):
    ta_request = request_at(Stage.CONSULTATION)
    Funding.objects.create(request=ta_request, source="vftc", amount=1000, currency="USD")
    client = client_as("officer")
    page = client.get(step_url(ta_request, "funding")).content.decode()
    assert 'value="1000.00"' in page
    response = client.post(
        step_url(ta_request, "funding"),
        rows(
            "funding",
            {"source": "vftc", "amount": "1000", "currency": "USD", "DELETE": "on"},
            {"source": "regular_budget", "amount": "500", "currency": "CHF"},
            initial=1,
        ),
    )
    assert response.status_code == 302
    assert list(Funding.objects.filter(request=ta_request).values_list("source", flat=True)) == [
        "regular_budget"
    ]


@pytest.fixture
def funded(request_at):
    ta_request = request_at(Stage.CONSULTATION)
    Funding.objects.create(request=ta_request, source="vftc", amount=1000, currency="USD")
    return ta_request


def send_funding(client_as, ta_request, *lines, initial=0):
    return client_as("officer").post(
        step_url(ta_request, "funding"), rows("funding", *lines, initial=initial)
    )


def test_bad_funding_lines_are_refused_next_to_their_fields(client_as, funded):
    ta_request = funded
    response = send_funding(
        client_as,
        ta_request,
        {"source": "", "amount": "0", "currency": "USD"},
        {"source": "vftc", "amount": "-12", "currency": "EUR"},
    )
    assert response.status_code == 200
    (lines,) = response.context["forms"]
    first, second = lines.forms
    assert field_errors(first, "source") == ["Choose where the money comes from."]
    assert field_errors(first, "amount") == ["An amount of funding is more than zero."]
    assert field_errors(second, "amount") == ["An amount of funding is more than zero."]
    # Nothing changed.
    assert list(Funding.objects.filter(request=ta_request).values_list("amount", flat=True)) == [
        Decimal("1000.00")
    ]


@pytest.mark.parametrize("action", ["funding", "recommendations"])
def test_analysts_cannot_record_funding_or_correct_links(client_as, request_at, action):
    ta_request = request_at(Stage.CONSULTATION)
    response = client_as("analyst").post(
        step_url(ta_request, action), rows(action, {"source": "vftc"})
    )
    assert response.status_code == 302
    assert messages_of(response) == [
        "Only secretariat officers can do this: record the content of a request."
    ]
    assert not Funding.objects.exists()
    assert not HistoryEntry.objects.filter(transition=RECOMMENDATIONS_CORRECTED).exists()


@pytest.mark.parametrize("action", ["funding", "recommendations"])
def test_funding_and_links_of_a_closed_request_stay_as_they_were(client_as, request_at, action):
    ta_request = request_at(Stage.CLOSED)
    response = client_as("officer").post(
        step_url(ta_request, action),
        rows(
            action,
            {"source": "upr", "text": "x"}
            if action == "recommendations"
            else {"source": "vftc", "amount": "5", "currency": "USD"},
        ),
    )
    assert response.status_code == 200
    assert "is at the stage “Closed”" in messages_of(response)[0]
    assert not Funding.objects.exists()


# --- linked recommendations --------------------------------------------------------------


def test_officer_corrects_the_linked_recommendations_and_the_history_keeps_the_old(
    client_as, request_at, officer
):
    ta_request = request_at(Stage.NEEDS_ASSESSMENT)
    LinkedRecommendation.objects.create(
        request=ta_request, source="upr", document_symbol="A/HRC/40/10", text="Ratify OPCAT."
    )
    client = client_as("officer")
    page = client.get(step_url(ta_request, "recommendations")).content.decode()
    assert "A/HRC/40/10" in page
    response = client.post(
        step_url(ta_request, "recommendations"),
        {
            **rows(
                "recommendations",
                {
                    "source": "upr",
                    "document_symbol": "A/HRC/40/10",
                    "upr_cycle": "3",
                    "recommending_state": "SEN",
                    "text": "Ratify OPCAT and set up an NPM.",
                },
                {"source": "treaty_body", "document_symbol": "CAT/C/TGO/CO/3"},
                initial=1,
            ),
            "comment": "The State's letter quoted the wrong cycle.",
        },
    )
    assert response.status_code == 302
    links = list(LinkedRecommendation.objects.filter(request=ta_request).order_by("pk"))
    assert [(r.document_symbol, r.upr_cycle, r.recommending_state_id) for r in links] == [
        ("A/HRC/40/10", 3, "SEN"),
        ("CAT/C/TGO/CO/3", None, None),
    ]
    entry = HistoryEntry.objects.get(request=ta_request, transition=RECOMMENDATIONS_CORRECTED)
    assert entry.actor == officer
    assert entry.from_stage == entry.to_stage == Stage.NEEDS_ASSESSMENT
    assert entry.comment == (
        "The State's letter quoted the wrong cycle.\n"
        "Previously: Universal periodic review — A/HRC/40/10 — Ratify OPCAT.."
    )
    ta_request.refresh_from_db()
    assert ta_request.stage == Stage.NEEDS_ASSESSMENT


def test_a_recommendation_without_text_or_symbol_is_refused(client_as, request_at):
    ta_request = request_at(Stage.NEEDS_ASSESSMENT)
    response = client_as("officer").post(
        step_url(ta_request, "recommendations"),
        rows("recommendations", {"source": "upr", "upr_cycle": "4"}),
    )
    assert response.status_code == 200
    links, _note = response.context["forms"]
    assert field_errors(links.forms[0], "text") == [
        "Give the recommendation's text or the symbol of the document it is in."
    ]
    assert not HistoryEntry.objects.filter(transition=RECOMMENDATIONS_CORRECTED).exists()


def test_the_state_sees_the_correction_in_its_timeline(client, togo_focal, request_at, officer):
    ta_request = request_at(Stage.NEEDS_ASSESSMENT)
    services.correct_recommendations(
        ta_request=ta_request,
        by=officer,
        recommendations=[RecommendationDraft(source="upr", document_symbol="A/HRC/40/10")],
    )
    client.force_login(togo_focal)
    page = client.get(f"/portal/requests/{ta_request.reference}/").content.decode()
    assert "The secretariat corrected the recommendations this request follows up." in page
    assert "A/HRC/40/10" in page


# --- the request's page --------------------------------------------------------------------


def test_empty_sections_are_hidden_on_a_requests_page(client_as, request_at):
    ta_request = request_at(Stage.NEEDS_ASSESSMENT)
    client = client_as("officer")
    page = client.get(change_url(ta_request)).content.decode()
    assert "Linked recommendations" not in page
    assert "Plan versions" not in page
    assert "History" in page
    assert "Consent records" in page
    LinkedRecommendation.objects.create(request=ta_request, source="upr", text="Ratify OPCAT.")
    page = client.get(change_url(ta_request)).content.decode()
    assert "Linked recommendations" in page
    assert "Ratify OPCAT." in page


def test_a_line_left_as_it_was_is_kept_when_another_is_added(client_as, funded):
    ta_request = funded
    response = send_funding(
        client_as,
        ta_request,
        {"source": "vftc", "amount": "1000.00", "currency": "USD"},
        {"source": "bilateral", "amount": "50", "currency": "EUR"},
        initial=1,
    )
    assert response.status_code == 302
    assert sorted(Funding.objects.filter(request=ta_request).values_list("source", flat=True)) == [
        "bilateral",
        "vftc",
    ]
