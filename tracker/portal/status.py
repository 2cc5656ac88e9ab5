"""What the portal shows about a request: its progress and what the State must do now."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from tracker import workflow
from tracker.kernel import names
from tracker.kernel.vocabulary import (
    FOLLOW_UP_CONSENT_WITHDRAWN,
    OPEN_PUBLICATION_AGREED,
    OPEN_PUBLICATION_REVOKED,
    OPENED,
    RECOMMENDATIONS_CORRECTED,
    Decision,
    EvaluationKind,
)
from tracker.models import AssistanceRequest, Evaluation, HistoryEntry, MemberState, Plan
from tracker.workflow import Stage, deadlines


def progress(ta_request: AssistanceRequest) -> dict[str, Any]:
    """Steps of the five-stage progress bar; withdrawn and declined shown as such."""
    if ta_request.stage in workflow.PROGRESSION:
        reached = workflow.PROGRESSION.index(ta_request.stage)
    elif ta_request.stage == Stage.CLOSED:
        reached = len(workflow.PROGRESSION)
    else:
        reached = -1
    return {
        "steps": [
            {"label": stage.label, "done": i < reached, "current": i == reached}
            for i, stage in enumerate(workflow.PROGRESSION)
        ],
        "ended": ta_request.stage in (Stage.WITHDRAWN, Stage.DECLINED),
        "closed": ta_request.stage == Stage.CLOSED,
    }


def state_action(ta_request: AssistanceRequest, now: datetime | None = None) -> dict[str, Any]:
    """What the State must (``decision``) or may do now, in one sentence; {} when nothing."""
    now = now or timezone.now()
    if ta_request.state_must_decide():
        plan = ta_request.plan_awaiting_decision()
        if plan is not None:
            days = (now - plan.proposed_at).days
            text = (
                ngettext(
                    "Plan version %(version)s has been waiting for your decision for %(days)s day.",
                    "Plan version %(version)s has been waiting for your decision for %(days)s "
                    "days.",
                    days,
                )
                if days
                else _("Plan version %(version)s has been waiting for your decision since today.")
            ) % {"version": plan.version, "days": days}
            return {"text": text, "decision": True}
    if ta_request.stage == Stage.CONSULTATION:
        latest = ta_request.latest_plan()
        if latest is not None and latest.decision() == Decision.DECLINED:
            text = _(
                "You rejected plan version %(version)s. The secretariat will propose a new "
                "version; you will be told when it is ready."
            ) % {"version": latest.version}
            return {"text": text, "decision": False}
    if ta_request.stage == Stage.CLOSED:
        evaluation = ta_request.final_evaluation()
        if evaluation and evaluation.lessons_learned and not evaluation.lessons_published:
            text = _("You may publish the lessons learned for other States.")
            return {"text": text, "decision": False}
    return {}


def expected_time(ta_request: AssistanceRequest) -> dict[str, Any]:
    """How long the current stage should take (the service level) and by when."""
    allowed = deadlines.service_levels().get(ta_request.stage)
    if allowed is None:
        return {}
    return {
        "days": allowed.days,
        "due": deadlines.due_at(ta_request.stage, ta_request.stage_entered_at),
        "late": ta_request.is_overdue,
    }


def awaiting_ranking(state: MemberState, opened: list[datetime]) -> int:
    """How many open requests (given by when each was opened) the State has not ranked
    yet: all of them until it first ranks, then those opened since; none while it has a
    single one (A/HRC/43/31 para 40: the State's priorities lead the work)."""
    if len(opened) < 2:
        return 0
    return sum(1 for at in opened if not ranked_by_state(state, at))


def ranked_by_state(state: MemberState, opened_at: datetime) -> bool:
    """Whether the State ranked this request itself (it was open when the State last
    ranked): otherwise its place is only the order it came in, and the portal says so."""
    reviewed = state.priorities_reviewed_at
    return reviewed is not None and opened_at <= reviewed


def timeline(
    ta_request: AssistanceRequest,
    entries: list[HistoryEntry],
    plans: list[Plan],
    follow_ups: list[Evaluation],
) -> list[dict[str, Any]]:
    """What happened, oldest first, in words, with who did it: each history row (and
    the consent written with it), each plan version the secretariat proposed, and each
    follow-up evaluation it recorded."""
    state = names.words(ta_request.requesting_state)
    items = []
    for entry in entries:
        consent = getattr(entry, "consent", None)
        if entry.transition == OPENED:
            text = (
                _("%(state)s asked for assistance.")
                if workflow.is_focal_point(entry.actor)
                else _("The secretariat recorded the formal request %(of_state)s.")
            ) % state
        elif entry.transition == RECOMMENDATIONS_CORRECTED:
            text = _("The secretariat corrected the recommendations this request follows up.")
        elif entry.transition == FOLLOW_UP_CONSENT_WITHDRAWN:
            text = _("%(state)s withdrew its consent to follow-up evaluations.") % state
        elif entry.transition == OPEN_PUBLICATION_AGREED:
            text = _("%(state)s agreed to the open publication of this request.") % state
        elif entry.transition == OPEN_PUBLICATION_REVOKED:
            text = _("%(state)s revoked its agreement to open publication.") % state
        else:
            version = consent.plan.version if consent is not None and consent.plan else ""
            told = str(workflow.about(entry.transition).told)
            text = told % {**state, "version": version}
        items.append(
            {
                "at": entry.at,
                "text": names.sentence(text),
                "comment": entry.comment,
                "document": consent.document_reference if consent is not None else "",
                "letters": list(consent.documents.all()) if consent is not None else [],
            }
        )
    for plan in plans:
        items.append(
            {
                "at": plan.proposed_at,
                "text": _("The secretariat proposed plan version %(version)s.")
                % {"version": plan.version},
                "comment": plan.summary,
                "document": "",
                "letters": [],
            }
        )
    for follow_up in follow_ups:
        items.append(
            {
                "at": follow_up.updated_at,
                "text": _(
                    "The secretariat recorded a follow-up evaluation: %(kind)s, "
                    "measured on %(date)s."
                )
                % {
                    "kind": follow_up.get_kind_display(),
                    "date": formats.date_format(follow_up.measured_when),
                },
                "comment": follow_up.summary,
                "document": "",
                "letters": [],
            }
        )
    return sorted(items, key=lambda item: item["at"])


def indicator_progress(final: Evaluation | None, follow_ups: list[Evaluation]) -> dict[str, Any]:
    """Each outcome indicator over time: baseline, target, measured at closing, then at
    each follow-up (A/HRC/43/31 para 100: effects show late)."""
    if final is None:
        return {"columns": [], "rows": []}
    later = [{i.name: i.measured for i in e.indicators.all()} for e in follow_ups]
    return {
        # (heading, date measured, the chart's name for it: later follow-ups, which
        # may be several, by their date).
        "columns": [(e.get_kind_display(), e.measured_on, _point(e)) for e in follow_ups],
        "rows": [
            {
                "name": i.name,
                "unit": i.unit,
                "baseline": i.baseline,
                "target": i.target,
                "closing": i.measured,
                "later": [values.get(i.name) for values in later],
            }
            for i in final.indicators.all()
        ],
    }


def _point(follow_up: Evaluation) -> str:
    if follow_up.kind == EvaluationKind.FOLLOW_UP_LATER and follow_up.measured_on:
        return formats.date_format(follow_up.measured_on)
    return str(follow_up.get_kind_display())
