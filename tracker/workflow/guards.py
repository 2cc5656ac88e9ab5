"""The guards: what must hold for a transition or a content step, each with the
sentence that says why it does not."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

from django.utils.functional import Promise
from django.utils.translation import gettext as _

from tracker.kernel import names
from tracker.kernel.vocabulary import (
    Stage,
)

if TYPE_CHECKING:
    from django.db.models import Model

    from tracker.models import AssistanceRequest, MemberState


StrOrPromise = str | Promise

#: The request (id, revision) whose guards were found to hold in this call, while the
#: transition runs: django-fsm's own condition check then reads that answer instead of
#: running every guard's queries again (``held``).
_HELD: ContextVar[tuple[int, int] | None] = ContextVar("guards_held", default=None)


@dataclass(frozen=True)
class Guard:
    """A condition a transition (a django-fsm ``conditions`` callable) or a content step
    needs, with the message that says why it does not hold."""

    test: Callable[[AssistanceRequest], bool]
    message: Callable[[AssistanceRequest], str]

    def __call__(self, instance: Model) -> bool:
        ta_request = cast("AssistanceRequest", instance)
        if _HELD.get() == (ta_request.pk, ta_request.revision):
            return True
        return self.test(ta_request)


@contextmanager
def held(pk: int, revision: int) -> Iterator[None]:
    """While inside, the guards of the request ``pk`` at ``revision`` hold: they were
    evaluated for this call on that very revision, and the write that follows is made
    only if the revision is still the same."""
    token = _HELD.set((pk, revision))
    try:
        yield
    finally:
        _HELD.reset(token)


def _consents_to_follow_up(ta_request: AssistanceRequest) -> bool:
    return ta_request.consents_to_follow_up()


# A/HRC/43/31 paras 30, 100: the State's consent to follow-up, once withdrawn, stays so:
# it cannot be withdrawn twice, and no follow-up is recorded afterwards.
FOLLOW_UP_CONSENTED = Guard(
    test=_consents_to_follow_up,
    message=lambda ta_request: _("Consent to follow-up evaluations was withdrawn already."),
)


def _follow_up_withdrawn(ta_request: AssistanceRequest) -> str:
    state: MemberState = ta_request.requesting_state
    return _("%(state)s withdrew its consent to follow-up evaluations of this request.") % (
        names.words(state)
    )


FOLLOW_UP_NOT_WITHDRAWN = Guard(test=_consents_to_follow_up, message=_follow_up_withdrawn)


def plan_refusal(ta_request: AssistanceRequest) -> str:
    plan = ta_request.latest_plan()
    if plan is None:
        return _("There is no plan yet: the secretariat must propose one first.")
    if ta_request.stage == Stage.IMPLEMENTATION:
        return _(
            "Plan version %(version)s is the one being implemented: propose a new "
            "version before revising the plan."
        ) % {"version": plan.version}
    return _(
        "Plan version %(version)s was rejected: the secretariat must propose a new "
        "version before the State decides again."
    ) % {"version": plan.version}


PLAN_AWAITS_DECISION = Guard(
    test=lambda ta_request: ta_request.plan_awaiting_decision() is not None, message=plan_refusal
)


# A/HRC/43/31 paras 6, 73: assistance starts from an assessment of the State's needs.
ASSESSMENT_RECORDED = Guard(
    test=lambda ta_request: ta_request.assessment_is_complete(),
    message=lambda ta_request: _(
        "Record the needs assessment's findings and the gaps identified before "
        "consultation (A/HRC/43/31 para 73)."
    ),
)


ACTIVITY_DELIVERED = Guard(
    test=lambda ta_request: ta_request.has_delivered_activity(),
    message=lambda ta_request: _(
        "Record the delivery of at least one activity before implementation ends."
    ),
)


# A/HRC/43/31 para 100: results must be measured.
OUTCOME_MEASURED = Guard(
    test=lambda ta_request: ta_request.has_measured_outcome(),
    message=lambda ta_request: _(
        "A request closes only with an evaluation that has at least one outcome "
        "indicator with its baseline, target and measured value (A/HRC/43/31 para 100)."
    ),
)
