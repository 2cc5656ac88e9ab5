"""Every write to TA Tracker: the admin, the portal, the API, the commands and the
tasks call these functions and nothing else.

Each one is atomic. Writes to a request bump its ``revision`` with a conditional
UPDATE, so of two people acting on the same request at the same moment one succeeds
and the other gets a ``Conflict`` — never a lost or doubled step.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import IO, Any

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.utils.translation import gettext as _
from django_fsm import TransitionNotAllowed

from tracker import documents, tasks, workflow
from tracker.documents import files, virusscan
from tracker.figures import tallies
from tracker.kernel import clock, money, names
from tracker.kernel.errors import Conflict, InvalidInput, NotAllowed, Refused
from tracker.kernel.vocabulary import (
    FOLLOW_UP_CONSENT_WITHDRAWN,
    FOLLOW_UP_DUE_DAYS,
    FOLLOW_UPS,
    OPEN_PUBLICATION_AGREED,
    OPEN_PUBLICATION_REVOKED,
    OPENED,
    RECOMMENDATIONS_CORRECTED,
    EvaluationKind,
    NotificationKind,
)
from tracker.models import (
    FORMAL_CHANNELS,
    Activity,
    AssistanceForm,
    AssistanceRequest,
    Brief,
    Channel,
    Consent,
    Document,
    DocumentKind,
    Domain,
    Evaluation,
    Funding,
    FundingSource,
    HistoryEntry,
    LinkedRecommendation,
    MemberState,
    Message,
    NeedsAssessment,
    Notification,
    OutcomeIndicator,
    Plan,
    Provider,
    Reading,
    RecommendationSource,
    ReferenceCounter,
    UprRecommendation,
    User,
)
from tracker.notifications import reminders
from tracker.workflow import Decision, Role, Stage


@dataclass(frozen=True)
class FormalRequest:
    """The State's written request, as staff log it (A/HRC/43/31 paras 30, 105)."""

    kind: str
    number: str
    date: date


@dataclass(frozen=True)
class ActivityDraft:
    form: str
    title: str
    place: str = ""
    starts_on: date | None = None
    ends_on: date | None = None


@dataclass(frozen=True)
class IndicatorDraft:
    name: str
    baseline: Decimal | None = None
    target: Decimal | None = None
    measured: Decimal | None = None
    unit: str = ""


@dataclass(frozen=True)
class RecommendationDraft:
    source: str
    document_symbol: str = ""
    upr_cycle: int | None = None
    recommending_state: str | None = None
    mandate: str = ""
    text: str = ""
    #: An imported UPR record (``UprRecommendation`` id): the link takes its words.
    record: int | None = None


@dataclass(frozen=True)
class FundingDraft:
    source: str
    amount: Decimal
    currency: str = "USD"


@dataclass
class _Vocabulary:
    domains: list[Domain] = field(default_factory=list)
    forms: list[AssistanceForm] = field(default_factory=list)


# --- opening a request (P1) ---------------------------------------------------------


def _tell(notification: Notification | None) -> None:
    """Queue a new notice's delivery once the transaction that recorded it commits, so
    that nothing is sent for a step that was rolled back."""
    if notification is not None:
        pk = notification.pk
        transaction.on_commit(lambda: tasks.deliver.delay(pk))


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
    state, channel, number, doc_date = _requester(by, requesting_state, formal_request)
    title = (title or "").strip()
    if not title:
        raise InvalidInput(_("Give the request a title."))
    vocabulary = _vocabulary(domains, forms)
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
        _add_recommendations(ta_request, recommendations)
        _add_funding(ta_request, funding)
        entry = HistoryEntry.objects.create(
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
    # An officer, recording the State's formal request.
    if not code:
        raise InvalidInput(_("Name the State that asked for assistance."))
    state = MemberState.objects.filter(pk=str(code).upper()).first()
    if state is None:
        raise InvalidInput(_("There is no State with the code “%(code)s”.") % {"code": code})
    if formal is None or not (formal.number or "").strip() or formal.date is None:
        raise InvalidInput(
            _(
                "Record the State's formal request: its kind (note verbale, letter, "
                "UPR follow-up letter), number and date."
            )
        )
    if formal.kind not in FORMAL_CHANNELS:
        raise InvalidInput(
            _("A formal request is a note verbale, a letter or a UPR follow-up letter.")
        )
    if formal.date > clock.now().date():
        raise InvalidInput(_("The formal request cannot be dated in the future."))
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


def _add_recommendations(
    ta_request: AssistanceRequest, drafts: Sequence[RecommendationDraft]
) -> None:
    drafts = _from_records(ta_request, drafts)
    named = {d.recommending_state.upper() for d in drafts if d.recommending_state}
    unknown = named - set(MemberState.objects.filter(pk__in=named).values_list("pk", flat=True))
    if unknown:
        raise InvalidInput(
            _("There is no State with the code “%(code)s”.") % {"code": ", ".join(sorted(unknown))}
        )
    tallies.mark([ta_request.pk])  # bulk_create sends no signal to the kept figures
    LinkedRecommendation.objects.bulk_create(
        LinkedRecommendation(
            request=ta_request,
            source=d.source,
            document_symbol=d.document_symbol,
            upr_cycle=d.upr_cycle,
            recommending_state_id=d.recommending_state.upper() if d.recommending_state else None,
            mandate=d.mandate,
            text=d.text,
            record_id=d.record,
        )
        for d in drafts
    )


def _from_records(
    ta_request: AssistanceRequest, drafts: Sequence[RecommendationDraft]
) -> list[RecommendationDraft]:
    """Links to imported UPR records take the record's words; a record must be one
    made to the requesting State (A/HRC/43/31 para 115)."""
    wanted = {d.record for d in drafts if d.record is not None}
    records = {
        r.pk: r
        for r in UprRecommendation.objects.filter(
            pk__in=wanted, state_under_review_id=ta_request.requesting_state_id
        )
    }
    problems = {
        f"recommendations.{row}.record": _(
            "There is no UPR recommendation %(record)s made to %(state)s."
        ) % {"record": d.record, **names.words(ta_request.requesting_state)}
        for row, d in enumerate(drafts)
        if d.record is not None and d.record not in records
    }  # fmt: skip
    if problems:
        raise InvalidInput(fields=problems)
    return [
        replace(d, source=RecommendationSource.UPR, upr_cycle=records[d.record].cycle,
                recommending_state=records[d.record].recommending_state_id,
                text=records[d.record].text)
        if d.record is not None else d
        for d in drafts
    ]  # fmt: skip


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


# --- transitions ---------------------------------------------------------------------


def take_transition(
    *,
    ta_request: AssistanceRequest,
    name: str,
    by: User,
    expected_revision: int | None = None,
    **inputs: Any,
) -> AssistanceRequest:
    """Apply the transition ``name`` to ``request`` as ``by``.

    Writes exactly one history row and, for the State's decisions, one consent row,
    in the same transaction as the stage change. ``expected_revision`` is the
    revision the person saw; if the request has changed since, nothing is done.
    """
    with transaction.atomic():
        current = _reload(ta_request, expected_revision)
        workflow.check(current, name, by)
        from_stage, before = current.stage, _transition_fields(current)
        try:
            outcome: workflow.Outcome = getattr(current, name)(by=by, **inputs)
        except TransitionNotAllowed as moved_on:
            # Another call committed between our checks and django-fsm's own: the
            # request is no longer where this person saw it.
            raise _changed_meanwhile(current) from moved_on
        now = clock.now()
        # Only what the transition changed is written: the State may be re-ranking
        # its requests at the same moment (set_priority does not bump the revision).
        changed = {k: v for k, v in _transition_fields(current).items() if before[k] != v}
        if current.stage != from_stage:
            changed["stage_entered_at"] = current.stage_entered_at = now
        _bump(current, now, **changed)
        entry = HistoryEntry.objects.create(
            request=current,
            from_stage=from_stage,
            to_stage=current.stage,
            transition=name,
            actor=by,
            at=now,
            comment=outcome.comment,
        )
        if name in workflow.NOTICES:
            _tell(reminders.notice(current, workflow.NOTICES[name], now))
        if outcome.consent is not None:
            Consent.objects.create(
                request=current,
                history_entry=entry,
                plan=outcome.consent.plan,
                decision=outcome.consent.decision,
                recorded_by=by,
                document_reference=outcome.consent.document_reference,
                document_date=outcome.consent.document_date,
                comment=outcome.comment,
                recorded_at=now,
            )
    return current


def _transition_fields(ta_request: AssistanceRequest) -> dict[str, Any]:
    return {
        "stage": ta_request.stage,
        "officer_id": ta_request.officer_id,
        "priority": ta_request.priority,
    }


def _reload(ta_request: AssistanceRequest, expected_revision: int | None) -> AssistanceRequest:
    current = AssistanceRequest.objects.select_related("requesting_state").get(pk=ta_request.pk)
    if expected_revision is not None and current.revision != expected_revision:
        raise Conflict(
            _(
                "%(reference)s has changed since you opened it (it is now in %(stage)s): "
                "reload it and decide again."
            )
            % {"reference": current.reference, "stage": current.get_stage_display()}
        )
    return current


def _bump(ta_request: AssistanceRequest, now: Any, **fields: Any) -> None:
    """Save ``fields`` only if nobody wrote the request since it was read."""
    updated = AssistanceRequest.objects.filter(
        pk=ta_request.pk, revision=ta_request.revision
    ).update(revision=F("revision") + 1, updated_at=now, **fields)
    if updated != 1:
        raise _changed_meanwhile(ta_request)
    tallies.mark([ta_request.pk])  # an update() sends no signal to the kept figures
    ta_request.revision += 1
    ta_request.updated_at = now


def _changed_meanwhile(ta_request: AssistanceRequest) -> Conflict:
    return Conflict(
        _("Someone else changed %(reference)s at the same moment: reload it and decide again.")
        % {"reference": ta_request.reference}
    )


def assign_officer(*, ta_request: AssistanceRequest, by: User, officer: User) -> AssistanceRequest:
    """Staff hand an open request to another officer."""
    action = _("assign an officer")
    workflow.require_officer(by, action)
    if not workflow.is_officer(officer):
        raise InvalidInput(_("%(user)s is not an active secretariat officer.") % {"user": officer})
    with transaction.atomic():
        current = _reload(ta_request, None)
        workflow.require_stage(current, workflow.OPEN, action)
        _bump(current, clock.now(), officer=officer)
    current.officer = officer
    return current


# --- the State's priorities (P3) -------------------------------------------------------


def _require_state(by: User, state: MemberState) -> None:
    workflow.require_focal_point_of(by, state, _("rank its requests"))


def _valid_rank(rank: object) -> int:
    if isinstance(rank, bool) or not isinstance(rank, int) or rank < 1:
        raise InvalidInput(_("A priority is a whole number from 1 (highest)."))
    return rank


def _open_queue(state: MemberState) -> list[AssistanceRequest]:
    """The State's open requests in their current order, locked while they are renumbered."""
    return list(
        AssistanceRequest.objects.select_for_update()
        .filter(requesting_state=state, stage__in=workflow.OPEN)
        .order_by(F("priority").asc(nulls_last=True), "opened_at")
    )


def _renumber(state: MemberState, queue: list[AssistanceRequest]) -> None:
    """Store the State's ranking, and when it last ranked (the portal asks it to rank
    the requests opened since)."""
    for position, item in enumerate(queue, start=1):
        item.priority = position
    AssistanceRequest.objects.bulk_update(queue, ["priority"])
    MemberState.objects.filter(pk=state.pk).update(priorities_reviewed_at=clock.now())


def set_priority(*, ta_request: AssistanceRequest, by: User, rank: int) -> AssistanceRequest:
    """Put ``request`` at ``rank`` among its State's open requests (1 = highest).

    A/HRC/43/31 paras 40, 54, 56, 104: the State's priorities lead; only the State
    ranks its requests, and staff cannot change the ranking.
    """
    _require_state(by, ta_request.requesting_state)
    rank = _valid_rank(rank)
    with transaction.atomic():
        queue = _open_queue(ta_request.requesting_state)
        target = next((r for r in queue if r.pk == ta_request.pk), None)
        if target is None:
            raise Refused(
                _("%(reference)s is no longer open: only open requests are ranked.")
                % {"reference": ta_request.reference}
            )
        queue.remove(target)
        queue.insert(min(rank, len(queue) + 1) - 1, target)
        _renumber(ta_request.requesting_state, queue)
    target.requesting_state = ta_request.requesting_state
    return target


def rank_requests(*, by: User, state: MemberState, ranks: dict[str, int]) -> None:
    """Re-rank the State's open requests at once: ``ranks`` maps references to ranks.

    Requests sharing a rank keep their previous order; requests not named keep theirs
    after the named ones (P3, as ``set_priority``).
    """
    _require_state(by, state)
    ranks = {reference: _valid_rank(rank) for reference, rank in ranks.items()}
    with transaction.atomic():
        queue = _open_queue(state)
        unknown = set(ranks) - {r.reference for r in queue}
        if unknown:
            raise Refused(
                _("Not open requests %(of_state)s: %(references)s.")
                % {**names.words(state), "references": ", ".join(sorted(unknown))}
            )
        last = len(queue) + 1
        queue.sort(key=lambda r: ranks.get(r.reference, last))  # stable: ties keep order
        _renumber(state, queue)


# --- content of a request --------------------------------------------------------------


def _editable(ta_request: AssistanceRequest, by: User, step: str) -> AssistanceRequest:
    """The request, checked again and claimed: bumping its revision first takes its row
    lock, so two writers are ordered and the second gets a Conflict, not a duplicate."""
    current = _reload(ta_request, None)
    workflow.check_content(current, step, by)
    _bump(current, clock.now())
    return current


def record_assessment(
    *, ta_request: AssistanceRequest, by: User, findings: str, gaps: str
) -> NeedsAssessment:
    """Staff record the needs assessment (A/HRC/43/31 paras 6, 73)."""
    with transaction.atomic():
        current = _editable(ta_request, by, "assessment")
        # Who, then the stage (in _editable), then the inputs: the order of every refusal.
        findings, gaps = (findings or "").strip(), (gaps or "").strip()
        if not findings or not gaps:
            raise InvalidInput(
                _("A needs assessment records both its findings and the gaps found.")
            )
        now = clock.now()
        assessment, _created = NeedsAssessment.objects.update_or_create(
            request=current,
            defaults={"findings": findings, "gaps": gaps, "assessed_by": by, "updated_at": now},
        )
    return assessment


def propose_plan(
    *,
    ta_request: AssistanceRequest,
    by: User,
    budget_amount: Decimal,
    activities: Sequence[ActivityDraft],
    providers: Iterable[Provider | int] = (),
    summary: str = "",
    budget_currency: str = "USD",
) -> Plan:
    """Staff propose the next plan version; the State must approve it (P2)."""
    with transaction.atomic():
        current = _editable(ta_request, by, "plan")
        # Who, then the stage (in _editable), then the inputs: the order of every refusal.
        forms = _plan_problems(budget_amount, budget_currency, activities)
        now = clock.now()
        latest = current.latest_plan()
        plan = Plan.objects.create(
            request=current,
            version=(latest.version if latest else 0) + 1,
            summary=(summary or "").strip(),
            budget_amount=budget_amount,
            budget_currency=budget_currency,
            proposed_by=by,
            proposed_at=now,
        )
        plan.providers.set(list(providers))
        if current.stage == Stage.CONSULTATION:
            _tell(reminders.notice(current, NotificationKind.PLAN_AWAITS_DECISION, now))
        Activity.objects.bulk_create(
            Activity(
                plan=plan,
                form=forms[a.form],
                title=a.title,
                place=a.place,
                starts_on=a.starts_on,
                ends_on=a.ends_on,
            )
            for a in activities
        )
    return plan


def _plan_problems(
    budget_amount: Decimal | None, budget_currency: str, activities: Sequence[ActivityDraft]
) -> dict[str, AssistanceForm]:
    """Every problem of a proposed plan at once, each on its input; else the kinds of
    activity it names."""
    problems: dict[str, str] = {}
    if budget_amount is None or Decimal(budget_amount) < 0:
        problems["budget_amount"] = _("A plan has a budget of zero or more.")
    if currency := money.currency_problem(budget_currency):
        problems["budget_currency"] = currency
    if not activities:
        problems["activities"] = _("A plan has at least one activity.")
    forms = {
        f.code: f for f in AssistanceForm.objects.filter(code__in=[a.form for a in activities])
    }
    for row, activity in enumerate(activities):
        if activity.form not in forms:
            problems[f"activities.{row}.form"] = _("Unknown kind of activity: %(codes)s.") % {
                "codes": activity.form
            }
        if not (activity.title or "").strip():
            problems[f"activities.{row}.title"] = _("Give the activity a title.")
        if activity.starts_on and activity.ends_on and activity.ends_on < activity.starts_on:
            problems[f"activities.{row}.ends_on"] = _("An activity cannot end before it starts.")
    if problems:
        raise InvalidInput(fields=problems)
    return forms


def record_funding(
    *, ta_request: AssistanceRequest, by: User, funding: Sequence[FundingDraft]
) -> list[Funding]:
    """Staff record how the assistance is funded: the lines given replace the ones
    recorded before (a line left out is removed)."""
    with transaction.atomic():
        current = _editable(ta_request, by, "funding")
        # Who, then the stage (in _editable), then the inputs: the order of every refusal.
        Funding.objects.filter(request=current).delete()
        return _add_funding(current, funding)


def _add_funding(ta_request: AssistanceRequest, funding: Sequence[FundingDraft]) -> list[Funding]:
    """The same rules for funding recorded at opening and afterwards."""
    _check_funding(funding)
    tallies.mark([ta_request.pk])  # bulk_create sends no signal to the kept figures
    return Funding.objects.bulk_create(
        Funding(request=ta_request, source=f.source, amount=f.amount, currency=f.currency)
        for f in funding
    )


def _check_funding(funding: Sequence[FundingDraft]) -> None:
    problems: dict[str, str] = {}
    for row, line in enumerate(funding):
        if line.source not in FundingSource.values:
            problems[f"funding.{row}.source"] = _("Choose where the money comes from.")
        if line.amount is None or Decimal(line.amount) <= 0:
            problems[f"funding.{row}.amount"] = _("An amount of funding is more than zero.")
        if currency := money.currency_problem(line.currency):
            problems[f"funding.{row}.currency"] = currency
    if problems:
        raise InvalidInput(fields=problems)


def correct_recommendations(
    *,
    ta_request: AssistanceRequest,
    by: User,
    recommendations: Sequence[RecommendationDraft],
    comment: str = "",
) -> AssistanceRequest:
    """Staff correct the recommendations a request follows up. The links given replace
    the ones before, and a history row keeps what they were (history is kept)."""
    with transaction.atomic():
        current = _editable(ta_request, by, "recommendations")
        # Who, then the stage (in _editable), then the inputs: the order of every refusal.
        _check_recommendations(recommendations)
        before = [
            _described(r) for r in current.recommendations.select_related("recommending_state")
        ]
        current.recommendations.all().delete()
        _add_recommendations(current, recommendations)
        previously = _("Previously: %(links)s.") % {
            "links": "; ".join(before) if before else _("none")
        }
        HistoryEntry.objects.create(
            request=current,
            from_stage=current.stage,
            to_stage=current.stage,
            transition=RECOMMENDATIONS_CORRECTED,
            actor=by,
            at=clock.now(),
            comment="\n".join(filter(None, [(comment or "").strip(), previously])),
        )
    return current


def _described(link: LinkedRecommendation) -> str:
    """A linked recommendation in one line, for the history row of a correction."""
    who = link.recommending_state.name if link.recommending_state else link.mandate
    parts = [link.get_source_display(), link.document_symbol, who, link.text[:120]]
    return " — ".join(part for part in parts if part)


def _check_recommendations(drafts: Sequence[RecommendationDraft]) -> None:
    problems: dict[str, str] = {}
    for row, draft in enumerate(drafts):
        if draft.record is None and draft.source not in RecommendationSource.values:
            problems[f"recommendations.{row}.source"] = _("Choose the mechanism.")
        if (
            draft.record is None
            and not (draft.text or "").strip()
            and not (draft.document_symbol or "").strip()
        ):
            problems[f"recommendations.{row}.text"] = _(
                "Give the recommendation's text or the symbol of the document it is in."
            )
    if problems:
        raise InvalidInput(fields=problems)


def record_delivery(
    *,
    activity: Activity,
    by: User,
    delivered_on: date,
    participants: int | None = None,
    place: str | None = None,
) -> Activity:
    """Staff record that an activity of the approved plan took place."""
    with transaction.atomic():
        current = _editable(activity.plan.request, by, "delivery")
        # Who, then the stage (in _editable), then the inputs: the order of every refusal.
        if delivered_on is None:
            raise InvalidInput(_("Give the date the activity was delivered."))
        if delivered_on > clock.now().date():
            raise InvalidInput(_("An activity cannot be delivered in the future."))
        approved = current.approved_plan()
        if approved is None or activity.plan_id != approved.pk:
            raise InvalidInput(_("Only activities of the approved plan can be delivered."))
        Activity.objects.filter(pk=activity.pk).update(
            delivered_on=delivered_on,
            participants=participants,
            **({"place": place} if place is not None else {}),
        )
    activity.refresh_from_db()
    return activity


def record_evaluation(
    *,
    ta_request: AssistanceRequest,
    by: User,
    indicators: Sequence[IndicatorDraft],
    summary: str = "",
    lessons_learned: str = "",
) -> Evaluation:
    """Staff record the final evaluation and its outcome indicators (A/HRC/43/31 para 100)."""
    with transaction.atomic():
        current = _editable(ta_request, by, "evaluation")
        # Who, then the stage (in _editable), then the inputs: the order of every refusal.
        if not indicators:
            raise InvalidInput(_("An evaluation has at least one outcome indicator."))
        if any(not (i.name or "").strip() for i in indicators):
            raise InvalidInput(_("Every outcome indicator needs a name."))
        # Follow-ups measure each indicator again by its name (record_follow_up).
        names_seen: set[str] = set()
        repeated: dict[str, str] = {}
        for row, indicator in enumerate(indicators):
            name = indicator.name.strip().casefold()
            if name in names_seen:
                repeated[f"indicators.{row}.name"] = _("Another indicator has this name.")
            names_seen.add(name)
        if repeated:
            raise InvalidInput(fields=repeated)
        now = clock.now()
        evaluation, _created = Evaluation.objects.update_or_create(
            request=current,
            kind=EvaluationKind.FINAL,
            defaults={
                "summary": (summary or "").strip(),
                "lessons_learned": (lessons_learned or "").strip(),
                "evaluated_by": by,
                "updated_at": now,
            },
        )
        evaluation.indicators.all().delete()
        OutcomeIndicator.objects.bulk_create(
            OutcomeIndicator(
                evaluation=evaluation,
                name=i.name.strip(),
                unit=i.unit,
                baseline=i.baseline,
                target=i.target,
                measured=i.measured,
            )
            for i in indicators
        )
    return evaluation


# --- the dialogue: messages and documents (A/HRC/43/31 para 6) ---------------------------


@dataclass(frozen=True)
class Upload:
    """A file as it arrived: its name as the sender gave it, its bytes, their size."""

    name: str
    content: IO[bytes]
    size: int


#: The longest message, in characters.
MESSAGE_MAX_LENGTH = 20000


def write_message(
    *,
    ta_request: AssistanceRequest,
    by: User,
    text: str,
    internal: bool = False,
    attachments: Sequence[Upload] = (),
) -> Message:
    """A message to the other side (the State to the secretariat, or back), or an
    internal note that only staff see. The other side is told by e-mail, once."""
    workflow.require_party(ta_request, by, _("write on this request"))
    if internal and not workflow.is_officer(by):
        raise NotAllowed(_("Only secretariat officers can write internal notes."))
    text = (text or "").strip()
    if not text:
        raise InvalidInput(fields={"text": _("Write the message.")})
    if len(text) > MESSAGE_MAX_LENGTH:
        raise InvalidInput(
            fields={
                "text": _("A message has at most %(n)s characters.") % {"n": MESSAGE_MAX_LENGTH}
            }
        )
    checked = [_checked(upload) for upload in attachments]
    with transaction.atomic(), documents.kept_only_if_done() as saved:
        now = clock.now()
        message = Message.objects.create(
            request=ta_request, author=by, at=now, text=text, internal=internal
        )
        for upload, content_kind in checked:
            _store(ta_request, by, upload, content_kind, saved, now=now, message=message,
                   kind=DocumentKind.OTHER, internal=internal)  # fmt: skip
        if not internal:
            _tell(reminders.notice(ta_request, NotificationKind.MESSAGE, now, message=message))
    return message


def attach_document(
    *,
    ta_request: AssistanceRequest,
    by: User,
    upload: Upload | None,
    kind: str,
    about: str = "",
    supersedes: int | None = None,
) -> Document:
    """A document attached to the request and to what it documents (``about``: "" for
    the request itself, or "plan:<id>", "consent:<id>", "assessment:<id>",
    "evaluation:<id>"), or replacing an earlier one, which is kept."""
    workflow.require_party(ta_request, by, _("attach documents to this request"))
    problems: dict[str, str] = {}
    if kind not in DocumentKind.values:
        problems["kind"] = _("Choose what kind of document this is.")
    target = _documented(ta_request, about)
    if target is None:
        problems["about"] = _("Choose what the document belongs to, on this request.")
    previous = None
    if supersedes is not None:
        current = Document.objects.filter(
            request=ta_request, pk=supersedes, superseded_by__isnull=True
        )
        if not workflow.sees_internal_notes(by):
            current = current.filter(internal=False)
        previous = current.first()
        if previous is None:
            problems["supersedes"] = _(
                "The document it replaces must be a current document of this request."
            )
    if upload is None:
        problems["file"] = _("Choose the file to attach.")
    if problems:
        raise InvalidInput(fields=problems)
    assert upload is not None  # for the type checker: refused above
    checked_upload, content_kind = _checked(upload)
    with transaction.atomic(), documents.kept_only_if_done() as saved:
        return _store(ta_request, by, checked_upload, content_kind, saved, now=clock.now(),
                      kind=kind, supersedes=previous, **(target or {}))  # fmt: skip


def _documented(ta_request: AssistanceRequest, about: str) -> dict[str, Any] | None:
    """The record a document belongs to, as keyword arguments of ``Document``; None
    when ``about`` names nothing of this request."""
    if not about:
        return {}
    what, _colon, pk = about.partition(":")
    models: dict[str, Any] = {
        "plan": Plan, "consent": Consent, "assessment": NeedsAssessment, "evaluation": Evaluation
    }  # fmt: skip
    if what not in models or not pk.isdigit():
        return None
    found = models[what].objects.filter(request=ta_request, pk=int(pk)).first()
    return {what: found} if found is not None else None


def _checked(upload: Upload) -> tuple[Upload, files.Kind]:
    """The upload with its kind judged on its content and its virus check passed,
    before anything is written."""
    name = files.safe_name(upload.name)
    try:
        kind = files.inspect(name, upload.content, upload.size, settings.DOCUMENT_MAX_BYTES)
        virusscan.check(name, upload.content)
    except InvalidInput as refused:
        raise InvalidInput(fields={"file": refused.message}) from refused
    return Upload(name, upload.content, upload.size), kind


def _store(
    ta_request: AssistanceRequest,
    by: User,
    upload: Upload,
    content_kind: files.Kind,
    saved: list[str],
    *,
    now: Any,
    kind: str,
    **links: Any,
) -> Document:
    blob = documents.new_blob(ta_request.reference)
    document = Document.objects.create(
        request=ta_request,
        kind=kind,
        name=upload.name,
        content_type=content_kind.content_type,
        size=upload.size,
        sha256=documents.sha256(upload.content),
        blob=blob,
        uploaded_by=by,
        uploaded_at=now,
        **links,
    )
    documents.save(blob, upload.content, saved)
    return document


def mark_read(*, ta_request: AssistanceRequest, by: User) -> None:
    """``by`` has read the conversation on the request up to now."""
    # One statement (an upsert): opening a page costs one write, not a read and a write.
    Reading.objects.bulk_create(
        [Reading(user=by, request=ta_request, seen_at=clock.now())],
        update_conflicts=True,
        unique_fields=["user", "request"],
        update_fields=["seen_at"],
    )


# --- follow-up evaluations (A/HRC/43/31 para 100) ---------------------------------------------


def record_follow_up(
    *,
    ta_request: AssistanceRequest,
    by: User,
    kind: str,
    measured_on: date | None,
    measured: dict[str, Decimal | None],
    summary: str = "",
) -> Evaluation:
    """Staff record a follow-up evaluation of a closed request: the final evaluation's
    outcome indicators measured again, on a date. Its reminder is then satisfied."""
    with transaction.atomic():
        # Who, the stage and the State's consent (in _editable), then the inputs.
        current = _editable(ta_request, by, "follow_up")
        final = current.final_evaluation()
        indicators = list(final.indicators.order_by("pk")) if final else []
        problems: dict[str, str] = {}
        closed_on = current.stage_entered_at.date()
        if kind not in FOLLOW_UPS:
            problems["kind"] = _("Choose which follow-up this is.")
        if measured_on is None:
            problems["measured_on"] = _("Give the date the values were measured.")
        elif measured_on > clock.now().date() or measured_on < closed_on:
            problems["measured_on"] = _("The date falls between the closing and today.")
        elif kind == EvaluationKind.FOLLOW_UP_LATER and measured_on < closed_on + timedelta(
            days=FOLLOW_UP_DUE_DAYS[EvaluationKind.FOLLOW_UP_12]
        ):
            problems["measured_on"] = _(
                "A later follow-up is measured a year or more after the closing; before "
                "that, record the 6- or 12-month follow-up."
            )
        for row, indicator in enumerate(indicators):
            if measured.get(indicator.name) is None:
                problems[f"indicators.{row}.measured"] = _("Give the value measured.")
        if problems:
            raise InvalidInput(fields=problems)
        # Recording one again corrects it: the 6- and 12-month follow-ups are one each,
        # a later one is one a day.
        same: dict[str, Any] = {"request": current, "kind": kind}
        if kind == EvaluationKind.FOLLOW_UP_LATER:
            same["measured_on"] = measured_on
        evaluation, _created = Evaluation.objects.update_or_create(
            **same,
            defaults={"summary": (summary or "").strip(), "evaluated_by": by,
                      "updated_at": clock.now(), "measured_on": measured_on},
        )  # fmt: skip
        evaluation.indicators.all().delete()
        OutcomeIndicator.objects.bulk_create(
            OutcomeIndicator(evaluation=evaluation, name=i.name, unit=i.unit,
                             baseline=i.baseline, target=i.target, measured=measured[i.name])
            for i in indicators
        )  # fmt: skip
    return evaluation


def withdraw_follow_up_consent(
    *,
    ta_request: AssistanceRequest,
    by: User,
    document_reference: str = "",
    document_date: date | None = None,
    comment: str = "",
) -> Consent:
    """The State withdraws its consent to follow-up evaluations, itself or by a written
    communication an officer records (P2, P4): no follow-up is asked for any more."""
    letter = _Letter(document_reference, document_date, comment)
    step = workflow.CONTENT_STEPS["follow_up_consent"]
    with transaction.atomic():
        current = _reload(ta_request, None)
        _require_state_or_its_letter(current, by, letter, str(step.action))
        workflow.require_content_allowed(current, "follow_up_consent")
        _bump(current, clock.now())
        return _record_consent(
            current, by, letter, Decision.NO_FOLLOW_UP, FOLLOW_UP_CONSENT_WITHDRAWN
        )


def decide_open_publication(
    *,
    ta_request: AssistanceRequest,
    by: User,
    agree: bool,
    document_reference: str = "",
    document_date: date | None = None,
    comment: str = "",
) -> Consent:
    """The State agrees to the open publication of its request (the IATI export), or
    revokes that agreement, itself or by a written communication an officer records.
    Nothing is published without it: ownership applies to open data too (P2, P7)."""
    letter = _Letter(document_reference, document_date, comment)
    with transaction.atomic():
        current = _reload(ta_request, None)
        _require_state_or_its_letter(
            current, by, letter, _("decide on the open publication of this request")
        )
        if agree == (current.open_publication_since is not None):
            already = (
                _("%(state)s already agreed to the open publication of this request.")
                if agree
                else _("%(state)s has not agreed to the open publication of this request.")
            )
            raise Refused(names.sentence(already % names.words(current.requesting_state)))
        now = clock.now()
        _open_data_changed(current, now, open_publication_since=now if agree else None)
        current.open_publication_since = now if agree else None
        if agree:
            return _record_consent(
                current, by, letter, Decision.OPEN_PUBLICATION, OPEN_PUBLICATION_AGREED
            )
        return _record_consent(
            current, by, letter, Decision.NO_OPEN_PUBLICATION, OPEN_PUBLICATION_REVOKED
        )


def _open_data_changed(
    current: AssistanceRequest, now: datetime, *, in_the_file: bool = True, **fields: Any
) -> None:
    """The request changed in a way its open-data activity may show (the State's
    decision on open publication, its brief published, taken back or corrected). It is
    bumped, which takes its row lock, so that the activity's last-updated-datetime and
    the kept figures see the change; and when the change is ``in_the_file`` and the
    request is published, before or after, the worker rewrites the published file once
    the transaction commits, not at the next hour."""
    shown = current.open_publication_since is not None
    _bump(current, now, **fields)
    if in_the_file and (shown or fields.get("open_publication_since") is not None):
        transaction.on_commit(tasks.publish_open_data.delay)


@dataclass(frozen=True)
class _Letter:
    """The State's written communication an officer records its decision from."""

    reference: str = ""
    day: date | None = None
    comment: str = ""


def _require_state_or_its_letter(
    current: AssistanceRequest, by: User, letter: _Letter, action: str
) -> None:
    """The State decides itself; staff only record what it decided in writing."""
    if not (workflow.is_officer(by) or workflow.is_focal_point_of(
        by, current.requesting_state_id
    )):  # fmt: skip
        raise NotAllowed(workflow.REQUESTING_STATE.denial(current, str(action)))
    workflow.require_document_when_staff(by, letter.reference, action)


def _record_consent(
    current: AssistanceRequest, by: User, letter: _Letter, decision: str, row: str
) -> Consent:
    """A decision of the State outside the transitions: its history row and its
    consent record, written together (the stage stays)."""
    now = clock.now()
    comment = (letter.comment or "").strip()
    entry = HistoryEntry.objects.create(
        request=current, from_stage=current.stage, to_stage=current.stage,
        transition=row, actor=by, at=now, comment=comment,
    )  # fmt: skip
    return Consent.objects.create(
        request=current, history_entry=entry, decision=decision, recorded_by=by,
        document_reference=(letter.reference or "").strip(), document_date=letter.day,
        recorded_at=now, comment=comment,
    )  # fmt: skip


# --- good-practice briefs (A/HRC/43/31 para 114) --------------------------------------------


def write_brief(
    *,
    ta_request: AssistanceRequest,
    by: User,
    context: str,
    done: str,
    results: str,
    differently: str = "",
) -> Brief:
    """The State writes its brief, or an officer drafts it for the State to approve; a
    published brief changed by an officer goes back to unpublished (the State approves
    what is shared), and leaves the open-data file at once."""
    workflow.require_party(ta_request, by, str(workflow.CONTENT_STEPS["brief"].action))
    with transaction.atomic():
        current = _reload(ta_request, None)
        # Who, then the stage, then the inputs: the order of every refusal.
        workflow.require_content_allowed(current, "brief")
        texts = {"context": context, "done": done, "results": results}
        problems = {name: _("Write this part of the brief.") for name, text in texts.items()
                    if not (text or "").strip()}  # fmt: skip
        if problems:
            raise InvalidInput(fields=problems)
        now = clock.now()
        existing = Brief.objects.filter(request=current).first()
        # Only a published brief is linked from the file (a draft saved is not).
        was_published = existing is not None and existing.published_at is not None
        _open_data_changed(current, now, in_the_file=was_published)
        brief, _created = Brief.objects.update_or_create(
            request=current,
            defaults={
                **{name: text.strip() for name, text in texts.items()},
                "differently": (differently or "").strip(),
                "written_by": by,
                "updated_at": now,
                # The State's own edit stays published; anyone else's awaits its approval.
                "published_at": existing.published_at
                if existing is not None and workflow.is_focal_point(by)
                else None,
            },
        )
    return brief


def publish_brief(
    *, ta_request: AssistanceRequest, by: User, publish: bool, version: str | None = None
) -> Brief:
    """Only the State publishes its brief, and it may take it back at any time (P7);
    the open-data file follows at once. Publishing approves the text: given the
    ``version`` the State read, a text written since (an officer's correction) is not
    published unread."""
    workflow.require_focal_point_of(
        by, ta_request.requesting_state, _("publish the brief of its request")
    )
    with transaction.atomic():
        current = _reload(ta_request, None)
        now = clock.now()
        _open_data_changed(current, now)
        brief = Brief.objects.filter(request=current).first()
        if brief is None:
            raise Refused(_("Write the brief before publishing it."))
        if publish and version is not None and version != brief.version:
            raise Conflict(_("The brief changed since you read it: read it again, then "
                             "publish it."))  # fmt: skip
        brief.published_at = now if publish else None
        brief.save(update_fields=["published_at"])
    return brief


def publish_lessons(*, ta_request: AssistanceRequest, by: User, publish: bool) -> Evaluation:
    """The State alone decides whether other States may read its lessons (A/HRC/43/31 para 114)."""
    workflow.require_focal_point_of(
        by, ta_request.requesting_state, _("publish the lessons of its requests")
    )
    with transaction.atomic():
        current = _reload(ta_request, None)
        workflow.require_stage(current, [Stage.CLOSED], _("publish lessons learned"))
        evaluation = Evaluation.objects.get(request=current, kind=EvaluationKind.FINAL)
        if publish and not evaluation.lessons_learned.strip():
            raise InvalidInput(_("There are no lessons learned to publish."))
        Evaluation.objects.filter(pk=evaluation.pk).update(lessons_published=publish)
        _bump(current, clock.now())
    evaluation.lessons_published = publish
    return evaluation


# --- accounts ----------------------------------------------------------------------------


def create_account(
    *,
    username: str,
    role: str,
    password: str,
    state: str | None = None,
    email: str = "",
    language: str = "en",
    supervisor: User | None = None,
) -> User:
    """Create a user with its role; a focal point speaks for exactly one State."""
    if role not in Role.values:
        raise InvalidInput(
            _("Unknown role “%(role)s”: use one of %(roles)s.")
            % {"role": role, "roles": ", ".join(Role.values)}
        )
    member_state = None
    if role == Role.FOCAL_POINT:
        if not state:
            raise InvalidInput(_("A focal point needs the State it speaks for (--state ISO3)."))
        member_state = MemberState.objects.filter(pk=state.upper()).first()
        if member_state is None:
            raise InvalidInput(_("There is no State with the code “%(code)s”.") % {"code": state})
    elif state:
        raise InvalidInput(_("Only focal points speak for a State."))
    _require_language(language)
    if User.objects.filter(username=username).exists():
        raise InvalidInput(_("The user “%(username)s” already exists.") % {"username": username})
    user = User(
        username=username,
        email=email,
        role=role,
        member_state=member_state,
        language=language,
        supervisor=supervisor,
        # Officers and analysts work in the admin; focal points never do.
        is_staff=role in workflow.ADMIN_GROUPS,
    )
    user.set_password(password)
    user.save()
    if role in workflow.ADMIN_GROUPS:
        user.groups.add(Group.objects.get(name=workflow.ADMIN_GROUPS[Role(role)]))
    return user


def set_language(*, user: User, language: str) -> None:
    """The language of the portal and of the e-mails this person receives."""
    _require_language(language)
    User.objects.filter(pk=user.pk).update(language=language)


def _require_language(language: str) -> None:
    if language not in dict(User.LANGUAGES):
        raise InvalidInput(_("Unknown language “%(code)s”.") % {"code": language})
