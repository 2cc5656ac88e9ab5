"""The requests whose State agreed to their open publication, as an IATI 2.03
``iati-activities`` document (the International Aid Transparency Initiative's
activity standard, in which the secretariat's funders publish).

Ownership applies to open data too (A/HRC/43/31 paras 54-56): only a request whose
State agreed (``services.decide_open_publication``) is written, and nothing
confidential is: no internal note, no message, no attached file. The document is
written request by request, a page of requests at a time, so that a million of them
export in constant memory (``manage.py export_iati``, ``GET /api/v1/iati/activities.xml``).

The elements follow the order of the schema's sequences; the codes are the IATI
codelists' (docs/decisions/0011-open-data.md says which and why).
"""

from __future__ import annotations

import logging
import os
import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from django.conf import settings
from django.db.models import OuterRef, Prefetch, QuerySet, Subquery
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from lxml.etree import Element, SubElement, tostring

from tracker.kernel import clock, names
from tracker.kernel.errors import DomainError
from tracker.kernel.vocabulary import Decision, Stage
from tracker.models import (
    AssistanceRequest,
    Evaluation,
    FundingSource,
    HistoryEntry,
    LinkedRecommendation,
    Plan,
    ProviderKind,
)

if TYPE_CHECKING:
    from tracker.models import Provider

log = logging.getLogger(__name__)

VERSION = "2.03"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
#: The language of the narratives the export writes itself (a request's own texts are
#: labelled with the language of the account that opened it).
LANGUAGE = "en"
#: Characters XML 1.0 cannot hold (control characters, U+FFFE, U+FFFF, lone surrogates):
#: typed or pasted into a text, they would make the whole file unreadable.
NOT_XML = re.compile("[^\x09\x0a\x0d\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
#: Requests read per query: a page's related rows come in one query per relation.
PAGE = 500

#: ActivityStatus: 1 pipeline, 2 implementation, 3 finalisation, 4 closed, 5 cancelled.
STATUS: dict[str, str] = {
    Stage.REQUESTED: "1",
    Stage.NEEDS_ASSESSMENT: "1",
    Stage.CONSULTATION: "1",
    Stage.IMPLEMENTATION: "2",
    Stage.EVALUATION: "3",
    Stage.CLOSED: "4",
    Stage.WITHDRAWN: "5",
    Stage.DECLINED: "5",
}
#: OrganisationType of each funding source and provider kind, where one is known.
FUNDER_TYPE: dict[str, str] = {
    FundingSource.VFTC: "40",  # multilateral: United Nations trust funds
    FundingSource.UPR_FUND: "40",
    FundingSource.REGULAR_BUDGET: "40",
    FundingSource.BILATERAL: "10",  # government
    FundingSource.OTHER: "90",  # other
}
PROVIDER_TYPE: dict[str, str] = {
    ProviderKind.OHCHR: "40",
    ProviderKind.UN_AGENCY: "40",
    ProviderKind.REGIONAL_ORGANISATION: "40",
    ProviderKind.BILATERAL_STATE: "10",
    ProviderKind.NHRI: "15",  # other public sector
    ProviderKind.ACADEMIA: "80",  # academic, training and research
}
#: The OrganisationType codelist (the publisher's type must be one of them).
ORGANISATION_TYPES = frozenset(
    ["10", "11", "15", "21", "22", "23", "24", "30", "40", "60", "70", "71", "72", "73", "80", "90"]
)
# OrganisationRole: 1 funding, 2 accountable, 3 extending, 4 implementing. The State
# that asked is accountable for its activity; IATI 2.03 has no "beneficiary" role.
FUNDING, ACCOUNTABLE, EXTENDING, IMPLEMENTING = "1", "2", "3", "4"
#: An IATI organisation identifier: a registration-agency prefix, a hyphen, an
#: identifier, and none of the characters IATI forbids in identifiers.
ORGANISATION_ID = re.compile(r"^[^\s/&|?-]+(-[^\s/&|?-]+)+$")


class NotConfigured(DomainError):
    """The export cannot say who publishes: the settings are incomplete (HTTP 503, a
    fault of the deployment that its operator fixes, not of the caller)."""

    status_code = 503
    code = "not_configured"


class NotReady(DomainError):
    """The published file is still being written for the first time (HTTP 503)."""

    status_code = 503
    code = "not_ready"


@dataclass(frozen=True)
class Publisher:
    """The reporting organisation, from settings."""

    ref: str
    name: str
    type: str

    @classmethod
    def from_settings(cls) -> Publisher:
        ref = (settings.IATI_REPORTING_ORG_REF or "").strip()
        name = (settings.IATI_REPORTING_ORG_NAME or "").strip()
        kind = (settings.IATI_REPORTING_ORG_TYPE or "").strip()
        if not ref:
            raise NotConfigured(
                _(
                    "The IATI export needs the publisher's IATI organisation identifier: "
                    "set IATI_REPORTING_ORG_REF (for example XM-DAC-00000)."
                )
            )
        if not ORGANISATION_ID.match(ref):
            raise NotConfigured(
                _(
                    "IATI_REPORTING_ORG_REF “%(ref)s” is not an IATI organisation identifier: "
                    "an agency prefix and an identifier joined by a hyphen, without spaces "
                    "or the characters / & | ?."
                )
                % {"ref": ref}
            )
        if not name:
            raise NotConfigured(
                _("The IATI export needs the publisher's name: set IATI_REPORTING_ORG_NAME.")
            )
        if kind not in ORGANISATION_TYPES:
            raise NotConfigured(
                _(
                    "IATI_REPORTING_ORG_TYPE must be a code of the IATI OrganisationType "
                    "codelist, for example 40 (multilateral)."
                )
            )
        return cls(ref=ref, name=name, type=kind)


def published() -> Iterator[AssistanceRequest]:
    """The requests whose State agrees to their open publication, oldest first, with
    what the activities need, a page at a time (keyset: constant memory)."""
    last = 0
    while True:
        page = list(
            _with_related(
                AssistanceRequest.objects.filter(open_publication_since__isnull=False, pk__gt=last)
            ).order_by("pk")[:PAGE]
        )
        yield from page
        if len(page) < PAGE:
            return
        last = page[-1].pk


def _with_related(requests: QuerySet[AssistanceRequest]) -> QuerySet[AssistanceRequest]:
    # When implementation began: one value read in the same query, not history rows.
    began = HistoryEntry.objects.filter(
        request=OuterRef("pk"), to_stage=Stage.IMPLEMENTATION
    ).exclude(from_stage=Stage.IMPLEMENTATION)
    started = Subquery(began.order_by("at", "pk").values("at")[:1])
    return (
        requests.select_related("requesting_state", "brief", "opened_by")
        .annotate(started=started)
        .prefetch_related(
            "domains",
            "funding",
            Prefetch(
                "plans",
                queryset=Plan.objects.order_by("version").prefetch_related(
                    "providers", "activities", "consents"
                ),
            ),
            Prefetch(
                "evaluations",
                queryset=Evaluation.objects.select_related("evaluated_by")
                .prefetch_related("indicators")
                .order_by("pk"),
            ),
            Prefetch(
                "recommendations",
                queryset=LinkedRecommendation.objects.filter(record__isnull=False)
                .select_related("record__recommending_state")
                .order_by("pk"),
                to_attr="upr_records",
            ),
        )
    )


def document(publisher: Publisher, requests: Iterator[AssistanceRequest]) -> Iterator[bytes]:
    """The export, piece by piece: the XML declaration and the root, then one
    ``iati-activity`` per request, then the end of the root."""
    yield (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<iati-activities version="{VERSION}" '
        f'generated-datetime="{clock.now().replace(microsecond=0).isoformat()}">\n'
    ).encode()
    for ta_request in requests:
        yield tostring(activity(publisher, ta_request), encoding="utf-8", xml_declaration=False)
        yield b"\n"
    yield b"</iati-activities>\n"


@dataclass(frozen=True)
class Written:
    activities: int
    size: int


def write(path: Path) -> Written:
    """Write the export to ``path``: beside it first, then renamed into place once
    complete, so that a failed export never leaves a half-written file where a
    publisher fetches it, and readers always find a whole one."""
    publisher = Publisher.from_settings()
    path.parent.mkdir(parents=True, exist_ok=True)
    counted = 0

    def requests() -> Iterator[AssistanceRequest]:
        nonlocal counted
        for ta_request in published():
            counted += 1
            yield ta_request

    descriptor, partial = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(descriptor, "wb") as out:
            for piece in document(publisher, requests()):
                out.write(piece)
        os.chmod(partial, 0o644)
        os.replace(partial, path)
    finally:
        if os.path.exists(partial):
            os.unlink(partial)
    return Written(activities=counted, size=path.stat().st_size)


def refresh() -> Written | None:
    """Write the published file (``settings.IATI_EXPORT_FILE``), which the API serves;
    None when the deployment does not publish open data (no publisher configured)."""
    try:
        written = write(Path(settings.IATI_EXPORT_FILE))
    except NotConfigured as error:
        log.info("Open data not published: %s", error.message)
        return None
    log.info("Open data published: %s activities, %s bytes", written.activities, written.size)
    return written


def published_file() -> Path:
    """The file to serve. The worker writes it when it starts, then every hour."""
    Publisher.from_settings()  # never serve a file the deployment no longer publishes
    path = Path(settings.IATI_EXPORT_FILE)
    if not path.exists():
        raise NotReady(
            _("The open-data file is being written for the first time: try again in a few minutes.")
        )
    return path


def activity(publisher: Publisher, ta_request: AssistanceRequest) -> Element:
    """One request as an ``iati-activity``."""
    with translation.override(LANGUAGE):  # the codelists' labels, as the narratives
        return _activity(publisher, ta_request)


def _activity(publisher: Publisher, ta_request: AssistanceRequest) -> Element:
    state = ta_request.requesting_state
    plan = _budgeted_plan(ta_request)
    root = Element(
        "iati-activity",
        {
            "last-updated-datetime": ta_request.updated_at.replace(microsecond=0).isoformat(),
            XML_LANG: LANGUAGE,
        },
    )
    # Written by whoever opened the request, presumably in their account's language.
    written_in = ta_request.opened_by.language
    SubElement(root, "iati-identifier").text = f"{publisher.ref}-{ta_request.reference}"
    _narrative(
        SubElement(root, "reporting-org", ref=publisher.ref, type=publisher.type), publisher.name
    )
    _narrative(SubElement(root, "title"), ta_request.title, written_in)
    description = SubElement(root, "description", type="1")
    if ta_request.description.strip():
        _narrative(description, ta_request.description.strip(), written_in)
    else:
        _narrative(
            description, f"Technical assistance in human rights requested by {state.name_en}."
        )
    _participants(root, publisher, ta_request, plan)
    SubElement(root, "activity-status", code=_status(ta_request))
    _dates(root, ta_request, plan)
    _narrative(
        SubElement(root, "recipient-country", code=state.iso2, percentage="100"), state.name_en
    )
    _sectors(root, ta_request)
    for link in ta_request.upr_records:  # type: ignore[attr-defined]
        record = link.record
        _narrative(
            SubElement(
                root,
                "tag",
                vocabulary="99",
                code=f"UPR-{record.cycle}-{record.recommending_state_id}-{record.pk}",
            ),
            record.text,
        )
    # OECD DAC aid type D02: other technical assistance.
    SubElement(root, "default-aid-type", code="D02", vocabulary="1")
    if plan is not None:
        _budget(root, plan)
    _brief_link(root, ta_request)
    _results(root, ta_request)
    return root


def _narrative(parent: Element, text: str, language: str = LANGUAGE) -> Element:
    narrative = SubElement(parent, "narrative")
    # IATI's Language codelist is ISO 639-1: Django's "zh-hans" is "zh" there.
    code = names.name_language(language)
    if code != LANGUAGE:
        narrative.set(XML_LANG, code)
    narrative.text = NOT_XML.sub("", text)
    return parent


def _status(ta_request: AssistanceRequest) -> str:
    """The ActivityStatus of the stage; a request sent back to consultation (a revised
    plan) after implementation began is still in implementation for IATI, whose
    pipeline status has no actual start."""
    status = STATUS[ta_request.stage]
    started = ta_request.started  # type: ignore[attr-defined]
    return STATUS[Stage.IMPLEMENTATION] if status == "1" and started else status


def _budgeted_plan(ta_request: AssistanceRequest) -> Plan | None:
    """The plan the State approved, else the latest proposal not rejected (an indicative
    budget); a plan the State rejected is never published as planned."""
    plans = list(ta_request.plans.all())
    approved = [plan for plan in plans if plan.decision() == Decision.APPROVED]
    chosen = approved or [plan for plan in plans if plan.decision() != Decision.DECLINED]
    return chosen[-1] if chosen else None


def _participants(
    root: Element, publisher: Publisher, ta_request: AssistanceRequest, plan: Plan | None
) -> None:
    state = ta_request.requesting_state
    _narrative(SubElement(root, "participating-org", role=ACCOUNTABLE, type="10"), state.name_en)
    _narrative(
        SubElement(
            root, "participating-org", ref=publisher.ref, role=EXTENDING, type=publisher.type
        ),
        publisher.name,
    )
    for source in sorted({funding.source for funding in ta_request.funding.all()}):
        _narrative(
            SubElement(root, "participating-org", role=FUNDING, type=FUNDER_TYPE[source]),
            str(FundingSource(source).label),
        )
    providers: list[Provider] = list(plan.providers.all()) if plan is not None else []
    for provider in providers:
        attributes = {"role": IMPLEMENTING}
        if provider.kind in PROVIDER_TYPE:
            attributes["type"] = PROVIDER_TYPE[provider.kind]
        _narrative(SubElement(root, "participating-org", attributes), provider.name)


def _dates(root: Element, ta_request: AssistanceRequest, plan: Plan | None) -> None:
    """Planned dates from the plan's activities, actual ones from the history: the
    start of implementation and the end (closing, withdrawal or refusal)."""
    starts, ends = _planned(plan)
    started = ta_request.started  # type: ignore[attr-defined]
    if starts:
        _dated(root, "activity-date", min(starts), type="1")
    elif not started:
        # The Standard wants a start, planned or actual; without a planned one the only
        # date is the State's request.
        _narrative(
            _dated(root, "activity-date", ta_request.opened_at.date(), type="1"),
            "Date of the State's request; no activity start is planned yet.",
        )
    if started:
        _dated(root, "activity-date", started.date(), type="2")
    if ends:
        _dated(root, "activity-date", max(ends), type="3")
    if ta_request.stage in (Stage.CLOSED, Stage.WITHDRAWN, Stage.DECLINED):
        _dated(root, "activity-date", ta_request.stage_entered_at.date(), type="4")


def _planned(plan: Plan | None) -> tuple[list[date], list[date]]:
    activities = list(plan.activities.all()) if plan is not None else []
    starts = [a.starts_on for a in activities if a.starts_on]
    ends = [a.ends_on or a.starts_on for a in activities if a.ends_on or a.starts_on]
    return starts, [end for end in ends if end is not None]


def _dated(parent: Element, tag: str, day: date, **attributes: str) -> Element:
    """An element dated by its ``iso-date`` attribute (a name Python cannot spell)."""
    return SubElement(parent, tag, {**attributes, "iso-date": day.isoformat()})


def _sectors(root: Element, ta_request: AssistanceRequest) -> None:
    """OECD DAC 5-digit sectors of its domains (15160 human rights when it names none),
    sharing 100 %: the schema's rule when there are several of one vocabulary."""
    codes = sorted({domain.dac_sector for domain in ta_request.domains.all()}) or ["15160"]
    shares = _shares(Decimal(100), [1] * len(codes))
    for code, share in zip(codes, shares, strict=True):
        SubElement(root, "sector", vocabulary="1", code=code, percentage=str(share))


def _shares(total: Decimal, weights: list[int]) -> list[Decimal]:
    """``total`` shared in proportion to ``weights``, in hundredths that add up to it
    exactly (the last share takes what rounding left)."""
    parts = [(total * weight / sum(weights)).quantize(Decimal("0.01")) for weight in weights[:-1]]
    return [*parts, total - sum(parts)]


def _budget(root: Element, plan: Plan) -> None:
    """The plan's budget, committed once the State approved it, else indicative, from
    the first activity's start (else the plan's proposal) to the last one's end (else a
    year later). The Standard takes budget periods of a year at most: a longer plan is
    shared out by year, in proportion to the days of each."""
    starts, ends = _planned(plan)
    begins = min(starts) if starts else plan.proposed_at.date()
    finishes = max(ends) if ends else _year_after(begins)
    begins = min(begins, finishes)
    status = "2" if plan.decision() == Decision.APPROVED else "1"
    for (start, end), amount in _by_year(begins, finishes, plan.budget_amount):
        budget = SubElement(root, "budget", type="1", status=status)
        _dated(budget, "period-start", start)
        _dated(budget, "period-end", end)
        value = SubElement(
            budget,
            "value",
            {"currency": plan.budget_currency, "value-date": plan.proposed_at.date().isoformat()},
        )
        value.text = str(amount)


def _year_after(day: date) -> date:
    """The last day of the year that starts on ``day`` (29 February: 28 February)."""
    try:
        return day.replace(year=day.year + 1) - timedelta(days=1)
    except ValueError:
        return day.replace(year=day.year + 1, day=28)


def _by_year(
    begins: date, finishes: date, amount: Decimal
) -> list[tuple[tuple[date, date], Decimal]]:
    """(period, share of ``amount``) for each year from ``begins`` to ``finishes``; the
    shares are in cents and add up to ``amount`` exactly."""
    periods = []
    start = begins
    while start <= finishes:
        end = min(_year_after(start), finishes)
        periods.append((start, end))
        start = end + timedelta(days=1)
    days = [(end - start).days + 1 for start, end in periods]
    return list(zip(periods, _shares(amount, days), strict=True))


def _brief_link(root: Element, ta_request: AssistanceRequest) -> None:
    """The State's good-practice brief, when it published it: the one document of a
    request that is public (attached files stay between the State and the secretariat)."""
    brief = getattr(ta_request, "brief", None)
    if brief is None or brief.published_at is None:
        return
    url = settings.SITE_URL + reverse("open_brief", args=[ta_request.reference])
    link = SubElement(root, "document-link", url=url, format="text/html")
    _narrative(SubElement(link, "title"), f"Good-practice brief: {ta_request.title}")
    SubElement(link, "category", code="A08")  # Lessons learned
    _dated(link, "document-date", brief.published_at.date())


def _results(root: Element, ta_request: AssistanceRequest) -> None:
    """The outcome indicators: baseline, target, the value measured at the end of the
    assistance, then each follow-up's (A/HRC/43/31 para 100)."""
    final = ta_request.final_evaluation()
    if final is None:
        return
    indicators = [i for i in final.indicators.all() if i.name]
    if not indicators:
        return
    began = (ta_request.started or ta_request.opened_at).date()  # type: ignore[attr-defined]
    ended = final.updated_at.date()
    if ta_request.stage == Stage.CLOSED:
        ended = ta_request.stage_entered_at.date()
    follow_ups = ta_request.follow_ups()
    written_in = final.evaluated_by.language
    result = SubElement(root, "result", type="2")  # outcome
    _narrative(SubElement(result, "title"), "Outcomes measured with the State")
    if final.summary.strip():
        _narrative(SubElement(result, "description"), final.summary.strip(), written_in)
    for indicator in indicators:
        attributes = {"measure": "1"}  # unit
        if _decreasing(indicator.baseline, indicator.target):
            attributes["ascending"] = "0"  # it improves as it falls (fewer overdue reports)
        element = SubElement(result, "indicator", attributes)
        _narrative(SubElement(element, "title"), indicator.name, written_in)
        if indicator.unit:
            _narrative(SubElement(element, "description"), f"Unit: {indicator.unit}")
        if indicator.baseline is not None:
            value = str(indicator.baseline)
            _dated(element, "baseline", began, year=str(began.year), value=value)
        _period(element, began, max(ended, began), indicator.target, indicator.measured)
        # Each follow-up measures the period since the measure before it.
        since = ended
        for follow_up in follow_ups:
            again = {i.name: i for i in follow_up.indicators.all()}.get(indicator.name)
            if again is not None and again.measured is not None:
                measured_on = max(follow_up.measured_when, since)
                _period(element, since, measured_on, indicator.target, again.measured)
                since = measured_on


def _decreasing(baseline: Decimal | None, target: Decimal | None) -> bool:
    return baseline is not None and target is not None and target < baseline


def _period(
    indicator: Element, begins: date, ends: date, target: Decimal | None, actual: Decimal | None
) -> None:
    period = SubElement(indicator, "period")
    _dated(period, "period-start", begins)
    _dated(period, "period-end", ends)
    if target is not None:
        SubElement(period, "target", value=str(target))
    if actual is not None:
        SubElement(period, "actual", value=str(actual))
