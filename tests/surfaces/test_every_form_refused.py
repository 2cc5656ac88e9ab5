"""Every form of the admin and the portal, submitted with a problem: the page comes back
with everything typed still in it, and an error summary at the top ("Error:" in the
title) that links to each field marked invalid, the pattern of GOV.UK's design system.

Each form is filled as its page offers it (its hidden fields, its choices); every text
box gets words of its own that must come back; then one field is spoiled."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from django.utils import timezone
from lxml import html

from tests.journeys import propose
from tracker.workflow import Stage

pytestmark = pytest.mark.django_db

FUTURE = (timezone.now() + timedelta(days=30)).date().isoformat()


@dataclass(frozen=True)
class Case:
    persona: str
    stage: str | None  # the request's stage, or None for a page without one
    url: str  # formatted with the request's pk and reference
    spoiled: dict[str, str] = field(default_factory=dict)  # the problem
    #: A text box left empty on purpose (its emptiness is the problem).
    blank: tuple[str, ...] = ()
    with_plan: bool = False

    def __str__(self) -> str:
        return self.url


def step(action: str) -> str:
    return f"/admin/tracker/assistancerequest/{{pk}}/{action}/"


def transition(name: str) -> str:
    return f"/admin/tracker/assistancerequest/{{pk}}/transition/{name}/"


CASES = [
    # --- the admin ---
    Case("officer", None, "/admin/tracker/assistancerequest/add/", blank=("title",)),
    Case("officer", Stage.NEEDS_ASSESSMENT, step("assessment"), blank=("findings",)),
    Case(
        "officer",
        Stage.CONSULTATION,
        step("plan"),
        spoiled={"budget_amount": "-5"},
    ),
    Case(
        "officer",
        Stage.IMPLEMENTATION,
        step("delivery"),
        spoiled={"delivered_on": FUTURE},
    ),
    Case("officer", Stage.REQUESTED, transition("decline"), blank=("reason",)),
    Case(
        "officer",
        Stage.CONSULTATION,
        transition("approve_plan"),
        spoiled={"document_date": FUTURE},
        with_plan=True,
    ),
    Case("officer", Stage.NEEDS_ASSESSMENT, transition("withdraw"), blank=("document_reference",)),
    Case("officer", Stage.NEEDS_ASSESSMENT, step("message"), blank=("text",)),
    Case("officer", Stage.CLOSED, step("follow_up"), spoiled={"measured_on": FUTURE}),
    Case("officer", Stage.EVALUATION, step("evaluation"), spoiled={"indicators-0-target": "many"}),
    Case("officer", Stage.NEEDS_ASSESSMENT, step("funding"), spoiled={"funding-0-amount": "-1"}),
    Case(
        "officer",
        Stage.NEEDS_ASSESSMENT,
        step("recommendations"),
        spoiled={"recommendations-0-source": "upr"},
        blank=("recommendations-0-text", "recommendations-0-document_symbol"),
    ),
    Case("officer", Stage.CLOSED, step("brief"), blank=("context",)),
    Case("officer", Stage.NEEDS_ASSESSMENT, step("open_data"), blank=("document_reference",)),
    Case("officer", Stage.NEEDS_ASSESSMENT, step("document"), blank=()),
    Case("officer", None, "/admin/tracker/provider/add/", blank=("name",)),
    # --- the portal ---
    Case("togo_focal", None, "/portal/requests/new/", blank=("title",)),
    Case(
        "togo_focal",
        Stage.CONSULTATION,
        "/portal/requests/{reference}/reject_plan/",
        blank=("text",),
        with_plan=True,
    ),
    Case("togo_focal", None, "/portal/password/", spoiled={"old_password": "not it"}),
    Case("togo_focal", Stage.REQUESTED, "/portal/priorities/", spoiled={"rank-{reference}": "0"}),
]


def the_form(page: str, url: str):
    """The form the page posts to ``url`` (or to itself)."""
    tree = html.fromstring(page)
    forms = [
        f
        for f in tree.forms
        if f.method.lower() == "post" and (f.action in (None, "", url) or f.action == url)
    ]
    assert forms, f"no form posts to {url}"
    return max(forms, key=lambda f: len(f.inputs))


def filled(form, case: Case) -> dict[str, object]:
    """The form's own values, each empty text box given words of its own."""
    data: dict[str, object] = {}
    for element in form.inputs:
        name = element.name
        if not name or name == "csrfmiddlewaretoken":
            continue
        kind = getattr(element, "type", None) or element.tag
        if element.tag == "select":
            options = [o.get("value") for o in element.iter("option") if o.get("value")]
            value = element.value or (options[0] if options else "")
            data[name] = list(value) if element.multiple else value
        elif kind in ("checkbox", "radio"):
            if element.checked:
                data.setdefault(name, element.get("value", "on"))
        elif kind in ("submit", "button", "file"):
            continue
        elif kind in ("text", "textarea", "search") and not element.value:
            data[name] = f"kept {name}"
        else:
            data[name] = element.value or ""
    for name in case.blank:
        data[name] = ""
    data.update(case.spoiled)
    return data


def spoiled(case: Case, ids: dict[str, object]) -> Case:
    """The case with the request's own names in its field names."""
    return Case(
        case.persona,
        case.stage,
        case.url,
        {name.format(**ids): value for name, value in case.spoiled.items()},
        case.blank,
        case.with_plan,
    )


@pytest.mark.parametrize("case", CASES, ids=str)
def test_a_refused_form_keeps_everything_typed_and_links_each_problem(
    client_as, request_at, officer, case
):
    ids = {"pk": "", "reference": ""}
    if case.stage is not None:
        ta_request = request_at(case.stage)
        if case.with_plan:
            propose(ta_request, officer)
        ids = {"pk": ta_request.pk, "reference": ta_request.reference}
    url = case.url.format(**ids)
    case = spoiled(case, ids)
    client = client_as(case.persona)
    page = client.get(url)
    assert page.status_code == 200, url
    data = filled(the_form(page.content.decode(), url), case)

    response = client.post(url, data)

    assert response.status_code == 200, (url, response.status_code, response.get("Location"))
    answer = response.content.decode()
    tree = html.fromstring(answer)
    assert tree.findtext(".//title").startswith("Error:"), url
    (summary,) = tree.find_class("error-summary")
    links = {a.get("href") for a in summary.iter("a")}
    invalid = {f"#{e.get('id')}" for e in tree.xpath('//*[@aria-invalid="true"]')}
    assert invalid, f"{url}: no field is marked invalid"
    assert invalid <= links, (url, invalid - links)
    for target in links:
        assert tree.get_element_by_id(target[1:]) is not None, (url, target)
    kept = [v for k, v in data.items() if isinstance(v, str) and v.startswith("kept ")]
    assert all(value in answer for value in kept), (url, [v for v in kept if v not in answer])
    for name, value in case.spoiled.items():
        if "password" not in name:  # a password is never sent back
            assert f'value="{value}"' in answer or f">{value}<" in answer, (url, name)
