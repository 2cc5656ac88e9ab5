"""What is done for a request: the needs assessment, the plan's versions and their
activities, the evaluations with their outcome indicators, the good-practice brief."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tracker.kernel.errors import NotAllowed
from tracker.kernel.vocabulary import (
    Decision,
    EvaluationKind,
    Role,
)
from tracker.models.reference import AssistanceForm, User
from tracker.models.requests import AssistanceRequest


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

    def approved_on(self) -> date | None:
        """The day the State approved this version: its letter's date, when an officer
        recorded the approval from one, else the day it was recorded."""
        approval = self.consents.filter(decision=Decision.APPROVED).order_by("recorded_at").first()
        if approval is None:
            return None
        return approval.document_date or timezone.localdate(approval.recorded_at)

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
