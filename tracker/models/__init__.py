"""TA Tracker data (docs/design.md, "The data"), and state derived from it.

Writes go through ``tracker.services``; the rules live in ``tracker.workflow``.
"""

from tracker.models.delivery import (
    Activity,
    Brief,
    Evaluation,
    IndicatorQuerySet,
    NeedsAssessment,
    OutcomeIndicator,
    Plan,
    Provider,
    ProviderKind,
)
from tracker.models.figures import (
    DurationTally,
    FigureTally,
    StandingCount,
    TalliedRequest,
    TallyChange,
)
from tracker.models.notifications import (
    Notification,
    NotificationStatus,
)
from tracker.models.records import (
    AppendOnly,
    AppendOnlyQuerySet,
    Consent,
    Document,
    DocumentKind,
    HistoryEntry,
    Message,
    Reading,
)
from tracker.models.reference import (
    NAME_FIELDS,
    AssistanceForm,
    Domain,
    Invitation,
    MemberState,
    Named,
    RegionalGroup,
    User,
)
from tracker.models.requests import (
    FORMAL_CHANNELS,
    AssistanceRequest,
    Channel,
    Funding,
    FundingSource,
    LinkedRecommendation,
    RecommendationSource,
    ReferenceCounter,
    UprRecommendation,
    UprResponse,
)

__all__ = [
    "FORMAL_CHANNELS",
    "NAME_FIELDS",
    "Activity",
    "AppendOnly",
    "AppendOnlyQuerySet",
    "AssistanceForm",
    "AssistanceRequest",
    "Brief",
    "Channel",
    "Consent",
    "Document",
    "DocumentKind",
    "Domain",
    "DurationTally",
    "Evaluation",
    "FigureTally",
    "Funding",
    "FundingSource",
    "HistoryEntry",
    "IndicatorQuerySet",
    "Invitation",
    "LinkedRecommendation",
    "MemberState",
    "Message",
    "Named",
    "NeedsAssessment",
    "Notification",
    "NotificationStatus",
    "OutcomeIndicator",
    "Plan",
    "Provider",
    "ProviderKind",
    "Reading",
    "RecommendationSource",
    "ReferenceCounter",
    "RegionalGroup",
    "StandingCount",
    "TalliedRequest",
    "TallyChange",
    "UprRecommendation",
    "UprResponse",
    "User",
]
