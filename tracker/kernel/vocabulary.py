"""The words of TA Tracker, on the ground floor: every other module may import them,
and this module imports nothing of the project.

Stage and transition names are a public contract (API paths, history rows).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy


class Stage(models.TextChoices):
    REQUESTED = "requested", gettext_lazy("Requested")
    NEEDS_ASSESSMENT = "needs_assessment", gettext_lazy("Needs assessment")
    CONSULTATION = "consultation", gettext_lazy("Consultation")
    IMPLEMENTATION = "implementation", gettext_lazy("Implementation")
    EVALUATION = "evaluation", gettext_lazy("Evaluation")
    CLOSED = "closed", gettext_lazy("Closed")
    WITHDRAWN = "withdrawn", gettext_lazy("Withdrawn")
    DECLINED = "declined", gettext_lazy("Declined")


#: The five stages a request goes through, in order (the portal's progress bar).
PROGRESSION = (
    Stage.REQUESTED,
    Stage.NEEDS_ASSESSMENT,
    Stage.CONSULTATION,
    Stage.IMPLEMENTATION,
    Stage.EVALUATION,
)
#: Where a request ends: nothing more happens to it (A/HRC/43/31 para 30).
TERMINAL = (Stage.CLOSED, Stage.WITHDRAWN, Stage.DECLINED)
#: Where a request is still being worked on.
OPEN = PROGRESSION
#: The history row of a request's opening (the transitions' rows carry their names).
OPENED = "open"
#: The history row of a correction of the linked recommendations (the stage stays).
RECOMMENDATIONS_CORRECTED = "recommendations_corrected"
#: The history row of the State withdrawing its consent to follow-up evaluations.
FOLLOW_UP_CONSENT_WITHDRAWN = "follow_up_consent_withdrawn"
#: The history rows of the State agreeing to, or revoking, open publication (IATI).
OPEN_PUBLICATION_AGREED = "open_publication_agreed"
OPEN_PUBLICATION_REVOKED = "open_publication_revoked"


class Role(models.TextChoices):
    FOCAL_POINT = "focal_point", gettext_lazy("State focal point")
    OFFICER = "officer", gettext_lazy("Secretariat officer")
    ANALYST = "analyst", gettext_lazy("Analyst")


#: The admin group each staff role belongs to (created by migration 0003);
#: focal points have no admin access.
ADMIN_GROUPS = {Role.OFFICER: "Secretariat", Role.ANALYST: "Reporting"}


class Decision(models.TextChoices):
    """What a consent record says the State decided."""

    REQUESTED = "requested", gettext_lazy("Requested assistance")
    APPROVED = "approved", gettext_lazy("Approved the plan")
    DECLINED = "declined", gettext_lazy("Rejected the plan")
    WITHDRAWN = "withdrawn", gettext_lazy("Withdrew the request")
    NO_FOLLOW_UP = "no_follow_up", gettext_lazy("Withdrew its consent to follow-up evaluations")
    OPEN_PUBLICATION = "open_data", gettext_lazy("Agreed to the open publication of the request")
    NO_OPEN_PUBLICATION = "no_open_data", gettext_lazy("Revoked its agreement to open publication")


class EvaluationKind(models.TextChoices):
    FINAL = "final", gettext_lazy("Final evaluation")
    FOLLOW_UP_6 = "follow_up_6", gettext_lazy("Follow-up after 6 months")
    FOLLOW_UP_12 = "follow_up_12", gettext_lazy("Follow-up after 12 months")
    FOLLOW_UP_LATER = "follow_up_later", gettext_lazy("Later follow-up")


#: Follow-up evaluations after closing (A/HRC/43/31 para 100: effects show late). The
#: 6- and 12-month ones are recorded once each and reminded (``NotificationKind`` has
#: their names); later ones as often as the State and the secretariat measure again.
FOLLOW_UPS = (
    EvaluationKind.FOLLOW_UP_6,
    EvaluationKind.FOLLOW_UP_12,
    EvaluationKind.FOLLOW_UP_LATER,
)
#: Days after closing at which each reminded follow-up falls due; a later follow-up is
#: measured no earlier than the 12-month one falls due.
FOLLOW_UP_DUE_DAYS = {EvaluationKind.FOLLOW_UP_6: 182, EvaluationKind.FOLLOW_UP_12: 365}


class NotificationKind(models.TextChoices):
    # Reminders, found by the sweep (docs/design.md, "Reminders").
    OVERDUE = "overdue", gettext_lazy("Overdue in its stage")
    ESCALATION = "escalation", gettext_lazy("Overdue twice over: supervisor told")
    FOLLOW_UP_6 = "follow_up_6", gettext_lazy("Follow-up evaluation due (6 months)")
    FOLLOW_UP_12 = "follow_up_12", gettext_lazy("Follow-up evaluation due (12 months)")
    # Notices of what just happened, written with the transition.
    PLAN_AWAITS_DECISION = (
        "plan_awaits_decision",
        gettext_lazy("A plan awaits the State's decision"),
    )
    PLAN_APPROVED = "plan_approved", gettext_lazy("The State approved the plan")
    PLAN_REJECTED = "plan_rejected", gettext_lazy("The State rejected the plan")
    ACCEPTED = "accepted", gettext_lazy("Request accepted")
    DECLINED = "declined", gettext_lazy("Request declined")
    WITHDRAWN = "withdrawn", gettext_lazy("The State withdrew the request")
    CLOSED = "closed", gettext_lazy("Request closed")
    # A message of the conversation on a request, to the other side.
    MESSAGE = "message", gettext_lazy("New message")
