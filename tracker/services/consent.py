"""Follow-up evaluations and the State's consents outside the transitions: to follow-up
(A/HRC/43/31 para 100) and to open publication."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from tracker import workflow
from tracker.kernel import clock, names
from tracker.kernel.errors import InvalidInput, Refused
from tracker.kernel.vocabulary import (
    FOLLOW_UP_CONSENT_WITHDRAWN,
    FOLLOW_UP_DUE_DAYS,
    FOLLOW_UPS,
    OPEN_PUBLICATION_AGREED,
    OPEN_PUBLICATION_REVOKED,
    EvaluationKind,
)
from tracker.models import (
    AssistanceRequest,
    Consent,
    Evaluation,
    OutcomeIndicator,
    User,
)
from tracker.services._writes import (
    Letter,
    bump_revision,
    claimed_for_step,
    current_version,
    open_data_changed,
    record_state_decision,
    require_state_or_its_letter,
)
from tracker.workflow import Decision


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
        # Who, the stage and the State's consent (in claimed_for_step), then the inputs.
        current = claimed_for_step(ta_request, by, "follow_up")
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
            defaults={
                "summary": (summary or "").strip(),
                "evaluated_by": by,
                "updated_at": clock.now(),
                "measured_on": measured_on,
            },
        )
        evaluation.indicators.all().delete()
        OutcomeIndicator.objects.bulk_create(
            OutcomeIndicator(
                evaluation=evaluation,
                name=i.name,
                unit=i.unit,
                baseline=i.baseline,
                target=i.target,
                measured=measured[i.name],
            )
            for i in indicators
        )
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
    letter = Letter(document_reference, document_date, comment)
    step = workflow.CONTENT_STEPS["follow_up_consent"]
    with transaction.atomic():
        current = current_version(ta_request, None)
        require_state_or_its_letter(current, by, letter, str(step.action))
        workflow.require_content_allowed(current, "follow_up_consent")
        bump_revision(current, clock.now())
        return record_state_decision(
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
    letter = Letter(document_reference, document_date, comment)
    with transaction.atomic():
        current = current_version(ta_request, None)
        require_state_or_its_letter(
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
        open_data_changed(current, now, open_publication_since=now if agree else None)
        current.open_publication_since = now if agree else None
        if agree:
            return record_state_decision(
                current, by, letter, Decision.OPEN_PUBLICATION, OPEN_PUBLICATION_AGREED
            )
        return record_state_decision(
            current, by, letter, Decision.NO_OPEN_PUBLICATION, OPEN_PUBLICATION_REVOKED
        )
