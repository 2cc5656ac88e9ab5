"""Opening a request (P1): only at the State's request (A/HRC/43/31 paras 30, 73, 105)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.utils.translation import gettext as _

from tracker import workflow
from tracker.kernel import clock, names
from tracker.kernel.errors import Conflict, InvalidInput, NotAllowed
from tracker.kernel.vocabulary import (
    OPENED,
)
from tracker.models import (
    FORMAL_CHANNELS,
    AssistanceForm,
    AssistanceRequest,
    Channel,
    Consent,
    Domain,
    MemberState,
    ReferenceCounter,
    User,
)
from tracker.services._writes import (
    add_funding,
    add_recommendations,
    check_recommendations,
    figures_moved,
    write_history,
)
from tracker.services.drafts import FormalRequest, FundingDraft, RecommendationDraft
from tracker.workflow import Decision, Stage


@dataclass
class _Vocabulary:
    domains: list[Domain] = field(default_factory=list)
    forms: list[AssistanceForm] = field(default_factory=list)


def open_request(
    *,
    by: User,
    title: str,
    description: str = "",
    requesting_state: MemberState | str | None = None,
    formal_request: FormalRequest | None = None,
    domains: Iterable[str] = (),
    forms: Iterable[str] = (),
    recommendations: Sequence[RecommendationDraft] = (),
    funding: Sequence[FundingDraft] = (),
) -> AssistanceRequest:
    """Open a request for assistance.

    A/HRC/43/31 paras 30, 73, 105: assistance is given only at the State's request.
    A focal point opens one for its own State; an officer logs one only with the
    State's formal request (kind, number, date); nobody else can open one.
    """
    title = (title or "").strip()
    try:
        state, channel, number, doc_date = _requester(by, requesting_state, formal_request)
    except InvalidInput as refused:
        if not title:  # said with the rest, all at once
            raise InvalidInput(
                fields={"title": _("Give the request a title."), **refused.fields}
            ) from refused
        raise
    if not title:
        raise InvalidInput(fields={"title": _("Give the request a title.")})
    vocabulary = _vocabulary(domains, forms)
    check_recommendations(recommendations)
    now = clock.now()
    with transaction.atomic():
        ta_request = AssistanceRequest(
            reference=_next_reference(now.year),
            requesting_state=state,
            title=title,
            description=(description or "").strip(),
            received_via=channel,
            document_number=number,
            document_date=doc_date,
            priority=_lowest_priority(state) + 1,
            opened_by=by,
            opened_at=now,
            stage_entered_at=now,
            updated_at=now,
        )
        ta_request.save()
        ta_request.domains.set(vocabulary.domains)
        ta_request.assistance_forms.set(vocabulary.forms)
        add_recommendations(ta_request, recommendations)
        add_funding(ta_request, funding)
        entry = write_history(
            request=ta_request,
            from_stage="",
            to_stage=Stage.REQUESTED,
            transition=OPENED,
            actor=by,
            at=now,
        )
        Consent.objects.create(
            request=ta_request,
            history_entry=entry,
            decision=Decision.REQUESTED,
            recorded_by=by,
            document_reference=number,
            document_date=doc_date,
            recorded_at=now,
        )
        figures_moved(ta_request.pk)
    return ta_request


def _requester(
    by: User, requesting_state: MemberState | str | None, formal: FormalRequest | None
) -> tuple[MemberState, str, str, date | None]:
    workflow.require_opener(by)
    code = requesting_state.pk if isinstance(requesting_state, MemberState) else requesting_state
    code = str(code).upper() if code else None
    if workflow.is_focal_point(by) and by.member_state is not None:
        own = by.member_state
        if code and code != own.pk:
            other = MemberState.objects.filter(pk=code).first()
            if other is None:
                raise InvalidInput(
                    _("There is no State with the code “%(code)s”.") % {"code": code}
                )
            raise NotAllowed(
                names.sentence(
                    _(
                        "%(only_other)s can ask for assistance for %(other)s; as a focal "
                        "point %(of_own)s you can open requests for %(own)s only."
                    )
                    % {**names.words(other, "other"), **names.words(own, "own")}
                )
            )
        return own, Channel.PORTAL, "", None
    # An officer, recording the State's formal request: every problem of it at once.
    problems: dict[str, str] = {}
    state = MemberState.objects.filter(pk=code).first() if code else None
    if not code:
        problems["requesting_state"] = _("Name the State that asked for assistance.")
    elif state is None:
        problems["requesting_state"] = _("There is no State with the code “%(code)s”.") % {
            "code": code
        }
    formal_request = _(
        "Record the State's formal request: its kind (note verbale, letter, "
        "UPR follow-up letter), number and date."
    )
    if not (formal and (formal.number or "").strip()):
        problems["document_number"] = formal_request
    if not (formal and formal.date):
        problems["document_date"] = formal_request
    if problems or state is None or formal is None:
        raise InvalidInput(fields=problems)
    if formal.kind not in FORMAL_CHANNELS:
        raise InvalidInput(
            _("A formal request is a note verbale, a letter or a UPR follow-up letter.")
        )
    workflow.dates.check_formal_request(formal.date)
    return state, formal.kind, formal.number.strip(), formal.date


def _vocabulary(domains: Iterable[str], forms: Iterable[str]) -> _Vocabulary:
    wanted = _Vocabulary(
        domains=list(Domain.objects.filter(code__in=list(domains))),
        forms=list(AssistanceForm.objects.filter(code__in=list(forms))),
    )
    unknown = (set(domains) - {d.code for d in wanted.domains}) | (
        set(forms) - {f.code for f in wanted.forms}
    )
    if unknown:
        raise InvalidInput(
            _("Unknown domain or form of assistance: %(codes)s.")
            % {"codes": ", ".join(sorted(unknown))}
        )
    return wanted


def _next_reference(year: int) -> str:
    """TA-2026-0042: numbered per year; the counter row is locked while it is taken."""
    for _attempt in range(2):
        try:
            with transaction.atomic():
                counter, _created = ReferenceCounter.objects.select_for_update().get_or_create(
                    year=year
                )
                ReferenceCounter.objects.filter(pk=year).update(last=F("last") + 1)
                return f"TA-{year}-{counter.last + 1:04d}"
        except IntegrityError:  # two first requests of a year at once: retry once
            continue
    raise Conflict(_("Could not number the request; try again."))


def _lowest_priority(state: MemberState) -> int:
    return (
        AssistanceRequest.objects.filter(requesting_state=state, stage__in=workflow.OPEN).aggregate(
            lowest=Max("priority")
        )["lowest"]
        or 0
    )
