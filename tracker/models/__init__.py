"""TA Tracker data (docs/design.md, "The data"), and state derived from it.

Writes go through ``tracker.services``; the rules live in ``tracker.workflow``.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin

from tracker import workflow
from tracker.kernel import names
from tracker.kernel.errors import NotAllowed
from tracker.kernel.names import NAME_LANGUAGES, name_language
from tracker.kernel.vocabulary import (
    OPEN,
    TERMINAL,
    Decision,
    EvaluationKind,
    NotificationKind,
    Role,
    Stage,
)
from tracker.workflow import RequestWorkflow, deadlines

NAME_FIELDS = tuple(f"name_{language}" for language in NAME_LANGUAGES)


class Named(models.Model):
    """A row named in the six official languages; ``name`` follows the active language."""

    name_en = models.CharField(_("name (English)"), max_length=200)
    name_fr = models.CharField(_("name (French)"), max_length=200)
    name_es = models.CharField(_("name (Spanish)"), max_length=200, blank=True)
    name_ar = models.CharField(_("name (Arabic)"), max_length=200, blank=True)
    name_ru = models.CharField(_("name (Russian)"), max_length=200, blank=True)
    name_zh = models.CharField(_("name (Chinese)"), max_length=200, blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return getattr(self, f"name_{name_language(get_language())}") or self.name_en


class RegionalGroup(models.TextChoices):
    AFRICA = "AFRICA", _("African States")
    ASIA_PACIFIC = "ASIA_PACIFIC", _("Asia-Pacific States")
    EASTERN_EUROPE = "EASTERN_EUROPE", _("Eastern European States")
    LATIN_AMERICA_CARIBBEAN = "LATIN_AMERICA_CARIBBEAN", _("Latin American and Caribbean States")
    WESTERN_EUROPE_OTHERS = "WESTERN_EUROPE_OTHERS", _("Western European and other States")
    NONE = "NONE", _("No regional group")


class MemberState(Named):
    """A UN Member State or observer State; loaded by a data migration."""

    code = models.CharField(_("ISO 3166 alpha-3 code"), max_length=3, primary_key=True)
    # Open data (IATI recipient-country) names countries by their two-letter code.
    iso2 = models.CharField(_("ISO 3166 alpha-2 code"), max_length=2, blank=True)
    region = models.CharField(_("UN regional group"), max_length=32, choices=RegionalGroup)
    is_ldc = models.BooleanField(_("least developed country"), default=False)
    # A/HRC/43/31 para 63: States the Council considers under agenda item 10.
    under_agenda_item_10 = models.BooleanField(_("under agenda item 10"), default=False)
    is_observer = models.BooleanField(_("observer State"), default=False)
    priorities_reviewed_at = models.DateTimeField(
        _("priorities last ranked"), null=True, blank=True, editable=False
    )
    # The name as a sentence uses it, kept as data because grammar is not guessable
    # from the name: "the Niger", "le Togo" / "du Togo", "la Tunisie", "Cuba" (no
    # article), "les Comores" (feminine plural). ``tracker.kernel.names`` puts them to use.
    in_text_en = models.CharField(_("name in a sentence (English)"), max_length=200, blank=True)
    in_text_fr = models.CharField(_("name in a sentence (French)"), max_length=200, blank=True)
    of_fr = models.CharField(_("name after “de” (French)"), max_length=200, blank=True)
    gender_fr = models.CharField(
        _("grammatical gender and number (French)"),
        max_length=2,
        choices=[
            ("m", _("masculine")),
            ("f", _("feminine")),
            ("mp", _("masculine plural")),
            ("fp", _("feminine plural")),
        ],
        blank=True,
    )

    class Meta:
        verbose_name_plural = _("Member States")
        ordering = ["name_en"]
        verbose_name = _("Member State")

    @property
    def in_text(self) -> str:
        """ "the Niger", "le Togo": the name inside a sentence (``tracker.kernel.names``)."""
        return names.words(self)["state"]

    @property
    def of_name(self) -> str:
        """ "of the Niger", "du Togo"."""
        return names.words(self)["of_state"]


class User(AbstractUser):
    """An account; its role decides what it may do, and a focal point speaks for one State."""

    role = models.CharField(_("role"), max_length=16, choices=Role, blank=True)
    member_state = models.ForeignKey(
        MemberState,
        verbose_name=_("State"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="focal_points",
    )
    supervisor = models.ForeignKey(
        "self", verbose_name=_("supervisor"), on_delete=models.SET_NULL, null=True, blank=True
    )
    #: The languages an account may choose, for the portal and its e-mails.
    LANGUAGES = settings.LANGUAGES
    language = models.CharField(_("language"), max_length=8, choices=LANGUAGES, default="en")

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                condition=Q(role=Role.FOCAL_POINT, member_state__isnull=False)
                | (~Q(role=Role.FOCAL_POINT) & Q(member_state__isnull=True)),
                name="focal_point_has_state",
                violation_error_message=_("A focal point speaks for exactly one State."),
            )
        ]


class Domain(Named):
    """A field of assistance (A/HRC/43/31 para 8)."""

    code = models.SlugField(_("code"), max_length=64, primary_key=True)
    # Open data (IATI sector) classifies activities by OECD DAC 5-digit purpose code.
    dac_sector = models.CharField(_("OECD DAC sector"), max_length=5, default="15160")

    class Meta:
        ordering = ["name_en"]
        verbose_name = _("domain")


class AssistanceForm(Named):
    """A form of assistance (A/HRC/43/31 paras 7, 71)."""

    code = models.SlugField(_("code"), max_length=64, primary_key=True)

    class Meta:
        ordering = ["name_en"]
        verbose_name = _("form of assistance")
        verbose_name_plural = _("forms of assistance")


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
        assessment = NeedsAssessment.objects.filter(request=self).first()
        return assessment is not None and assessment.is_complete

    def has_delivered_activity(self) -> bool:
        return Activity.objects.filter(plan__request=self, delivered_on__isnull=False).exists()

    def has_measured_outcome(self) -> bool:
        return (
            OutcomeIndicator.objects.measured()
            .filter(evaluation__request=self, evaluation__kind=EvaluationKind.FINAL)
            .exists()
        )

    @property
    def is_open(self) -> bool:
        return self.stage in OPEN

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


class ProviderKind(models.TextChoices):
    OHCHR = "ohchr", _("OHCHR office")
    UN_AGENCY = "un_agency", _("UN agency")
    BILATERAL_STATE = "bilateral_state", _("Bilateral State")
    REGIONAL_ORGANISATION = "regional_organisation", _("Regional organisation")
    NHRI = "nhri", _("National human rights institution")
    NGO = "ngo", _("NGO")
    ACADEMIA = "academia", _("Academia")


class Provider(models.Model):
    """Who delivers assistance (A/HRC/43/31 paras 72-75)."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=32, choices=ProviderKind)

    class Meta:
        verbose_name = _("provider")
        verbose_name_plural = _("providers")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class NeedsAssessment(models.Model):
    request = models.OneToOneField(
        AssistanceRequest,
        on_delete=models.CASCADE,
        related_name="assessment",
        verbose_name=_("assistance request"),
    )
    findings = models.TextField(_("findings"))
    gaps = models.TextField(_("gaps identified"))
    assessed_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", verbose_name=_("assessed by")
    )
    updated_at = models.DateTimeField(
        _("updated at"),
    )

    class Meta:
        verbose_name = _("needs assessment")
        verbose_name_plural = _("needs assessments")

    def __str__(self) -> str:
        return str(_("Needs assessment of %(reference)s") % {"reference": self.request.reference})

    @property
    def is_complete(self) -> bool:
        return bool(self.findings.strip() and self.gaps.strip())


class Plan(models.Model):
    """One version of the plan. A version never changes once written: a material
    change (activities, providers, budget) is a new version (A/HRC/43/31 para 62)."""

    request = models.ForeignKey(
        AssistanceRequest,
        on_delete=models.PROTECT,
        related_name="plans",
        verbose_name=_("assistance request"),
    )
    version = models.PositiveIntegerField(_("version"))
    summary = models.TextField(_("summary"), blank=True)
    budget_amount = models.DecimalField(_("budget"), max_digits=14, decimal_places=2)
    budget_currency = models.CharField(_("currency"), max_length=3, default="USD")
    providers = models.ManyToManyField(Provider, verbose_name=_("providers"), blank=True)
    proposed_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", verbose_name=_("proposed by")
    )
    proposed_at = models.DateTimeField(
        _("proposed at"),
    )

    class Meta:
        verbose_name = _("plan version")
        verbose_name_plural = _("plan versions")
        ordering = ["request", "version"]
        constraints = [
            models.UniqueConstraint(fields=["request", "version"], name="one_plan_per_version")
        ]

    def __str__(self) -> str:
        return _("Plan version %(version)s") % {"version": self.version}

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise NotAllowed(_("A plan version cannot be changed: propose a new version."))
        super().save(*args, **kwargs)

    def decision(self) -> str | None:
        """The State's last decision on this version, if any."""
        decisions = [
            consent
            for consent in self.consents.all()  # prefetch-friendly, as latest_plan
            if consent.decision in (Decision.APPROVED, Decision.DECLINED)
        ]
        latest = max(decisions, key=lambda c: (c.recorded_at, c.pk), default=None)
        return latest.decision if latest else None


class Activity(models.Model):
    """A planned activity of a plan version; its delivery is recorded during implementation."""

    plan = models.ForeignKey(
        Plan, on_delete=models.CASCADE, related_name="activities", verbose_name=_("plan")
    )
    form = models.ForeignKey(
        AssistanceForm, verbose_name=_("kind"), on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(_("title"), max_length=200)
    place = models.CharField(_("place"), max_length=200, blank=True)
    starts_on = models.DateField(_("starts on"), null=True, blank=True)
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    delivered_on = models.DateField(_("delivered on"), null=True, blank=True)
    participants = models.PositiveIntegerField(_("participants"), null=True, blank=True)

    class Meta:
        verbose_name = _("activity")
        ordering = ["plan", "starts_on", "pk"]
        verbose_name_plural = _("activities")

    def __str__(self) -> str:
        return self.title


class Evaluation(models.Model):
    request = models.ForeignKey(
        AssistanceRequest,
        on_delete=models.CASCADE,
        related_name="evaluations",
        verbose_name=_("assistance request"),
    )
    kind = models.CharField(
        _("kind"), max_length=16, choices=EvaluationKind, default=EvaluationKind.FINAL
    )
    summary = models.TextField(_("summary"), blank=True)
    lessons_learned = models.TextField(_("lessons learned"), blank=True)
    # A/HRC/43/31 para 114: only the State chooses to share its lessons.
    lessons_published = models.BooleanField(_("lessons published by the State"), default=False)
    evaluated_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", verbose_name=_("evaluated by")
    )
    updated_at = models.DateTimeField(
        _("updated at"),
    )
    #: When a follow-up's values were measured (the final evaluation's is its record).
    measured_on = models.DateField(_("measured on"), null=True, blank=True)

    class Meta:
        verbose_name = _("evaluation")
        verbose_name_plural = _("evaluations")
        constraints = [
            # The final evaluation and the 6- and 12-month follow-ups happen once each;
            # later follow-ups as often as measured, once a day.
            models.UniqueConstraint(
                fields=["request", "kind"],
                condition=~models.Q(kind=EvaluationKind.FOLLOW_UP_LATER),
                name="one_evaluation_per_kind",
            ),
            models.UniqueConstraint(
                fields=["request", "measured_on"],
                condition=models.Q(kind=EvaluationKind.FOLLOW_UP_LATER),
                name="one_later_follow_up_a_day",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.request.reference})"

    @property
    def measured_when(self) -> date:
        """The day its values were measured: a follow-up says it, the final evaluation's
        is the day it was recorded."""
        return self.measured_on or self.updated_at.date()


class IndicatorQuerySet(models.QuerySet["OutcomeIndicator"]):
    def measured(self) -> IndicatorQuerySet:
        return self.filter(baseline__isnull=False, target__isnull=False, measured__isnull=False)


class OutcomeIndicator(models.Model):
    evaluation = models.ForeignKey(
        Evaluation,
        on_delete=models.CASCADE,
        related_name="indicators",
        verbose_name=_("evaluation"),
    )
    name = models.CharField(_("indicator"), max_length=200)
    unit = models.CharField(_("unit"), max_length=50, blank=True)
    baseline = models.DecimalField(_("baseline"), max_digits=14, decimal_places=2, null=True)
    target = models.DecimalField(_("target"), max_digits=14, decimal_places=2, null=True)
    measured = models.DecimalField(_("measured"), max_digits=14, decimal_places=2, null=True)

    objects = IndicatorQuerySet.as_manager()

    class Meta:
        verbose_name = _("outcome indicator")
        verbose_name_plural = _("outcome indicators")

    def __str__(self) -> str:
        return self.name

    def progress(self) -> Decimal | None:
        """Share of the way from baseline to target reached, or None if unmeasurable."""
        baseline, target, measured = self.baseline, self.target, self.measured
        if baseline is None or target is None or measured is None or target == baseline:
            return None
        return (measured - baseline) / (target - baseline)


class Brief(models.Model):
    """A good-practice brief on a closed request (A/HRC/43/31 para 114: States share
    good practices and report briefly on their experience). The State writes or
    approves it, and alone decides to publish it, and to take it back (P7)."""

    request = models.OneToOneField(
        AssistanceRequest,
        on_delete=models.CASCADE,
        related_name="brief",
        verbose_name=_("assistance request"),
    )
    context = models.TextField(_("context"))
    done = models.TextField(_("what was done"))
    results = models.TextField(_("results"))
    differently = models.TextField(_("what the State would do differently"), blank=True)
    written_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", verbose_name=_("written by")
    )
    updated_at = models.DateTimeField(_("updated at"))
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)

    class Meta:
        verbose_name = _("good-practice brief")
        verbose_name_plural = _("good-practice briefs")
        indexes = [models.Index(fields=["published_at"])]

    def __str__(self) -> str:
        return str(self.request)

    @property
    def awaits_the_states_approval(self) -> bool:
        """Last written by the secretariat and not published: a draft the State approves
        by publishing it."""
        return self.published_at is None and self.written_by.role != Role.FOCAL_POINT

    @property
    def version(self) -> str:
        """Which text of the brief a reader saw (when it was last written): the State
        publishes the text it read, not one changed since."""
        return self.updated_at.isoformat()


class AppendOnlyQuerySet(models.QuerySet[Any]):
    """Rows that record what happened: the application can add them, never change them."""

    def update(self, **kwargs: Any) -> int:
        raise NotAllowed(_("History and consent records cannot be changed."))

    def delete(self) -> tuple[int, dict[str, int]]:
        raise NotAllowed(_("History and consent records cannot be deleted."))


class AppendOnly(models.Model):
    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise NotAllowed(_("History and consent records cannot be changed."))
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise NotAllowed(_("History and consent records cannot be deleted."))


class Consent(AppendOnly):
    """What the State decided, when, through whom (A/HRC/43/31 paras 6, 62, 73, 89)."""

    request = models.ForeignKey(
        AssistanceRequest,
        on_delete=models.PROTECT,
        related_name="consents",
        verbose_name=_("assistance request"),
    )
    plan = models.ForeignKey(
        Plan,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="consents",
        verbose_name=_("plan"),
    )
    decision = models.CharField(_("decision"), max_length=16, choices=Decision)
    recorded_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    # Set when an officer records a decision the State sent in writing.
    document_reference = models.CharField(_("document reference"), max_length=100, blank=True)
    document_date = models.DateField(_("document date"), null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    recorded_at = models.DateTimeField(_("recorded at"))
    # The history row written in the same transaction: the timeline shows them together.
    history_entry = models.OneToOneField(
        "HistoryEntry",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="consent",
        verbose_name=_("history entry"),
    )

    class Meta:
        verbose_name_plural = _("consent records")
        ordering = ["recorded_at", "pk"]
        verbose_name = _("consent record")

    def __str__(self) -> str:
        return f"{self.get_decision_display()} ({self.recorded_at:%Y-%m-%d})"


class Message(AppendOnly):
    """A message of the dialogue between the State and the secretariat on a request
    (A/HRC/43/31 para 6: gaps are identified through constructive dialogue), or an
    internal note that only staff see. Kept as written, like history."""

    request = models.ForeignKey(
        AssistanceRequest,
        on_delete=models.PROTECT,
        related_name="messages",
        verbose_name=_("assistance request"),
    )
    author = models.ForeignKey(
        User, verbose_name=_("author"), on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("written at"))
    text = models.TextField(_("message"))
    internal = models.BooleanField(
        _("internal note"), default=False, help_text=_("Only the secretariat sees it.")
    )

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        indexes = [models.Index(fields=["request", "at"])]

    def __str__(self) -> str:
        return f"{self.author} ({self.at:%Y-%m-%d %H:%M})"


class DocumentKind(models.TextChoices):
    FORMAL_REQUEST = "formal_request", _("Note verbale or letter of request")
    CONSENT = "consent", _("Written consent or decision of the State")
    ASSESSMENT = "assessment", _("Needs-assessment report")
    PLAN = "plan", _("Plan document")
    EVALUATION = "evaluation", _("Evaluation report")
    OTHER = "other", _("Other document")


class Document(AppendOnly):
    """A file attached to a request, and to what it documents: a message, a plan
    version, a consent record, the needs assessment or an evaluation. Never changed:
    a correction is a new document that supersedes it, and both are kept."""

    request = models.ForeignKey(
        AssistanceRequest,
        on_delete=models.PROTECT,
        related_name="documents",
        verbose_name=_("assistance request"),
    )
    kind = models.CharField(_("kind of document"), max_length=32, choices=DocumentKind)
    name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    #: Where the bytes are in the documents storage; never derived from the name.
    blob = models.CharField(_("stored as"), max_length=255, unique=True, editable=False)
    uploaded_by = models.ForeignKey(
        User, verbose_name=_("uploaded by"), on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"))
    internal = models.BooleanField(_("internal"), default=False)
    message = models.ForeignKey(
        Message,
        verbose_name=_("message"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="documents",
    )
    plan = models.ForeignKey(
        Plan,
        verbose_name=_("plan version"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="documents",
    )
    consent = models.ForeignKey(
        Consent,
        verbose_name=_("consent record"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="documents",
    )
    assessment = models.ForeignKey(
        NeedsAssessment,
        verbose_name=_("needs assessment"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="documents",
    )
    evaluation = models.ForeignKey(
        Evaluation,
        verbose_name=_("evaluation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="documents",
    )
    supersedes = models.OneToOneField(
        "self",
        verbose_name=_("supersedes"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="superseded_by",
    )

    class Meta:
        ordering = ["uploaded_at", "pk"]
        verbose_name = _("document")
        verbose_name_plural = _("documents")

    def __str__(self) -> str:
        return self.name


class Reading(models.Model):
    """Up to when a person has read the conversation on a request (unread marks)."""

    user = models.ForeignKey(
        User, verbose_name=_("person"), on_delete=models.CASCADE, related_name="+"
    )
    request = models.ForeignKey(
        AssistanceRequest,
        verbose_name=_("assistance request"),
        on_delete=models.CASCADE,
        related_name="readings",
    )
    seen_at = models.DateTimeField(_("read up to"))

    class Meta:
        verbose_name = _("reading")
        verbose_name_plural = _("readings")
        constraints = [
            models.UniqueConstraint(fields=["user", "request"], name="one_reading_per_person")
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.request_id} {self.seen_at:%Y-%m-%d %H:%M}"


class HistoryEntry(AppendOnly):
    """One row per transition, written in the same transaction as the stage change."""

    request = models.ForeignKey(
        AssistanceRequest,
        on_delete=models.PROTECT,
        related_name="history",
        verbose_name=_("assistance request"),
    )
    from_stage = models.CharField(
        pgettext_lazy("a stage left", "from"), max_length=32, choices=Stage, blank=True
    )
    to_stage = models.CharField(
        pgettext_lazy("a stage entered", "to"), max_length=32, choices=Stage
    )
    transition = models.CharField(_("transition"), max_length=32)
    actor = models.ForeignKey(
        User, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("at"))
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("history entry")
        verbose_name_plural = _("history")
        indexes = [models.Index(fields=["request", "at"])]

    def __str__(self) -> str:
        return workflow.history_label(self.transition)


class NotificationStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENT = "sent", _("Sent")
    SKIPPED = "skipped", _("Skipped (no longer due)")
    FAILED = "failed", _("Failed")


class Notification(models.Model):
    """One e-mail event: a reminder that fell due or a notice of a transition.

    Unique per (request, kind, basis): ``basis`` is the moment the event is counted
    from (the stage entry for reminders, the transition for notices), so the same
    due event is recorded once however many sweeps find it. A worker sends it only
    after claiming it with a conditional UPDATE (tracker.notifications.reminders.claim).
    """

    request = models.ForeignKey(
        AssistanceRequest,
        on_delete=models.PROTECT,
        related_name="notifications",
        verbose_name=_("assistance request"),
    )
    kind = models.CharField(_("kind"), max_length=32, choices=NotificationKind)
    stage = models.CharField(_("stage"), max_length=32, choices=Stage, blank=True)
    basis = models.DateTimeField(_("counted from"))
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=NotificationStatus,
        default=NotificationStatus.PENDING,
    )
    created_at = models.DateTimeField(_("created at"))
    queued_at = models.DateTimeField(_("queued at"), null=True, blank=True)
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    recipients = models.TextField(_("recipients"), blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    #: The message a MESSAGE notice tells of.
    message = models.ForeignKey(
        "Message",
        verbose_name=_("message"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name_plural = _("notifications")
        ordering = ["-created_at"]
        verbose_name = _("notification")
        constraints = [
            models.UniqueConstraint(
                fields=["request", "kind", "basis"], name="one_notification_per_event"
            )
        ]
        indexes = [
            models.Index(
                fields=["queued_at"],
                name="pending_notifications",
                condition=Q(status="pending"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.request_id}, {self.basis:%Y-%m-%d})"


class ReferenceCounter(models.Model):
    """The last number given to a request in a year (TA-2026-0042)."""

    year = models.PositiveIntegerField(_("year"), primary_key=True)
    last = models.PositiveIntegerField(_("last"), default=0)

    class Meta:
        verbose_name = _("reference counter")
        verbose_name_plural = _("reference counters")

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class StandingCount(models.Model):
    """How many requests of a region stood in a stage at the end of a day, on each day
    that number changed (the standing backlog, ``tracker.figures.standing``): the backlog on
    any day is the last row of each stage and region up to it."""

    stage = models.CharField(_("stage"), max_length=32, choices=Stage)
    region = models.CharField(_("UN regional group"), max_length=32, choices=RegionalGroup)
    day = models.DateField(_("day"))
    total = models.IntegerField(_("requests"))

    class Meta:
        verbose_name = _("standing count")
        verbose_name_plural = _("standing counts")
        constraints = [
            # Also the index of the lookup: the last day up to a date, per stage and region.
            models.UniqueConstraint(fields=["stage", "region", "day"], name="one_count_per_day")
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.stage} {self.region} {self.total}"


class FigureTally(models.Model):
    """A count (and for funding, a sum) kept over the requests of a region (or of one
    of its States) opened in a year, so that the figures add up a few thousand rows
    instead of every request (``tracker.figures.tallies``). ``measure`` names the figure,
    ``item`` its line; each count is kept for the region and for the State (``state``
    empty: every State), each for every domain (``domain`` empty) and for each of the
    request's domains."""

    measure = models.CharField(_("measure"), max_length=32)
    item = models.CharField(_("item"), max_length=64, blank=True)
    region = models.CharField(_("UN regional group"), max_length=32, choices=RegionalGroup)
    state = models.CharField(_("State"), max_length=3, blank=True)
    domain = models.CharField(_("domain"), max_length=64, blank=True)
    year = models.PositiveSmallIntegerField(_("year"))
    count = models.BigIntegerField(_("count"), default=0)
    amount = models.DecimalField(_("amount"), max_digits=20, decimal_places=2, default=0)

    class Meta:
        verbose_name = _("figure tally")
        verbose_name_plural = _("figure tallies")
        constraints = [
            models.UniqueConstraint(
                fields=["measure", "item", "region", "state", "domain", "year"],
                name="one_tally_per_cell",
            )
        ]
        indexes = [models.Index(fields=["state", "domain", "region"])]

    def __str__(self) -> str:
        return f"{self.measure} {self.item} {self.region} {self.year}: {self.count}"


class DurationTally(models.Model):
    """How many stays in a stage (or waits for a State's decision on a plan) of a
    region (or of one of its States; of a domain; opened in a year) lasted exactly
    ``micros`` microseconds; ``bucket``
    groups close lengths, so that a median reads one bucket's rows (``tracker.figures.tallies``)."""

    kind = models.CharField(_("kind"), max_length=32)
    region = models.CharField(_("UN regional group"), max_length=32, choices=RegionalGroup)
    state = models.CharField(_("State"), max_length=3, blank=True)
    domain = models.CharField(_("domain"), max_length=64, blank=True)
    year = models.PositiveSmallIntegerField(_("year"))
    bucket = models.IntegerField(_("bucket"))
    micros = models.BigIntegerField(_("microseconds"))
    count = models.BigIntegerField(_("count"))

    class Meta:
        verbose_name = _("duration tally")
        verbose_name_plural = _("duration tallies")
        constraints = [
            # Also the index of a bucket's lengths, in order.
            models.UniqueConstraint(
                fields=["kind", "bucket", "micros", "region", "state", "domain", "year"],
                name="one_tally_per_length",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.micros} {self.region}: {self.count}"


class TalliedRequest(models.Model):
    """What one request adds to the tallies, as they last counted it: the difference
    with what it adds now is what a change moves. No foreign key: a deleted request's
    row stays until its share is taken back."""

    request_id = models.BigIntegerField(_("assistance request"), primary_key=True)
    counts = models.JSONField(_("counts"))
    durations = models.JSONField(_("durations"))

    class Meta:
        verbose_name = _("tallied request")
        verbose_name_plural = _("tallied requests")

    def __str__(self) -> str:
        return str(self.request_id)


class TallyChange(models.Model):
    """A request whose figures may have changed since the tallies last counted it:
    written in the change's own transaction, read (and removed) before any figure."""

    request_id = models.BigIntegerField(_("assistance request"))

    class Meta:
        verbose_name = _("tally change")
        verbose_name_plural = _("tally changes")

    def __str__(self) -> str:
        return str(self.request_id)
