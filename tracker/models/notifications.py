"""Notices and reminders, each claimed once before it is sent (tracker.notifications)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tracker.kernel.vocabulary import (
    NotificationKind,
    Stage,
)
from tracker.models.requests import AssistanceRequest


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
