"""What every write shares: claiming a request by its revision (which also keeps the
figures: ``figures_moved``), its history rows (which move the standing backlog),
queueing a notice's delivery after commit, the State's decisions recorded from its
letters, and the recommendations and funding a request is opened or corrected with."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from tracker import tasks, workflow
from tracker.figures import standing, tallies
from tracker.kernel import clock, money, names
from tracker.kernel.errors import Conflict, InvalidInput, NotAllowed
from tracker.models import (
    AssistanceRequest,
    Consent,
    Funding,
    FundingSource,
    HistoryEntry,
    LinkedRecommendation,
    MemberState,
    Notification,
    RecommendationSource,
    UprRecommendation,
    User,
)
from tracker.services.drafts import FundingDraft, RecommendationDraft


def figures_moved(*requests: int) -> None:
    """What these requests add to the figures may have changed with this write: they
    are marked for the kept tallies in the write's own transaction, and the worker
    folds them in once the write commits (beat does too, every 15 s). Every write comes
    here: through ``bump_revision``, which every change of a request makes; a new
    request from ``open_request``; a State's groups from ``set_state_groups``.
    Readings add what is marked and not yet folded, so the figures are exact in
    between."""
    tallies.mark(requests)
    if not any(queued[1] is _fold for queued in connection.run_on_commit):
        transaction.on_commit(_fold)


def _fold() -> None:
    tasks.count_figures.delay()


def write_history(**fields: Any) -> HistoryEntry:
    """A history row, and what it moves in the standing backlog (open requests per
    stage and region on each day), in the row's own transaction."""
    entry = HistoryEntry.objects.create(**fields)
    standing.record(entry)
    return entry


def queue_delivery(notification: Notification | None) -> None:
    """Queue a new notice's delivery once the transaction that recorded it commits, so
    that nothing is sent for a step that was rolled back."""
    if notification is not None:
        pk = notification.pk
        transaction.on_commit(lambda: tasks.deliver.delay(pk))


def add_recommendations(
    ta_request: AssistanceRequest, drafts: Sequence[RecommendationDraft]
) -> None:
    drafts = _from_records(ta_request, drafts)
    named = {d.recommending_state.upper() for d in drafts if d.recommending_state}
    unknown = named - set(MemberState.objects.filter(pk__in=named).values_list("pk", flat=True))
    if unknown:
        raise InvalidInput(
            _("There is no State with the code “%(code)s”.") % {"code": ", ".join(sorted(unknown))}
        )
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
        )
        % {"record": d.record, **names.words(ta_request.requesting_state)}
        for row, d in enumerate(drafts)
        if d.record is not None and d.record not in records
    }
    if problems:
        raise InvalidInput(fields=problems)
    return [
        replace(
            d,
            source=RecommendationSource.UPR,
            upr_cycle=records[d.record].cycle,
            recommending_state=records[d.record].recommending_state_id,
            text=records[d.record].text,
        )
        if d.record is not None
        else d
        for d in drafts
    ]


def current_version(
    ta_request: AssistanceRequest, expected_revision: int | None
) -> AssistanceRequest:
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


def bump_revision(ta_request: AssistanceRequest, now: Any, **fields: Any) -> None:
    """Save ``fields`` only if nobody wrote the request since it was read."""
    updated = AssistanceRequest.objects.filter(
        pk=ta_request.pk, revision=ta_request.revision
    ).update(revision=F("revision") + 1, updated_at=now, **fields)
    if updated != 1:
        raise changed_meanwhile(ta_request)
    figures_moved(ta_request.pk)
    ta_request.revision += 1
    ta_request.updated_at = now


def changed_meanwhile(ta_request: AssistanceRequest) -> Conflict:
    return Conflict(
        _("Someone else changed %(reference)s at the same moment: reload it and decide again.")
        % {"reference": ta_request.reference}
    )


def claimed_for_step(ta_request: AssistanceRequest, by: User, step: str) -> AssistanceRequest:
    """The request, checked again and claimed: bumping its revision first takes its row
    lock, so two writers are ordered and the second gets a Conflict, not a duplicate."""
    current = current_version(ta_request, None)
    workflow.check_content(current, step, by)
    bump_revision(current, clock.now())
    return current


def add_funding(ta_request: AssistanceRequest, funding: Sequence[FundingDraft]) -> list[Funding]:
    """The same rules for funding recorded at opening and afterwards."""
    _check_funding(funding)
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


def check_recommendations(drafts: Sequence[RecommendationDraft]) -> None:
    problems: dict[str, str] = {}
    for row, draft in enumerate(drafts):
        if draft.record is None and draft.source not in RecommendationSource.values:
            problems[f"recommendations.{row}.source"] = _("Choose the mechanism.")
        if draft.record is None and not _identified(draft):
            problems[f"recommendations.{row}.text"] = _(
                "Give the recommendation's text or the symbol of the document it is in."
            )
    if problems:
        raise InvalidInput(fields=problems)


def _identified(draft: RecommendationDraft) -> bool:
    """A link says which recommendation it follows up: a mechanism, a cycle or a mandate
    alone does not."""
    return bool((draft.text or "").strip() or (draft.document_symbol or "").strip())


def open_data_changed(
    current: AssistanceRequest, now: datetime, *, in_the_file: bool = True, **fields: Any
) -> None:
    """The request changed in a way its open-data activity may show (the State's
    decision on open publication, its brief published, taken back or corrected). It is
    bumped, which takes its row lock, so that the activity's last-updated-datetime and
    the kept figures see the change; and when the change is ``in_the_file`` and the
    request is published, before or after, the worker rewrites the published file once
    the transaction commits, not at the next hour."""
    shown = current.open_publication_since is not None
    bump_revision(current, now, **fields)
    if in_the_file and (shown or fields.get("open_publication_since") is not None):
        transaction.on_commit(tasks.publish_open_data.delay)


@dataclass(frozen=True)
class Letter:
    """The State's written communication an officer records its decision from."""

    reference: str = ""
    day: date | None = None
    comment: str = ""


def require_state_or_its_letter(
    current: AssistanceRequest, by: User, letter: Letter, action: str
) -> None:
    """The State decides itself; staff only record what it decided in writing."""
    if not (workflow.is_officer(by) or workflow.is_focal_point_of(by, current.requesting_state_id)):
        raise NotAllowed(workflow.REQUESTING_STATE.denial(current, str(action)))
    workflow.require_document_when_staff(by, letter.reference, action)
    workflow.dates.check_letter(letter.day, current)


def record_state_decision(
    current: AssistanceRequest, by: User, letter: Letter, decision: str, row: str
) -> Consent:
    """A decision of the State outside the transitions: its history row and its
    consent record, written together (the stage stays)."""
    now = clock.now()
    comment = (letter.comment or "").strip()
    entry = write_history(
        request=current,
        from_stage=current.stage,
        to_stage=current.stage,
        transition=row,
        actor=by,
        at=now,
        comment=comment,
    )
    return Consent.objects.create(
        request=current,
        history_entry=entry,
        decision=decision,
        recorded_by=by,
        document_reference=(letter.reference or "").strip(),
        document_date=letter.day,
        recorded_at=now,
        comment=comment,
    )
