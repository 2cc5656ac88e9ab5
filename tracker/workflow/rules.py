"""The rules derived from the declarations: the content steps and the stages that
allow them, the checks the services run, and what a user may do now."""

from __future__ import annotations

import inspect
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from babel.lists import format_list
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tracker.kernel import names
from tracker.kernel.errors import NotAllowed, Refused
from tracker.kernel.vocabulary import (
    OPEN,
    PROGRESSION,
    TERMINAL,
    Stage,
)
from tracker.workflow.guards import (
    FOLLOW_UP_CONSENTED,
    FOLLOW_UP_NOT_WITHDRAWN,
    Guard,
    StrOrPromise,
)
from tracker.workflow.roles import require_officer
from tracker.workflow.transitions import (
    TRANSITION_NAMES,
    RequestWorkflow,
    about,
    declared,
    one_entry,
    target,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from tracker.models import AssistanceRequest, User


@dataclass(frozen=True)
class ContentStep:
    """What the secretariat records about a request, and in which stages: its button,
    the phrase its refusals use, where it may be written, and what else must hold there
    (its button is shown disabled with the guard's message when it does not)."""

    label: StrOrPromise
    action: StrOrPromise
    stages: tuple[str, ...]
    guard: Guard | None = None


#: The content of a request, declared once: the services, the admin and the API use it.
CONTENT_STEPS = {
    "assessment": ContentStep(
        gettext_lazy("Record needs assessment"),
        gettext_lazy("record a needs assessment"),
        (Stage.NEEDS_ASSESSMENT,),
    ),
    "plan": ContentStep(
        gettext_lazy("Propose plan version"),
        gettext_lazy("propose a plan"),
        (Stage.CONSULTATION, Stage.IMPLEMENTATION),
    ),
    "delivery": ContentStep(
        gettext_lazy("Record delivery"), gettext_lazy("record an activity"), (Stage.IMPLEMENTATION,)
    ),
    "evaluation": ContentStep(
        gettext_lazy("Record evaluation"), gettext_lazy("record an evaluation"), (Stage.EVALUATION,)
    ),
    "follow_up": ContentStep(
        gettext_lazy("Record a follow-up evaluation"),
        gettext_lazy("record a follow-up evaluation"),
        (Stage.CLOSED,),
        FOLLOW_UP_NOT_WITHDRAWN,
    ),
    # The State's own decision, recorded from its letter (it may also take it in the portal).
    "follow_up_consent": ContentStep(
        gettext_lazy("Record the State's withdrawal of consent to follow-up"),
        gettext_lazy("withdraw consent to follow-up evaluations"),
        (Stage.CLOSED,),
        FOLLOW_UP_CONSENTED,
    ),
    # The State writes its brief in the portal; an officer drafts it for the State to
    # approve, and a correction goes back to the State unpublished (A/HRC/43/31 para 114).
    "brief": ContentStep(
        gettext_lazy("Draft the good-practice brief"),
        gettext_lazy("write the good-practice brief"),
        (Stage.CLOSED,),
    ),
    "funding": ContentStep(gettext_lazy("Record funding"), gettext_lazy("record funding"), OPEN),
    # The dialogue goes on in every stage, after the end too (follow-ups, questions).
    "message": ContentStep(
        gettext_lazy("Write a message"), gettext_lazy("write on this request"), tuple(Stage)
    ),
    "document": ContentStep(
        gettext_lazy("Attach a document"),
        gettext_lazy("attach documents to this request"),
        tuple(Stage),
    ),
    # The State's own decision, recorded from its letter: in any stage, after the end too.
    "open_data": ContentStep(
        gettext_lazy("Record the State's decision on open publication"),
        gettext_lazy("record the State's decision on open publication"),
        tuple(Stage),
    ),
    "recommendations": ContentStep(
        gettext_lazy("Correct linked recommendations"),
        gettext_lazy("correct the linked recommendations"),
        OPEN,
    ),
}


def check_content(ta_request: AssistanceRequest, step: str, user: User | AnonymousUser) -> None:
    """Who may record this content (403), then whether the stage allows it and its
    guard holds (409): the order of ``check``, asked before any input is read."""
    require_officer(user, str(CONTENT_STEPS[step].action))
    require_content_allowed(ta_request, step)


def content_allowed(ta_request: AssistanceRequest, step: str) -> bool:
    """Whether the stage allows the content step now and its guard holds."""
    return ta_request.stage in CONTENT_STEPS[step].stages and not content_refusal(ta_request, step)


def require_content_allowed(ta_request: AssistanceRequest, step: str) -> None:
    """The stage allows the content step and its guard holds (409), whoever records it."""
    content = CONTENT_STEPS[step]
    require_stage(ta_request, content.stages, str(content.action))
    if refusal := content_refusal(ta_request, step):
        raise Refused(refusal)


def content_refusal(ta_request: AssistanceRequest, step: str) -> str:
    """Why the content step cannot be recorded now although the stage allows it (its
    guard's message); "" when it can."""
    guard = CONTENT_STEPS[step].guard
    return guard.message(ta_request) if guard is not None and not guard(ta_request) else ""


def require_stage(ta_request: AssistanceRequest, stages: Iterable[str], action: str) -> None:
    stages = tuple(stages)
    if ta_request.stage not in stages:
        raise Refused(_wrong_stage(ta_request, stages, action))


def _wrong_stage(ta_request: AssistanceRequest, stages: Iterable[str], action: str) -> str:
    """ "Accept a request: not while TA-2026-0001 is at the stage “Needs assessment”, only
    at the stage Requested." The stages allowed are listed as the language lists
    alternatives (CLDR's "or" pattern: "A, B or C", "A、B或C")."""
    allowed = format_list(
        [str(Stage(s).label) for s in stages], style="or", locale=names.active_locale()
    )
    return names.sentence(
        _(
            "%(action)s: not while %(reference)s is at the stage “%(stage)s”; only at the "
            "stage %(allowed)s."
        )
        % {
            "reference": ta_request.reference,
            "stage": ta_request.get_stage_display(),
            "action": action,
            "allowed": allowed,
        }
    )


def _stage_refusal(ta_request: AssistanceRequest, name: str) -> str:
    meta = declared(name)
    action = about(name).action
    if ta_request.stage in TERMINAL:
        # A/HRC/43/31 para 30: after withdrawal nothing more happens to a request.
        return _("%(reference)s is at the stage “%(stage)s”: nothing more can happen to it.") % {
            "reference": ta_request.reference,
            "stage": ta_request.get_stage_display(),
        }
    if (
        ta_request.stage == Stage.CONSULTATION
        and Stage.IMPLEMENTATION in meta.transitions
        and (approved := ta_request.approved_plan()) is not None
    ):
        latest = ta_request.latest_plan()
        return _(
            "The State must approve plan version %(version)s before implementation resumes."
        ) % {"version": latest.version if latest else approved.version}
    return _wrong_stage(ta_request, meta.transitions, str(action))


@dataclass(frozen=True)
class Permit:
    """What ``check`` found: ``user`` may take ``name`` on the request as it stood at
    ``revision``. A service given a permit that covers the request it has just read
    again acts on it, without evaluating the guards a second time."""

    request: int
    revision: int
    name: str
    user: int | None

    def covers(self, ta_request: AssistanceRequest, name: str, user: User) -> bool:
        return (self.request, self.revision, self.name, self.user) == (
            ta_request.pk,
            ta_request.revision,
            name,
            user.pk,
        )


def check(ta_request: AssistanceRequest, name: str, user: User | AnonymousUser) -> Permit:
    """Raise the error a person should see if ``user`` may not take ``name`` now; else
    the permit to take it on the request as it is.

    The order is the one a person expects: who (403), then where (409), then the guard
    (409). Inputs are checked by the transition itself (400).
    """
    meta = declared(name)
    any_transition = one_entry(name)
    if not any_transition.has_perm(ta_request, user):
        raise NotAllowed(any_transition.permission.denial(ta_request, about(name).action))
    if not meta.has_transition(ta_request.stage):
        raise Refused(_stage_refusal(ta_request, name))
    failing = _failing_guard(ta_request, name)
    if failing is not None:
        raise Refused(failing.message(ta_request))
    return Permit(ta_request.pk, ta_request.revision, name, user.pk)


def _failing_guard(ta_request: AssistanceRequest, name: str) -> Guard | None:
    """The first guard of ``name`` from the current stage that does not hold."""
    allowed = declared(name).get_transition(ta_request.stage)
    conditions: list[Guard] = allowed.conditions if allowed is not None else []
    return next((guard for guard in conditions if not guard(ta_request)), None)


@dataclass(frozen=True)
class Step:
    """A transition as a page offers it: possible now, or not yet and why (the guard's
    own message), and whether it is the one the workflow expects next."""

    name: str
    label: StrOrPromise
    possible: bool
    reason: str
    expected: bool


def _expected_next(stage: str) -> str | None:
    """The stage that normally follows ``stage`` on the way to closing."""
    way: list[str] = [*PROGRESSION, Stage.CLOSED]
    return way[way.index(stage) + 1] if stage in PROGRESSION else None


def steps_for(ta_request: AssistanceRequest, user: User | AnonymousUser) -> list[Step]:
    """Every transition ``user`` may take from the current stage, possible or not yet."""
    steps = []
    for name in TRANSITION_NAMES:
        allowed = declared(name).get_transition(ta_request.stage)
        if allowed is None or not allowed.has_perm(ta_request, user):
            continue
        failing = _failing_guard(ta_request, name)
        steps.append(
            Step(
                name=name,
                label=about(name).label,
                possible=failing is None,
                reason=failing.message(ta_request) if failing is not None else "",
                expected=target(name) == _expected_next(ta_request.stage),
            )
        )
    return steps


def inputs_of(name: str) -> tuple[str, ...]:
    """The keyword inputs a transition takes besides ``by`` (the API's and the forms'
    fields are derived from them)."""
    declared(name)
    signature = inspect.signature(getattr(RequestWorkflow, name))
    return tuple(p for p in signature.parameters if p not in ("self", "by"))


def allows(ta_request: AssistanceRequest, name: str, user: User | AnonymousUser) -> bool:
    """Whether ``check`` would let ``user`` take ``name`` now (without its messages)."""
    allowed = declared(name).get_transition(ta_request.stage)
    return (
        allowed is not None
        and allowed.has_perm(ta_request, user)
        and _failing_guard(ta_request, name) is None
    )


def available_transitions(ta_request: AssistanceRequest, user: User | AnonymousUser) -> list[str]:
    """The transitions ``user`` may take on ``request`` now, in contract order."""
    return [name for name in TRANSITION_NAMES if allows(ta_request, name, user)]


#: What happens next at each stage, said after a step is taken (A/HRC/43/31 paras 62,
#: 89: the State knows at every step where its request stands).
_NEXT = {
    Stage.REQUESTED: gettext_lazy("Next, the secretariat decides whether it can accept it."),
    Stage.NEEDS_ASSESSMENT: gettext_lazy("Next, the needs assessment, with the State."),
    Stage.CONSULTATION: gettext_lazy("Next, a plan of assistance for the State to decide on."),
    Stage.IMPLEMENTATION: gettext_lazy("Next, the activities of the plan are delivered."),
    Stage.EVALUATION: gettext_lazy("Next, the results are measured against the indicators."),
    Stage.CLOSED: gettext_lazy("Next, follow-up evaluations, if the State agreed to them."),
    Stage.WITHDRAWN: gettext_lazy("Nothing more is done on it."),
    Stage.DECLINED: gettext_lazy("Nothing more is done on it."),
}


def what_comes_next(stage: str) -> str:
    """The next thing to happen to a request at ``stage``, in a sentence."""
    return str(_NEXT[Stage(stage)])
