"""What the portal shows about a request: its progress and what the State must do now."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from tracker import workflow
from tracker.models import AssistanceRequest, MemberState
from tracker.workflow import Stage


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
            text = ngettext(
                "Plan version %(version)s has been waiting for your decision for %(days)s day.",
                "Plan version %(version)s has been waiting for your decision for %(days)s days.",
                days,
            ) % {"version": plan.version, "days": days}
            return {"text": text, "decision": True}
    if ta_request.stage == Stage.CLOSED:
        evaluation = ta_request.final_evaluation()
        if evaluation and evaluation.lessons_learned and not evaluation.lessons_published:
            text = _("You may publish the lessons learned for other States.")
            return {"text": text, "decision": False}
    return {}


def awaiting_ranking(state: MemberState, open_requests: list[AssistanceRequest]) -> int:
    """How many open requests the State has not ranked yet: all of them until it first
    ranks, then those opened since; none while it has a single one (A/HRC/43/31
    para 40: the State's priorities lead the work)."""
    if len(open_requests) < 2:
        return 0
    reviewed = state.priorities_reviewed_at
    return sum(1 for r in open_requests if reviewed is None or r.opened_at > reviewed)
