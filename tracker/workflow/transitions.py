"""The transitions, each declared once on ``RequestWorkflow`` with its source, target,
who may take it (``permission``) and its guards (``conditions``), and what is read
from those declarations."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any, cast

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_fsm import transition

from tracker.kernel.errors import Conflict, InvalidInput, NotFound, Refused
from tracker.kernel.vocabulary import (
    FOLLOW_UP_CONSENT_WITHDRAWN,
    OPEN,
    OPEN_PUBLICATION_AGREED,
    OPEN_PUBLICATION_REVOKED,
    OPENED,
    RECOMMENDATIONS_CORRECTED,
    Decision,
    NotificationKind,
    Stage,
)
from tracker.workflow import dates
from tracker.workflow.guards import (
    ACTIVITY_DELIVERED,
    ASSESSMENT_RECORDED,
    OUTCOME_MEASURED,
    PLAN_AWAITS_DECISION,
    StrOrPromise,
    plan_refusal,
)
from tracker.workflow.roles import REQUESTING_STATE, STAFF, is_officer, require_document_when_staff

if TYPE_CHECKING:
    from tracker.models import AssistanceRequest, Plan, User


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
    """A reason the transition cannot go without (said at the field ``reason``)."""
    value = (value or "").strip()
    if not value:
        raise InvalidInput(fields={"reason": message})
    return value


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
        dates.check_letter(document_date, cast("AssistanceRequest", self), plan)
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
        dates.check_letter(document_date, cast("AssistanceRequest", self), plan)
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
                label=gettext_lazy("Close the request"),
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
        dates.check_letter(document_date, cast("AssistanceRequest", self))
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
            raise Refused(plan_refusal(cast("AssistanceRequest", self)))
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


def declared(name: str) -> Any:
    if name not in _DECLARED:
        raise NotFound(_("There is no transition named “%(name)s”.") % {"name": name})
    return _DECLARED[name]


def one_entry(name: str) -> Any:
    """One of the transition's django-fsm entries (they differ only by source stage)."""
    return next(iter(declared(name).transitions.values()))


def about(name: str) -> About:
    """What the transition is called, says and sends (same for every source stage)."""
    found: About = one_entry(name).custom["about"]
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
    return tuple(declared(name).transitions)


def target(name: str) -> str:
    destination: str = one_entry(name).target
    return destination


def decided_by_the_state(name: str) -> bool:
    """The requesting State takes it (itself, or by a written communication staff record)."""
    return one_entry(name).permission is REQUESTING_STATE


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
