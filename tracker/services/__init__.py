"""Every write to TA Tracker: the admin, the portal, the API, the commands and the
tasks call these functions and nothing else.

Each one is atomic. Writes to a request bump its ``revision`` with a conditional
UPDATE, so of two people acting on the same request at the same moment one succeeds
and the other gets a ``Conflict`` — never a lost or doubled step.
"""

from tracker.services.accounts import (
    accept_invitation,
    cancel_invitation,
    create_account,
    deactivate_focal_point,
    invitation_for,
    invitation_problems,
    invite_focal_point,
    issue_token,
    resend_invitation,
    revoke_token,
    set_language,
    token_expired,
)
from tracker.services.consent import (
    decide_open_publication,
    record_follow_up,
    withdraw_follow_up_consent,
)
from tracker.services.content import (
    correct_recommendations,
    propose_plan,
    record_assessment,
    record_delivery,
    record_evaluation,
    record_funding,
)
from tracker.services.dialogue import (
    MESSAGE_MAX_LENGTH,
    attach_document,
    mark_read,
    write_message,
)
from tracker.services.drafts import (
    ActivityDraft,
    FormalRequest,
    FundingDraft,
    IndicatorDraft,
    RecommendationDraft,
    Upload,
    drafted,
    drafts,
)
from tracker.services.intake import (
    open_request,
)
from tracker.services.priorities import (
    rank_requests,
    set_priority,
)
from tracker.services.reference import set_state_groups
from tracker.services.sharing import (
    publish_brief,
    publish_lessons,
    write_brief,
)
from tracker.services.transitions import (
    assign_officer,
    take_transition,
)

__all__ = [
    "MESSAGE_MAX_LENGTH",
    "ActivityDraft",
    "FormalRequest",
    "FundingDraft",
    "IndicatorDraft",
    "RecommendationDraft",
    "Upload",
    "accept_invitation",
    "assign_officer",
    "attach_document",
    "cancel_invitation",
    "correct_recommendations",
    "create_account",
    "deactivate_focal_point",
    "decide_open_publication",
    "drafted",
    "drafts",
    "invitation_for",
    "invitation_problems",
    "invite_focal_point",
    "issue_token",
    "mark_read",
    "open_request",
    "propose_plan",
    "publish_brief",
    "publish_lessons",
    "rank_requests",
    "record_assessment",
    "record_delivery",
    "record_evaluation",
    "record_follow_up",
    "record_funding",
    "resend_invitation",
    "revoke_token",
    "set_language",
    "set_priority",
    "set_state_groups",
    "take_transition",
    "token_expired",
    "withdraw_follow_up_consent",
    "write_brief",
    "write_message",
]
