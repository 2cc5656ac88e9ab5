"""The append-only records: consents, messages, documents, readings and the history."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from tracker import workflow
from tracker.kernel.errors import NotAllowed
from tracker.kernel.vocabulary import (
    Decision,
    Stage,
)
from tracker.models.delivery import Evaluation, NeedsAssessment, Plan
from tracker.models.reference import User
from tracker.models.requests import AssistanceRequest


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
