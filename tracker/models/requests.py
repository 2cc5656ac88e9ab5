"""The assistance request, the recommendations it follows up and its funding."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin

from tracker.kernel.vocabulary import (
    OPEN,
    TERMINAL,
    Decision,
    EvaluationKind,
    Stage,
)
from tracker.models.reference import AssistanceForm, Domain, MemberState, User
from tracker.workflow import RequestWorkflow, deadlines

if TYPE_CHECKING:
    from tracker.models.delivery import Evaluation, Plan


class Channel(models.TextChoices):
    """How a request reached the secretariat."""

    PORTAL = "portal", _("State portal")
    NOTE_VERBALE = "note_verbale", _("Note verbale")
    LETTER = "letter", _("Letter")
    UPR_FOLLOW_UP_LETTER = "upr_follow_up_letter", _("UPR follow-up letter")


FORMAL_CHANNELS = [c for c in Channel if c != Channel.PORTAL]


class AssistanceRequest(RequestWorkflow, FSMModelMixin, models.Model):
    reference = models.CharField(_("reference"), max_length=20, unique=True, editable=False)
    requesting_state = models.ForeignKey(
        MemberState,
        verbose_name=_("requesting State"),
        on_delete=models.PROTECT,
        related_name="requests",
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    domains = models.ManyToManyField(Domain, verbose_name=_("domains"), blank=True)
    assistance_forms = models.ManyToManyField(
        AssistanceForm, verbose_name=_("forms of assistance"), blank=True
    )
    received_via = models.CharField(_("received via"), max_length=32, choices=Channel)
    document_number = models.CharField(_("document number"), max_length=100, blank=True)
    document_date = models.DateField(_("document date"), null=True, blank=True)
    # A/HRC/43/31 paras 40, 54: the State's own ranking, 1 = highest; only it sets it.
    priority = models.PositiveIntegerField(_("State priority"), null=True, blank=True)
    officer = models.ForeignKey(
        User,
        verbose_name=_("officer"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_requests",
    )
    opened_by = models.ForeignKey(
        User, verbose_name=_("opened by"), on_delete=models.PROTECT, related_name="+"
    )
    opened_at = models.DateTimeField(_("opened at"))
    stage = FSMField(
        _("stage"), max_length=32, choices=Stage, default=Stage.REQUESTED, protected=True
    )
    stage_entered_at = models.DateTimeField(_("in this stage since"))
    # Bumped by every write the service layer makes: a write that read an older
    # revision is refused as a conflict instead of silently overwriting.
    revision = models.PositiveIntegerField(_("revision"), default=0, editable=False)
    updated_at = models.DateTimeField(_("updated at"))
    # Since when the State agrees to the request's open publication (IATI); empty when it
    # never agreed or revoked it. The consent records are the trail; this is what the
    # export filters on (ownership applies to open data too, A/HRC/43/31 paras 54-56).
    open_publication_since = models.DateTimeField(
        _("openly published since"), null=True, blank=True, editable=False
    )

    class Meta:
        verbose_name_plural = _("assistance requests")
        ordering = ["-opened_at"]
        verbose_name = _("assistance request")
        indexes = [
            models.Index(fields=["stage", "stage_entered_at"]),
            models.Index(fields=["requesting_state", "stage"]),
            models.Index(fields=["opened_at"]),
            # Overdue and reminder queries read open requests by stage and stage entry;
            # open requests are a few percent of a decade of them (bench/ figures).
            models.Index(
                fields=["stage", "stage_entered_at"],
                name="open_by_stage_entry",
                condition=Q(stage__in=[stage.value for stage in OPEN]),
            ),
            # The API's default order within a stage filter.
            models.Index(fields=["stage", "-opened_at"], name="by_stage_newest_first"),
            # A State's ended requests, most recent first (the portal's dashboard): a
            # decade of them is thousands per State, of which the page shows 20.
            models.Index(
                fields=["requesting_state", "-stage_entered_at"],
                name="ended_by_state_newest_first",
                condition=Q(stage__in=[stage.value for stage in TERMINAL]),
            ),
            # The open-data export reads the few requests whose State agreed, in order.
            models.Index(
                fields=["id"],
                name="openly_published",
                condition=Q(open_publication_since__isnull=False),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(received_via=Channel.PORTAL)
                | (~Q(document_number="") & Q(document_date__isnull=False)),
                name="formal_request_is_referenced",
            )
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    def consents_to_follow_up(self) -> bool:
        """Until the State withdraws it, follow-up evaluations may be asked for; reads a
        prefetch (a request has a handful of consent records)."""
        return all(c.decision != Decision.NO_FOLLOW_UP for c in self.consents.all())

    # The codes of its domains and forms of assistance (their primary keys), sorted: read
    # from the join tables alone. ``selectors.with_codes`` fills them for a whole page in
    # two queries; otherwise each is read when first asked for.

    @property
    def domain_codes(self) -> list[str]:
        if "_domain_codes" not in self.__dict__:
            self.__dict__["_domain_codes"] = sorted(self.domains.values_list("pk", flat=True))
        codes: list[str] = self.__dict__["_domain_codes"]
        return codes

    @property
    def form_codes(self) -> list[str]:
        if "_form_codes" not in self.__dict__:
            forms = self.assistance_forms.values_list("pk", flat=True)
            self.__dict__["_form_codes"] = sorted(forms)
        codes: list[str] = self.__dict__["_form_codes"]
        return codes

    # Derived state used by the workflow guards.

    def latest_plan(self) -> Plan | None:
        # Reads all versions (a handful): works from a prefetch, as on the dashboard.
        return max(self.plans.all(), key=lambda plan: plan.version, default=None)

    def plan_awaiting_decision(self) -> Plan | None:
        """The latest plan version, while the State has not decided on it (A/HRC/43/31
        para 62: nothing is implemented without the State's consent to that version)."""
        plan = self.latest_plan()
        return plan if plan is not None and plan.decision() is None else None

    def state_must_decide(self) -> bool:
        """The State has a plan to approve or reject now: the portal, the reminders and
        the e-mails all ask this."""
        return self.stage == Stage.CONSULTATION and self.plan_awaiting_decision() is not None

    def final_evaluation(self) -> Evaluation | None:
        """The evaluation that closes the request (not a follow-up); reads a prefetch."""
        return next((e for e in self.evaluations.all() if e.kind == EvaluationKind.FINAL), None)

    def follow_ups(self) -> list[Evaluation]:
        """The follow-up evaluations in the order they were measured; reads a prefetch."""
        return sorted(
            (e for e in self.evaluations.all() if e.kind != EvaluationKind.FINAL),
            key=lambda e: (e.measured_when, e.pk),
        )

    def approved_plan(self) -> Plan | None:
        """The latest plan version the State approved."""
        return self.plans.filter(consents__decision=Decision.APPROVED).order_by("-version").first()

    def assessment_is_complete(self) -> bool:
        assessment = _delivery("NeedsAssessment").objects.filter(request=self).first()
        return bool(assessment is not None and assessment.is_complete)

    def has_delivered_activity(self) -> bool:
        activities = _delivery("Activity").objects
        return bool(activities.filter(plan__request=self, delivered_on__isnull=False).exists())

    def has_measured_outcome(self) -> bool:
        indicators = _delivery("OutcomeIndicator").objects.measured()
        final = indicators.filter(evaluation__request=self, evaluation__kind=EvaluationKind.FINAL)
        return bool(final.exists())

    @property
    def days_in_stage(self) -> int:
        return (timezone.now() - self.stage_entered_at).days

    @property
    def is_overdue(self) -> bool:
        return deadlines.is_overdue(self.stage, self.stage_entered_at, timezone.now())


class RecommendationSource(models.TextChoices):
    UPR = "upr", _("Universal periodic review")
    TREATY_BODY = "treaty_body", _("Treaty body")
    SPECIAL_PROCEDURE = "special_procedure", _("Special procedure")

    @classmethod
    def having(cls, field: str) -> list[str]:
        """The mechanisms whose recommendations ``field`` describes (none: the mechanism
        itself)."""
        return [m for m, fields in _FIELDS.items() if field in fields]


#: What describes a recommendation of each mechanism, besides its words and document.
_FIELDS = {
    RecommendationSource.UPR: {
        "record",
        "upr_cycle",
        "recommending_state",
        "text",
        "document_symbol",
    },
    RecommendationSource.TREATY_BODY: {"text", "document_symbol"},
    RecommendationSource.SPECIAL_PROCEDURE: {"mandate", "text", "document_symbol"},
}


class UprResponse(models.TextChoices):
    SUPPORTED = "supported", _("Supported")
    NOTED = "noted", _("Noted")


class UprRecommendation(models.Model):
    """A recommendation of the universal periodic review as the public UPR databases
    publish it (A/HRC/43/31 para 115): imported by ``import_upr_recommendations`` so
    that requests link to the record rather than retype it."""

    state_under_review = models.ForeignKey(
        MemberState,
        verbose_name=_("State under review"),
        on_delete=models.PROTECT,
        related_name="upr_recommendations",
    )
    recommending_state = models.ForeignKey(
        MemberState,
        verbose_name=_("recommending State"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    cycle = models.PositiveSmallIntegerField(_("UPR cycle"))
    session = models.PositiveSmallIntegerField(_("UPR session"))
    text = models.TextField(_("recommendation"))
    response = models.CharField(_("response"), max_length=16, choices=UprResponse)
    themes = models.CharField(_("themes"), max_length=500, blank=True)
    #: SHA-256 of the text: with the States and the cycle, what makes a record one.
    fingerprint = models.CharField(_("fingerprint"), max_length=64, editable=False)

    class Meta:
        verbose_name = _("UPR recommendation")
        verbose_name_plural = _("UPR recommendations")
        ordering = ["state_under_review", "cycle", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["state_under_review", "recommending_state", "cycle", "fingerprint"],
                name="one_record_per_upr_recommendation",
            )
        ]

    def __str__(self) -> str:
        return f"{self.cycle}.{self.session} {self.recommending_state_id}: {self.text[:80]}"


class LinkedRecommendation(models.Model):
    """A recommendation the request follows up (A/HRC/43/31 para 115)."""

    request = models.ForeignKey(
        AssistanceRequest,
        on_delete=models.CASCADE,
        related_name="recommendations",
        verbose_name=_("assistance request"),
    )
    source = models.CharField(_("mechanism"), max_length=32, choices=RecommendationSource)
    document_symbol = models.CharField(
        _("document symbol"),
        max_length=100,
        blank=True,
        help_text=_("For example CEDAW/C/SEN/CO/3-7."),
    )
    upr_cycle = models.PositiveSmallIntegerField(_("UPR cycle"), null=True, blank=True)
    recommending_state = models.ForeignKey(
        MemberState,
        verbose_name=_("recommending State"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    mandate = models.CharField(_("special procedure mandate"), max_length=200, blank=True)
    text = models.TextField(_("recommendation"), blank=True)
    #: The imported UPR record this link follows up, when there is one.
    record = models.ForeignKey(
        UprRecommendation,
        verbose_name=_("UPR record"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="links",
    )

    class Meta:
        verbose_name = _("linked recommendation")
        verbose_name_plural = _("linked recommendations")

    def __str__(self) -> str:
        return self.document_symbol or self.get_source_display()


class FundingSource(models.TextChoices):
    VFTC = "vftc", _("UN Voluntary Fund for Technical Cooperation in the Field of Human Rights")
    UPR_FUND = "upr_fund", _("UPR Voluntary Fund for Financial and Technical Assistance")
    REGULAR_BUDGET = "regular_budget", _("Regular budget")
    BILATERAL = "bilateral", _("Bilateral")
    OTHER = "other", _("Other")


class Funding(models.Model):
    request = models.ForeignKey(
        AssistanceRequest,
        on_delete=models.CASCADE,
        related_name="funding",
        verbose_name=_("assistance request"),
    )
    source = models.CharField(_("source"), max_length=32, choices=FundingSource)
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3, default="USD")

    class Meta:
        verbose_name = _("funding")
        verbose_name_plural = _("funding")

    def __str__(self) -> str:
        return f"{self.get_source_display()}: {self.amount} {self.currency}"


class ReferenceCounter(models.Model):
    """The last number given to a request in a year (TA-2026-0042)."""

    year = models.PositiveIntegerField(_("year"), primary_key=True)
    last = models.PositiveIntegerField(_("last"), default=0)

    class Meta:
        verbose_name = _("reference counter")
        verbose_name_plural = _("reference counters")

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


def _delivery(name: str) -> Any:
    # What is done for a request refers to the request: the request reads it by name,
    # so that the two modules do not import each other.
    return apps.get_model("tracker", name)
