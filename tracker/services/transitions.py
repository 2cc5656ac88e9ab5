"""The workflow's transitions, applied under the request's row lock, with their history
and consent rows."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from django_fsm import TransitionNotAllowed

from tracker import workflow
from tracker.kernel import clock
from tracker.kernel.errors import InvalidInput
from tracker.models import (
    AssistanceRequest,
    Consent,
    User,
)
from tracker.notifications import reminders
from tracker.services._writes import (
    bump_revision,
    changed_meanwhile,
    current_version,
    queue_delivery,
    write_history,
)


def take_transition(
    *,
    ta_request: AssistanceRequest,
    name: str,
    by: User,
    expected_revision: int | None = None,
    permit: workflow.Permit | None = None,
    **inputs: Any,
) -> AssistanceRequest:
    """Apply the transition ``name`` to ``request`` as ``by``.

    Writes exactly one history row and, for the State's decisions, one consent row,
    in the same transaction as the stage change. ``expected_revision`` is the
    revision the person saw; if the request has changed since, nothing is done.
    ``permit`` is the answer of the view's own ``workflow.check``: when the request
    read again here is still at that revision, the guards are not evaluated again
    (the write below is made only if the revision has not moved).
    """
    with transaction.atomic():
        current = current_version(ta_request, expected_revision)
        if permit is None or not permit.covers(current, name, by):
            permit = workflow.check(current, name, by)
        from_stage, before = current.stage, _transition_fields(current)
        try:
            with workflow.held(permit.request, permit.revision):
                outcome: workflow.Outcome = getattr(current, name)(by=by, **inputs)
        except TransitionNotAllowed as moved_on:
            # Another call committed between our checks and django-fsm's own: the
            # request is no longer where this person saw it.
            raise changed_meanwhile(current) from moved_on
        now = clock.now()
        # Only what the transition changed is written: the State may be re-ranking
        # its requests at the same moment (set_priority does not bump the revision).
        changed = {k: v for k, v in _transition_fields(current).items() if before[k] != v}
        if current.stage != from_stage:
            changed["stage_entered_at"] = current.stage_entered_at = now
        bump_revision(current, now, **changed)
        entry = write_history(
            request=current,
            from_stage=from_stage,
            to_stage=current.stage,
            transition=name,
            actor=by,
            at=now,
            comment=outcome.comment,
        )
        if name in workflow.NOTICES:
            queue_delivery(reminders.notice(current, workflow.NOTICES[name], now))
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


def assign_officer(*, ta_request: AssistanceRequest, by: User, officer: User) -> AssistanceRequest:
    """Staff hand an open request to another officer."""
    action = _("assign an officer")
    workflow.require_officer(by, action)
    if not workflow.is_officer(officer):
        raise InvalidInput(_("%(user)s is not an active secretariat officer.") % {"user": officer})
    with transaction.atomic():
        current = current_version(ta_request, None)
        workflow.require_stage(current, workflow.OPEN, action)
        bump_revision(current, clock.now(), officer=officer)
    current.officer = officer
    return current
