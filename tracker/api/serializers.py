"""Input and output shapes of the API. Inputs are only parsed here; the service layer
decides what is allowed."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.authtoken.serializers import AuthTokenSerializer

from tracker import selectors, workflow
from tracker.figures import NAMES as FIGURE_NAMES
from tracker.figures import Filters
from tracker.models import (
    FORMAL_CHANNELS,
    NAME_FIELDS,
    Activity,
    AssistanceForm,
    AssistanceRequest,
    Brief,
    Document,
    DocumentKind,
    Evaluation,
    FundingSource,
    HistoryEntry,
    MemberState,
    Message,
    OutcomeIndicator,
    Plan,
    Provider,
    RecommendationSource,
    RegionalGroup,
    User,
)
from tracker.web import signin

#: The largest row id the databases store (a 64-bit integer): a larger one is no id.
ROW_ID_MAX = 2**63 - 1

# --- output ------------------------------------------------------------------------------


class MemberStateSerializer(serializers.ModelSerializer):
    class Meta:
        model = MemberState
        fields = ("code", *NAME_FIELDS, "region", "is_ldc", "under_agenda_item_10", "is_observer")


class RequestSerializer(serializers.ModelSerializer):
    requesting_state = serializers.CharField(source="requesting_state_id")
    requesting_state_name = serializers.CharField(source="requesting_state.name")
    region = serializers.CharField(source="requesting_state.region")
    officer: serializers.SlugRelatedField[User] = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    domains = serializers.ListField(
        child=serializers.CharField(), source="domain_codes", read_only=True
    )
    forms = serializers.ListField(
        child=serializers.CharField(), source="form_codes", read_only=True
    )
    days_in_stage = serializers.IntegerField()
    overdue = serializers.BooleanField(source="is_overdue")

    class Meta:
        model = AssistanceRequest
        fields: tuple[str, ...] = (
            "reference",
            "requesting_state",
            "requesting_state_name",
            "region",
            "title",
            "stage",
            "officer",
            "priority",
            "opened_at",
            "stage_entered_at",
            "days_in_stage",
            "overdue",
            "domains",
            "forms",
            "received_via",
            "revision",
        )


class RecommendationSerializer(serializers.Serializer):
    source = serializers.ChoiceField(choices=RecommendationSource.choices)  # type: ignore[assignment]  # DRF collects a field named "source"; the stubs see Field.source
    document_symbol = serializers.CharField(max_length=100, required=False, allow_blank=True)
    upr_cycle = serializers.IntegerField(min_value=1, max_value=99, required=False, allow_null=True)
    recommending_state = serializers.CharField(
        max_length=3, required=False, allow_null=True, source="recommending_state_id"
    )
    mandate = serializers.CharField(max_length=200, required=False, allow_blank=True)
    text = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    record = serializers.IntegerField(
        source="record_id",
        min_value=1,
        max_value=ROW_ID_MAX,
        required=False,
        allow_null=True,
        help_text="an imported UPR recommendation made to the requesting State: the link "
        "takes its cycle, recommending State and text",
    )


class FundingSerializer(serializers.Serializer):
    source = serializers.ChoiceField(choices=FundingSource.choices)  # type: ignore[assignment]  # DRF collects a field named "source"; the stubs see Field.source
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0)
    currency = serializers.CharField(max_length=3, default="USD")


class RequestDetailSerializer(RequestSerializer):
    recommendations = RecommendationSerializer(many=True, read_only=True)
    funding = FundingSerializer(many=True, read_only=True)
    available_transitions = serializers.SerializerMethodField()
    current_plan_version = serializers.SerializerMethodField()
    approved_plan_version = serializers.SerializerMethodField()

    class Meta(RequestSerializer.Meta):
        fields = (
            *RequestSerializer.Meta.fields,
            "description",
            "document_number",
            "document_date",
            "recommendations",
            "funding",
            "available_transitions",
            "current_plan_version",
            "approved_plan_version",
            "open_publication_since",
        )

    @extend_schema_field(
        serializers.ListField(child=serializers.ChoiceField(choices=workflow.TRANSITION_NAMES))
    )
    def get_available_transitions(self, obj: AssistanceRequest) -> list[str]:
        return workflow.available_transitions(obj, self.context["request"].user)

    def get_current_plan_version(self, obj: AssistanceRequest) -> int | None:
        plan = obj.latest_plan()
        return plan.version if plan else None

    def get_approved_plan_version(self, obj: AssistanceRequest) -> int | None:
        plan = obj.approved_plan()
        return plan.version if plan else None


class HistorySerializer(serializers.ModelSerializer):
    actor: serializers.SlugRelatedField[User] = serializers.SlugRelatedField(
        slug_field="username", read_only=True
    )

    class Meta:
        model = HistoryEntry
        fields = ("at", "transition", "from_stage", "to_stage", "actor", "comment")


class ActivitySerializer(serializers.ModelSerializer):
    form: serializers.SlugRelatedField[AssistanceForm] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )

    class Meta:
        model = Activity
        fields = (
            "id",
            "form",
            "title",
            "place",
            "starts_on",
            "ends_on",
            "delivered_on",
            "participants",
        )


class PlanSerializer(serializers.ModelSerializer):
    activities = ActivitySerializer(many=True, read_only=True)
    providers: serializers.SlugRelatedField[Provider] = serializers.SlugRelatedField(
        slug_field="name", many=True, read_only=True
    )
    proposed_by: serializers.SlugRelatedField[User] = serializers.SlugRelatedField(
        slug_field="username", read_only=True
    )

    class Meta:
        model = Plan
        fields = (
            "version",
            "summary",
            "budget_amount",
            "budget_currency",
            "providers",
            "activities",
            "proposed_by",
            "proposed_at",
        )


class IndicatorSerializer(serializers.ModelSerializer):
    class Meta:
        model = OutcomeIndicator
        fields = ("name", "unit", "baseline", "target", "measured")


class FollowUpSerializer(serializers.ModelSerializer):
    indicators = IndicatorSerializer(many=True, read_only=True)

    class Meta:
        model = Evaluation
        fields = ("kind", "measured_on", "summary", "indicators", "updated_at")


class EvaluationSerializer(serializers.ModelSerializer):
    indicators = IndicatorSerializer(many=True, read_only=True)
    follow_ups = serializers.SerializerMethodField(
        help_text="the same indicators measured again after closing (at 6 and 12 months, "
        "then at any later date), in the order measured"
    )

    class Meta:
        model = Evaluation
        fields = (
            "kind",
            "summary",
            "lessons_learned",
            "lessons_published",
            "indicators",
            "updated_at",
            "follow_ups",
        )

    @extend_schema_field(FollowUpSerializer(many=True))
    def get_follow_ups(self, evaluation: Evaluation) -> Any:
        return FollowUpSerializer(selectors.follow_ups_of(evaluation.request), many=True).data


# --- input -------------------------------------------------------------------------------


class DocumentSerializer(serializers.ModelSerializer):
    uploaded_by: serializers.SlugRelatedField[User] = serializers.SlugRelatedField(
        slug_field="username", read_only=True
    )
    belongs_to = serializers.SerializerMethodField(
        help_text='"" (the request), or plan:<id>, consent:<id>, assessment:<id>, '
        "evaluation:<id>, message:<id>"
    )
    superseded_by = serializers.SerializerMethodField()
    download = serializers.SerializerMethodField(help_text="URL of the file (same access rules)")

    class Meta:
        model = Document
        fields = (
            "id",
            "kind",
            "name",
            "content_type",
            "size",
            "sha256",
            "uploaded_by",
            "uploaded_at",
            "belongs_to",
            "supersedes",
            "superseded_by",
            "download",
        )

    def get_belongs_to(self, document: Document) -> str:
        for link in ("plan", "consent", "assessment", "evaluation", "message"):
            if (pk := getattr(document, f"{link}_id")) is not None:
                return f"{link}:{pk}"
        return ""

    def get_superseded_by(self, document: Document) -> int | None:
        replacement = getattr(document, "superseded_by", None)
        return replacement.pk if replacement is not None else None

    def get_download(self, document: Document) -> str:
        path = reverse("request-document", args=[document.request.reference, document.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path


class MessageSerializer(serializers.ModelSerializer):
    author: serializers.SlugRelatedField[User] = serializers.SlugRelatedField(
        slug_field="username", read_only=True
    )
    documents = DocumentSerializer(many=True, read_only=True)

    class Meta:
        model = Message
        fields = ("id", "at", "author", "text", "internal", "documents")


class BriefSerializer(serializers.ModelSerializer):
    """A published good-practice brief, with the request's outcome indicators."""

    reference = serializers.CharField(source="request.reference")
    title = serializers.CharField(source="request.title")
    state = serializers.CharField(source="request.requesting_state_id")
    region = serializers.CharField(source="request.requesting_state.region")
    domains = serializers.SerializerMethodField()
    closed_in = serializers.IntegerField(source="request.stage_entered_at.year")
    indicators = serializers.SerializerMethodField()

    class Meta:
        model = Brief
        fields = (
            "reference",
            "title",
            "state",
            "region",
            "domains",
            "closed_in",
            "context",
            "done",
            "results",
            "differently",
            "indicators",
            "published_at",
        )

    def get_domains(self, brief: Brief) -> list[str]:
        return sorted(domain.code for domain in brief.request.domains.all())

    @extend_schema_field(IndicatorSerializer(many=True))
    def get_indicators(self, brief: Brief) -> Any:
        final = [e for e in brief.request.evaluations.all() if e.kind == "final"]
        return IndicatorSerializer(final[0].indicators.all() if final else [], many=True).data


class StrictSerializer(serializers.Serializer):
    """Unknown fields are an error, so that a typo is not silently ignored. Text is
    measured as it was sent: a length limit holds for the text the schema describes
    (the services trim what they keep)."""

    def get_fields(self):
        fields = super().get_fields()
        for field in fields.values():
            for text in (field, getattr(field, "child", None)):
                if isinstance(text, serializers.CharField):
                    text.trim_whitespace = False
        return fields

    def to_internal_value(self, data):
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError(
                    {"detail": _("Unknown field(s): %(names)s.") % {"names": ", ".join(unknown)}}
                )
        return super().to_internal_value(data)


class FormalRequestInput(StrictSerializer):
    kind = serializers.ChoiceField(choices=[(c.value, c.label) for c in FORMAL_CHANNELS])
    number = serializers.CharField(max_length=100)
    date = serializers.DateField()


class OpenRequestInput(StrictSerializer):
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(max_length=20000, required=False, allow_blank=True)
    requesting_state = serializers.CharField(
        max_length=3, required=False, help_text="ISO3; staff only (focal points: own State)"
    )
    formal_request = FormalRequestInput(required=False, help_text="staff only")
    domains = serializers.ListField(
        child=serializers.CharField(max_length=64), required=False, max_length=50
    )
    forms = serializers.ListField(
        child=serializers.CharField(max_length=64), required=False, max_length=50
    )
    recommendations = RecommendationSerializer(many=True, required=False, max_length=50)  # type: ignore[call-arg]  # many=True passes max_length on to the ListSerializer
    funding = FundingSerializer(many=True, required=False, max_length=20)  # type: ignore[call-arg]  # many=True passes max_length on to the ListSerializer


class TransitionInput(StrictSerializer):
    comment = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    reason = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    document_reference = serializers.CharField(max_length=100, required=False, allow_blank=True)
    document_date = serializers.DateField(required=False, allow_null=True)
    officer = serializers.CharField(
        max_length=150, required=False, help_text="username (accept only)"
    )
    plan_version = serializers.IntegerField(min_value=1, max_value=ROW_ID_MAX, required=False)
    expected_revision = serializers.IntegerField(
        min_value=0,
        max_value=ROW_ID_MAX,
        required=False,
        help_text="the revision you saw; the transition is refused (409) if it changed",
    )


class PriorityInput(StrictSerializer):
    rank = serializers.IntegerField(min_value=1, max_value=100000)


class AssessmentInput(StrictSerializer):
    findings = serializers.CharField(max_length=20000, allow_blank=True)
    gaps = serializers.CharField(max_length=20000, allow_blank=True)


class ActivityInput(StrictSerializer):
    form = serializers.CharField(max_length=64)
    title = serializers.CharField(max_length=200)
    place = serializers.CharField(max_length=200, required=False, allow_blank=True)
    starts_on = serializers.DateField(required=False, allow_null=True)
    ends_on = serializers.DateField(required=False, allow_null=True)


class PlanInput(StrictSerializer):
    summary = serializers.CharField(max_length=20000, required=False, allow_blank=True)
    budget_amount = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0)
    budget_currency = serializers.CharField(
        max_length=3, default="USD", help_text="ISO 4217 code of a currency in use, e.g. EUR"
    )
    providers = serializers.ListField(
        child=serializers.CharField(max_length=200), required=False, max_length=50
    )
    activities = ActivityInput(many=True, max_length=200)  # type: ignore[call-arg]  # many=True passes max_length on to the ListSerializer


class DeliveryInput(StrictSerializer):
    activity = serializers.IntegerField(
        min_value=1, max_value=ROW_ID_MAX, help_text="id of an activity of the plan"
    )
    delivered_on = serializers.DateField()
    participants = serializers.IntegerField(
        min_value=0, max_value=10**7, required=False, allow_null=True
    )
    place = serializers.CharField(max_length=200, required=False, allow_blank=True)


class IndicatorInput(StrictSerializer):
    name = serializers.CharField(max_length=200)
    unit = serializers.CharField(max_length=50, required=False, allow_blank=True)
    baseline = serializers.DecimalField(
        max_digits=14, decimal_places=2, required=False, allow_null=True
    )
    target = serializers.DecimalField(
        max_digits=14, decimal_places=2, required=False, allow_null=True
    )
    measured = serializers.DecimalField(
        max_digits=14, decimal_places=2, required=False, allow_null=True
    )


class EvaluationInput(StrictSerializer):
    """Staff send the evaluation; the State sends only ``lessons_published``."""

    summary = serializers.CharField(max_length=20000, required=False, allow_blank=True)
    lessons_learned = serializers.CharField(max_length=20000, required=False, allow_blank=True)
    indicators = IndicatorInput(many=True, required=False, max_length=100)  # type: ignore[call-arg]  # many=True passes max_length on to the ListSerializer
    lessons_published = serializers.BooleanField(required=False)


class BriefQuery(StrictSerializer):
    q = serializers.CharField(
        required=False,
        max_length=200,
        help_text="words in the brief or its request's title, the State's name (in the "
        "language asked for, or in English) or an outcome indicator's name",
    )
    domain = serializers.SlugRelatedField(
        slug_field="code", queryset=selectors.domains(), required=False
    )
    region = serializers.ChoiceField(choices=RegionalGroup.choices, required=False)
    year = serializers.IntegerField(
        required=False, min_value=1990, max_value=2100, help_text="the year the request closed"
    )


class NarrowingQuery(StrictSerializer):
    """The Figures' filters: years of opening, region, domain."""

    first_year = serializers.IntegerField(
        required=False, min_value=1990, max_value=2100, help_text="opened in this year or after"
    )
    last_year = serializers.IntegerField(
        required=False, min_value=1990, max_value=2100, help_text="opened in this year or before"
    )
    region = serializers.ChoiceField(choices=RegionalGroup.choices, required=False)
    domain = serializers.SlugRelatedField(
        slug_field="code", queryset=selectors.domains(), required=False
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if problem := Filters.period_problem(attrs.get("first_year"), attrs.get("last_year")):
            raise serializers.ValidationError({"last_year": problem})
        return attrs

    def filters(self) -> Filters:
        data = self.validated_data
        return Filters(
            first_year=data.get("first_year"),
            last_year=data.get("last_year"),
            region=data.get("region", ""),
            domain=data["domain"].code if data.get("domain") else "",
        )


class FiguresQuery(NarrowingQuery):
    figure = serializers.ChoiceField(
        choices=FIGURE_NAMES, required=False, help_text="with format=csv: that figure alone"
    )
    format = serializers.ChoiceField(choices=["json", "csv"], required=False)


class ChartsQuery(NarrowingQuery):
    on = serializers.DateField(required=False, help_text="the backlog's date; today by default")
    compare = serializers.DateField(required=False, help_text="a year before `on` by default")


class BacklogQuery(NarrowingQuery):
    on = serializers.DateField()
    compare = serializers.DateField(required=False)
    format = serializers.ChoiceField(choices=["json", "csv"], required=False)


class TokenInput(AuthTokenSerializer):
    """A password, and for a staff account with two-factor sign-in its current code:
    a token is never given on a password alone where the admin would ask for a code."""

    otp_token = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=32,
        help_text="staff accounts with two-factor sign-in: the code their app shows now, "
        "or one of their backup codes",
    )

    def validate(self, attrs):
        attrs = super().validate(attrs)
        user, request = attrs["user"], self.context["request"]
        if signin.must_enrol(user):
            raise serializers.ValidationError(
                _(
                    "This account must turn on two-factor sign-in in the admin before it "
                    "can have a token."
                ),
                code="two_factor_enrolment",
            )
        if signin.has_device(user):
            if not attrs.get("otp_token"):
                raise serializers.ValidationError(
                    {
                        "otp_token": _(
                            "This account has two-factor sign-in: send the code "
                            "its app shows now (or a backup code) as otp_token."
                        )
                    },
                    code="otp_required",
                )
            if signin.verify(request, user, attrs["otp_token"]) is None:
                raise serializers.ValidationError(
                    {"otp_token": _("That code is not right.")}, code="otp_invalid"
                )
        return attrs


class TokenOutput(serializers.Serializer):
    token = serializers.CharField()


class MessageInput(StrictSerializer):
    text = serializers.CharField(max_length=20000)
    internal = serializers.BooleanField(
        default=False, help_text="an internal note: staff only, never shown to the State"
    )


class DocumentUpload(StrictSerializer):
    # Empty files reach the service, which refuses them in the words of every surface.
    file = serializers.FileField(
        allow_empty_file=True, help_text="PDF, Office, OpenDocument, image or plain text"
    )
    kind = serializers.ChoiceField(choices=DocumentKind.choices)
    about = serializers.CharField(
        max_length=40,
        required=False,
        default="",
        help_text='what it belongs to: "" (the request), plan:<id>, consent:<id>, '
        "assessment:<id> or evaluation:<id>",
    )
    supersedes = serializers.IntegerField(
        min_value=1,
        max_value=ROW_ID_MAX,
        required=False,
        allow_null=True,
        default=None,
        help_text="id of the document it replaces (kept)",
    )
