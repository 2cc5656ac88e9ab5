"""The workflow of an assistance request, readable next to report A/HRC/43/31.

Stages, the transitions between them, who may take each one and the guards that
must hold are declared here and only here. ``AssistanceRequest`` inherits
``RequestWorkflow``; the service layer (``tracker.services``) applies a transition,
saves it safely and writes its history and consent rows. The admin, the portal, the
API and the Celery tasks all go through that service, so they all refuse the same
things with the same message.

Stage and transition names are a public contract (API paths, history rows).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any, cast

from babel.lists import format_list
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_fsm import transition

from tracker.kernel import names
from tracker.kernel.errors import Conflict, InvalidInput, NotAllowed, NotFound, Refused
from tracker.kernel.vocabulary import (
    ADMIN_GROUPS,
    FOLLOW_UP_CONSENT_WITHDRAWN,
    OPEN,
    OPEN_PUBLICATION_AGREED,
    OPEN_PUBLICATION_REVOKED,
    OPENED,
    PROGRESSION,
    RECOMMENDATIONS_CORRECTED,
    TERMINAL,
    Decision,
    NotificationKind,
    Role,
    Stage,
)

StrOrPromise = str | Promise

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractUser, AnonymousUser, PermissionsMixin
    from django.db.models import Model

    from tracker.models import AssistanceRequest, MemberState, Plan, User


# The vocabulary is re-exported: the rules read as ``workflow.Stage``, ``workflow.OPEN``.
__all__ = ["ADMIN_GROUPS", "OPEN", "PROGRESSION", "TERMINAL", "Decision", "Role", "Stage"]


@dataclass(frozen=True)
class Guard:
    """A condition a transition (a django-fsm ``conditions`` callable) or a content step
    needs, with the message that says why it does not hold."""

    test: Callable[[AssistanceRequest], bool]
    message: Callable[[AssistanceRequest], str]

    def __call__(self, instance: Model) -> bool:
        return self.test(cast("AssistanceRequest", instance))


@dataclass(frozen=True)
class ContentStep:
    """What the secretariat records about a request, and in which stages: its button,
    the phrase its refusals use, where it may be written, and what else must hold there
    (its button is shown disabled with the guard's message when it does not)."""

    label: StrOrPromise
    action: StrOrPromise
    stages: tuple[str, ...]
    guard: Guard | None = None


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


# --- who -------------------------------------------------------------------------


def _active(user: User | AnonymousUser | None) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def is_officer(user: User | AnonymousUser | None) -> bool:
    return _active(user) and getattr(user, "role", "") == Role.OFFICER


def is_focal_point(user: User | AnonymousUser | None) -> bool:
    """A focal point of some State (``is_focal_point_of`` says which)."""
    return _active(user) and getattr(user, "role", "") == Role.FOCAL_POINT


def is_focal_point_of(user: User | AnonymousUser | None, state_code: str | None) -> bool:
    return (
        is_focal_point(user)
        and state_code is not None
        and getattr(user, "member_state_id", None) == state_code
    )


def works_in_admin(user: User | AnonymousUser | None) -> bool:
    """Officers and analysts work in the admin; focal points never do."""
    return _active(user) and getattr(user, "role", "") in ADMIN_GROUPS


def sees_everything(user: User | AnonymousUser | None) -> bool:
    """Officers, analysts and the site's superusers see every State's requests; a focal
    point only its own. (Acting still takes a role: a superuser without one reads.)"""
    return works_in_admin(user) or (_active(user) and bool(getattr(user, "is_superuser", 0)))


@dataclass(frozen=True)
class Actor:
    """Who may take a transition; a django-fsm ``permission`` callable."""

    test: Callable[[AssistanceRequest, User], bool]
    denial: Callable[[AssistanceRequest, str], str]

    def __call__(
        self, instance: Model, user: AbstractUser | AnonymousUser | PermissionsMixin
    ) -> bool:
        # django-fsm calls it with the model and whoever acts; both are ours.
        return self.test(cast("AssistanceRequest", instance), cast("User", user))


# A refusal is one whole sentence; the action it refuses stands after a colon, as its
# own phrase, so that no language has to fit it into the sentence's grammar.


def _only_officers(ta_request: AssistanceRequest | None, action: str) -> str:
    return _("Only secretariat officers can do this: %(action)s.") % {"action": action}


STAFF = Actor(test=lambda ta_request, user: is_officer(user), denial=_only_officers)


def _only_state(state: MemberState, action: str) -> str:
    return names.sentence(
        _("%(only_state)s can do this: %(action)s.") % {**names.words(state), "action": action}
    )


def _only_the_state(ta_request: AssistanceRequest, action: str) -> str:
    return _only_state(ta_request.requesting_state, action)


# A/HRC/43/31 paras 30, 73: the requesting State decides, itself or by a written
# communication that an officer records.
REQUESTING_STATE = Actor(
    test=lambda ta_request, user: (
        is_focal_point_of(user, ta_request.requesting_state_id) or is_officer(user)
    ),
    denial=_only_the_state,
)


def require_opener(user: User | AnonymousUser) -> None:
    """P1 (A/HRC/43/31 paras 30, 105): only the State, or staff recording its formal
    request, open a request."""
    if not (is_officer(user) or is_focal_point(user)):
        raise NotAllowed(
            _(
                "Only a State's focal point, or an officer recording the State's formal "
                "request, can open a request."
            )
        )


def require_focal_point_of(user: User | AnonymousUser, state: MemberState, action: str) -> None:
    """What only the State itself does (A/HRC/43/31 paras 40, 114): rank, publish."""
    if not is_focal_point_of(user, state.pk):
        raise NotAllowed(_only_state(state, action))


def require_party(ta_request: AssistanceRequest, user: User | AnonymousUser, action: str) -> None:
    """The dialogue on a request is between its State and the secretariat (A/HRC/43/31
    para 6): the State's focal points and officers write; nobody else does."""
    if not (is_officer(user) or is_focal_point_of(user, ta_request.requesting_state_id)):
        raise NotAllowed(
            _("Only the focal points %(of_state)s and the secretariat can do this: %(action)s.")
            % {**names.words(ta_request.requesting_state), "action": action}
        )


def sees_internal_notes(user: User | AnonymousUser | None) -> bool:
    """Internal notes and their documents are the secretariat's: staff see them, a
    State never does."""
    return sees_everything(user)


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


def require_officer(user: User | AnonymousUser, action: str) -> None:
    if not is_officer(user):
        raise NotAllowed(_only_officers(None, action))


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
        _("%(action)s: not while %(reference)s is at the stage “%(stage)s”; only at the "
          "stage %(allowed)s.")
        % {"reference": ta_request.reference, "stage": ta_request.get_stage_display(),
           "action": action, "allowed": allowed}
    )  # fmt: skip


def require_document_when_staff(user: User, document_reference: str, action: str) -> None:
    """Staff act for a State only on the strength of its written communication (P2, P4)."""
    if is_officer(user) and not (document_reference or "").strip():
        raise InvalidInput(
            names.sentence(
                _(
                    "%(action)s for the State: give the reference of its written "
                    "communication (note verbale or letter)."
                )
                % {"action": action}
            )
        )


# --- guards ----------------------------------------------------------------------


def _plan_refusal(ta_request: AssistanceRequest) -> str:
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
    test=lambda ta_request: ta_request.plan_awaiting_decision() is not None, message=_plan_refusal
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


# --- outcome of a transition ------------------------------------------------------


@dataclass(frozen=True)
class ConsentDraft:
    decision: str
    plan: Plan | None = None
    document_reference: str = ""
    document_date: date | None = None


@dataclass(frozen=True)
class Outcome:
    """What a transition asks the service layer to record beside the stage change."""

    comment: str = ""
    consent: ConsentDraft | None = None


def _required_text(value: str | None, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise InvalidInput(message)
    return value


# --- the transitions ----------------------------------------------------------------


@dataclass(frozen=True)
class About:
    """A transition as people and programs meet it, declared with it: its button label,
    the phrase its refusals use, the sentence a timeline tells it with (``%(state)s``,
    ``%(version)s``), what the State is told once it has taken it (for its own
    decisions), the notice it sends (a ``NotificationKind``), and what an officer sends
    to take it (the API's example; the tests' inputs)."""

    label: StrOrPromise
    action: StrOrPromise
    told: StrOrPromise = ""
    done: StrOrPromise = ""
    notice: str | None = None
    example: Mapping[str, Any] = field(default_factory=dict)


class RequestWorkflow:
    """The transitions of ``AssistanceRequest``; each one checks its inputs and returns
    an ``Outcome``. The service layer saves the stage and writes the rows."""

    # What the transitions read and set of the model they are mixed into.
    officer: User | None
    priority: int | None

    def latest_plan(self) -> Plan | None:
        raise NotImplementedError  # AssistanceRequest's

    @transition(
        field="stage",
        source=Stage.REQUESTED,
        target=Stage.NEEDS_ASSESSMENT,
        permission=STAFF,
        custom={
            "about": About(
                label=gettext_lazy("Accept"),
                action=gettext_lazy("accept a request"),
                told=gettext_lazy("The secretariat accepted the request."),
                notice=NotificationKind.ACCEPTED,
                example={"comment": "The West Africa team takes it."},
            )
        },
    )
    def accept(self, *, by: User, officer: User | None = None, comment: str = "") -> Outcome:
        if officer is not None and not is_officer(officer):
            raise InvalidInput(
                _("%(user)s is not an active secretariat officer.") % {"user": officer}
            )
        self.officer = officer or by
        return Outcome(comment=comment)

    @transition(
        field="stage",
        source=[Stage.REQUESTED, Stage.NEEDS_ASSESSMENT],
        target=Stage.DECLINED,
        permission=STAFF,
        custom={
            "about": About(
                label=gettext_lazy("Decline"),
                action=gettext_lazy("decline a request"),
                told=gettext_lazy("The secretariat declined the request."),
                notice=NotificationKind.DECLINED,
                example={"reason": "Outside the programme's mandate."},
            )
        },
    )
    def decline(self, *, by: User, reason: str = "") -> Outcome:
        reason = _required_text(reason, _("Give the reason for declining the request."))
        self.priority = None
        return Outcome(comment=reason)

    @transition(
        field="stage",
        source=Stage.NEEDS_ASSESSMENT,
        target=Stage.CONSULTATION,
        conditions=[ASSESSMENT_RECORDED],
        permission=STAFF,
        custom={
            "about": About(
                label=gettext_lazy("Complete assessment"),
                action=gettext_lazy("complete a needs assessment"),
                told=gettext_lazy("The secretariat completed the needs assessment."),
                example={"comment": "Findings shared with the State."},
            )
        },
    )
    def complete_assessment(self, *, by: User, comment: str = "") -> Outcome:
        return Outcome(comment=comment)

    @transition(
        field="stage",
        source=Stage.CONSULTATION,
        target=Stage.IMPLEMENTATION,
        conditions=[PLAN_AWAITS_DECISION],
        permission=REQUESTING_STATE,
        custom={
            "about": About(
                label=gettext_lazy("Approve plan"),
                action=gettext_lazy("approve this plan"),
                told=gettext_lazy("%(state)s approved plan version %(version)s."),
                done=gettext_lazy("Plan version %(version)s approved: implementation can start."),
                notice=NotificationKind.PLAN_APPROVED,
                example={"document_reference": "NV/TGO/2026/88", "document_date": "2026-03-02"},
            )
        },
    )
    def approve_plan(
        self,
        *,
        by: User,
        plan_version: int | None = None,
        document_reference: str = "",
        document_date: date | None = None,
        comment: str = "",
    ) -> Outcome:
        # A/HRC/43/31 paras 62, 89: consent binds to the plan the State actually saw.
        plan = self._plan_decided_on(plan_version)
        require_document_when_staff(by, document_reference, _("approve this plan"))
        return Outcome(
            comment=comment,
            consent=ConsentDraft(
                Decision.APPROVED, plan, document_reference.strip(), document_date
            ),
        )

    @transition(
        field="stage",
        source=Stage.CONSULTATION,
        target=Stage.CONSULTATION,
        conditions=[PLAN_AWAITS_DECISION],
        permission=REQUESTING_STATE,
        custom={
            "about": About(
                label=gettext_lazy("Reject plan"),
                action=gettext_lazy("reject this plan"),
                told=gettext_lazy("%(state)s rejected plan version %(version)s."),
                done=gettext_lazy(
                    "Plan version %(version)s rejected: the secretariat will propose a new "
                    "version, and you will be told when it is ready."
                ),
                notice=NotificationKind.PLAN_REJECTED,
                example={
                    "reason": "The budget leaves out the regions.",
                    "document_reference": "NV/TGO/2026/91",
                },
            )
        },
    )
    def reject_plan(
        self,
        *,
        by: User,
        reason: str = "",
        plan_version: int | None = None,
        document_reference: str = "",
        document_date: date | None = None,
    ) -> Outcome:
        plan = self._plan_decided_on(plan_version)
        reason = _required_text(reason, _("Give the reason for rejecting the plan."))
        require_document_when_staff(by, document_reference, _("reject this plan"))
        return Outcome(
            comment=reason,
            consent=ConsentDraft(
                Decision.DECLINED, plan, document_reference.strip(), document_date
            ),
        )

    @transition(
        field="stage",
        source=Stage.IMPLEMENTATION,
        target=Stage.CONSULTATION,
        conditions=[PLAN_AWAITS_DECISION],
        permission=STAFF,
        custom={
            "about": About(
                label=gettext_lazy("Revise plan"),
                action=gettext_lazy("revise a plan"),
                told=gettext_lazy(
                    "The secretariat revised the plan: a new version awaits the decision "
                    "%(of_state)s."
                ),
                notice=NotificationKind.PLAN_AWAITS_DECISION,
                example={"comment": "A second workshop, in the north."},
            )
        },
    )
    def revise_plan(self, *, by: User, comment: str = "") -> Outcome:
        # A/HRC/43/31 para 62: a materially changed plan needs the State's consent again.
        return Outcome(comment=comment)

    @transition(
        field="stage",
        source=Stage.IMPLEMENTATION,
        target=Stage.EVALUATION,
        conditions=[ACTIVITY_DELIVERED],
        permission=STAFF,
        custom={
            "about": About(
                label=gettext_lazy("Complete implementation"),
                action=gettext_lazy("complete implementation"),
                told=gettext_lazy("The secretariat completed the implementation."),
                example={"comment": "Every activity delivered."},
            )
        },
    )
    def complete_implementation(self, *, by: User, comment: str = "") -> Outcome:
        return Outcome(comment=comment)

    @transition(
        field="stage",
        source=Stage.EVALUATION,
        target=Stage.CLOSED,
        conditions=[OUTCOME_MEASURED],
        permission=STAFF,
        custom={
            "about": About(
                label=gettext_lazy("Close"),
                action=gettext_lazy("close a request"),
                told=gettext_lazy("The secretariat closed the request after its evaluation."),
                notice=NotificationKind.CLOSED,
                example={"comment": "Indicators measured."},
            )
        },
    )
    def close(self, *, by: User, comment: str = "") -> Outcome:
        self.priority = None
        return Outcome(comment=comment)

    # A/HRC/43/31 para 30: the State may withdraw at any time; nobody can compel it.
    @transition(
        field="stage",
        source=list(OPEN),
        target=Stage.WITHDRAWN,
        permission=REQUESTING_STATE,
        custom={
            "about": About(
                label=gettext_lazy("Withdraw"),
                action=gettext_lazy("withdraw this request"),
                told=gettext_lazy("%(state)s withdrew the request."),
                done=gettext_lazy("Request withdrawn: nothing more will happen to it."),
                notice=NotificationKind.WITHDRAWN,
                example={
                    "reason": "Other arrangements were made.",
                    "document_reference": "NV/TGO/2026/95",
                },
            )
        },
    )
    def withdraw(
        self,
        *,
        by: User,
        reason: str = "",
        document_reference: str = "",
        document_date: date | None = None,
    ) -> Outcome:
        require_document_when_staff(by, document_reference, _("withdraw this request"))
        self.priority = None
        return Outcome(
            comment=(reason or "").strip(),
            consent=ConsentDraft(
                Decision.WITHDRAWN, None, document_reference.strip(), document_date
            ),
        )

    def _plan_decided_on(self, version: int | None) -> Plan:
        plan = self.latest_plan()
        if plan is None:  # the PLAN_AWAITS_DECISION guard ran first
            raise Refused(_plan_refusal(cast("AssistanceRequest", self)))
        if version is not None and plan.version != version:
            raise Conflict(
                _(
                    "Plan version %(current)s has replaced version %(seen)s: read it "
                    "before deciding."
                )
                % {"current": plan.version, "seen": version}
            )
        return plan


def _declared() -> dict[str, Any]:
    """Each transition's django-fsm metadata, by name, in the order declared above."""
    return {
        name: method._django_fsm
        for name, method in vars(RequestWorkflow).items()
        if hasattr(method, "_django_fsm")
    }


_DECLARED = _declared()
#: Every transition, in the order of the contract (the workflow table).
TRANSITION_NAMES: tuple[str, ...] = tuple(_DECLARED)


def _meta(name: str) -> Any:
    if name not in _DECLARED:
        raise NotFound(_("There is no transition named “%(name)s”.") % {"name": name})
    return _DECLARED[name]


def _any(name: str) -> Any:
    """One of the transition's django-fsm entries (they differ only by source stage)."""
    return next(iter(_meta(name).transitions.values()))


def about(name: str) -> About:
    """What the transition is called, says and sends (same for every source stage)."""
    found: About = _any(name).custom["about"]
    return found


def history_label(name: str) -> str:
    """What a history row records, in words: a transition's label, or the opening, a
    correction or a decision on follow-up or open publication, which are not
    transitions."""
    if name == OPENED:
        return _("Request opened")
    if name == FOLLOW_UP_CONSENT_WITHDRAWN:
        return _("Consent to follow-up evaluations withdrawn")
    if name == RECOMMENDATIONS_CORRECTED:
        return _("Linked recommendations corrected")
    if name == OPEN_PUBLICATION_AGREED:
        return _("Open publication agreed")
    if name == OPEN_PUBLICATION_REVOKED:
        return _("Open publication revoked")
    if name in TRANSITION_NAMES:
        return str(about(name).label)
    return name


def sources(name: str) -> tuple[str, ...]:
    return tuple(_meta(name).transitions)


def target(name: str) -> str:
    destination: str = _any(name).target
    return destination


def decided_by_the_state(name: str) -> bool:
    """The requesting State takes it (itself, or by a written communication staff record)."""
    return _any(name).permission is REQUESTING_STATE


#: The State's own decisions (A/HRC/43/31 paras 30, 62): the portal offers these.
STATE_DECISIONS: tuple[str, ...] = tuple(n for n in TRANSITION_NAMES if decided_by_the_state(n))
#: The notice each transition sends, for those that send one.
NOTICES: dict[str, str] = {
    n: notice for n in TRANSITION_NAMES if (notice := about(n).notice) is not None
}


def path_to(stage: str) -> tuple[str, ...]:
    """The shortest way from ``requested`` to ``stage``, as transitions (breadth first,
    in declaration order): the demo and the tests bring requests to a stage this way."""
    paths: dict[str, tuple[str, ...]] = {Stage.REQUESTED: ()}
    frontier = [Stage.REQUESTED.value]
    while frontier and stage not in paths:
        following = []
        for here in frontier:
            for name in TRANSITION_NAMES:
                there = target(name)
                if here in sources(name) and there not in paths:
                    paths[there] = (*paths[here], name)
                    following.append(there)
        frontier = following
    return paths[stage]


def _stage_refusal(ta_request: AssistanceRequest, name: str) -> str:
    meta = _meta(name)
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


def check(ta_request: AssistanceRequest, name: str, user: User | AnonymousUser) -> None:
    """Raise the error a person should see if ``user`` may not take ``name`` now.

    The order is the one a person expects: who (403), then where (409), then the guard
    (409). Inputs are checked by the transition itself (400).
    """
    meta = _meta(name)
    any_transition = _any(name)
    if not any_transition.has_perm(ta_request, user):
        raise NotAllowed(any_transition.permission.denial(ta_request, about(name).action))
    if not meta.has_transition(ta_request.stage):
        raise Refused(_stage_refusal(ta_request, name))
    failing = _failing_guard(ta_request, name)
    if failing is not None:
        raise Refused(failing.message(ta_request))


def _failing_guard(ta_request: AssistanceRequest, name: str) -> Guard | None:
    """The first guard of ``name`` from the current stage that does not hold."""
    allowed = _meta(name).get_transition(ta_request.stage)
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
        allowed = _meta(name).get_transition(ta_request.stage)
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
    _meta(name)
    signature = inspect.signature(getattr(RequestWorkflow, name))
    return tuple(p for p in signature.parameters if p not in ("self", "by"))


def allows(ta_request: AssistanceRequest, name: str, user: User | AnonymousUser) -> bool:
    """Whether ``check`` would let ``user`` take ``name`` now (without its messages)."""
    allowed = _meta(name).get_transition(ta_request.stage)
    return (
        allowed is not None
        and allowed.has_perm(ta_request, user)
        and _failing_guard(ta_request, name) is None
    )


def available_transitions(ta_request: AssistanceRequest, user: User | AnonymousUser) -> list[str]:
    """The transitions ``user`` may take on ``request`` now, in contract order."""
    return [name for name in TRANSITION_NAMES if allows(ta_request, name, user)]
