"""The read-only parts of a request's admin page: history, consents, plans, evaluation,
notices. Nothing here can be added, changed or deleted (history is kept)."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Case, When
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tracker import workflow
from tracker.kernel.vocabulary import EvaluationKind
from tracker.models import (
    Consent,
    Document,
    Evaluation,
    Funding,
    HistoryEntry,
    LinkedRecommendation,
    Message,
    NeedsAssessment,
    Notification,
    Plan,
)


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class HistoryInline(ReadOnlyInline):
    model = HistoryEntry
    fields = readonly_fields = ("at", "step", "from_stage", "to_stage", "actor", "comment")
    verbose_name_plural = gettext_lazy("History")

    @admin.display(description=gettext_lazy("step"))
    def step(self, entry: HistoryEntry) -> str:
        return workflow.history_label(entry.transition)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")


class ConsentInline(ReadOnlyInline):
    model = Consent
    fields = readonly_fields = (
        "recorded_at",
        "decision",
        "plan",
        "recorded_by",
        "document_reference",
        "document_date",
        "letters",
        "comment",
    )

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("plan", "recorded_by")
            .prefetch_related("documents")
        )

    @admin.display(description=gettext_lazy("the State's letter"))
    def letters(self, consent: Consent) -> str:
        links = ((_download_url(d), d.name) for d in consent.documents.all())
        return format_html_join(", ", '<a href="{}" download>{}</a>', links) or "—"


class FundingInline(ReadOnlyInline):
    model = Funding
    fields = readonly_fields = ("source", "amount", "currency")


class RecommendationInline(ReadOnlyInline):
    model = LinkedRecommendation
    fields = readonly_fields = (
        "source",
        "document_symbol",
        "upr_cycle",
        "recommending_state",
        "mandate",
        "text",
    )

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("recommending_state")


class AssessmentInline(ReadOnlyInline):
    model = NeedsAssessment
    fields = readonly_fields = ("findings", "gaps", "assessed_by", "updated_at")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("assessed_by")


class PlanInline(ReadOnlyInline):
    model = Plan
    fields = readonly_fields = (
        "version",
        "summary",
        "budget",
        "provider_list",
        "activity_list",
        "proposed_at",
    )

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .prefetch_related("providers", "activities__form")
            .order_by("-version")
        )

    @admin.display(description=gettext_lazy("Budget"))
    def budget(self, plan: Plan) -> str:
        return f"{plan.budget_amount:,.2f} {plan.budget_currency}"

    @admin.display(description=gettext_lazy("Providers"))
    def provider_list(self, plan: Plan) -> str:
        return ", ".join(p.name for p in plan.providers.all()) or "—"

    @admin.display(description=gettext_lazy("Activities"))
    def activity_list(self, plan: Plan) -> str:
        return format_html_join(
            "",
            "<div>{} — {} {}</div>",
            (
                (
                    a.form,
                    a.title,
                    _("(delivered %(date)s, %(n)s participants)")
                    % {"date": a.delivered_on, "n": a.participants or 0}
                    if a.delivered_on
                    else "",
                )
                for a in plan.activities.all()
            ),
        )


class EvaluationInline(ReadOnlyInline):
    model = Evaluation
    fields = readonly_fields = (
        "kind",
        "measured_on",
        "summary",
        "indicator_list",
        "lessons_learned",
        "lessons_published",
        "updated_at",
    )

    def get_queryset(self, request):
        # The final evaluation first, then the follow-ups in the order measured.
        final_first = Case(When(kind=EvaluationKind.FINAL, then=0), default=1)
        return (
            super()
            .get_queryset(request)
            .prefetch_related("indicators")
            .order_by(final_first, "measured_on", "pk")
        )

    @admin.display(description=gettext_lazy("Outcome indicators"))
    def indicator_list(self, evaluation: Evaluation) -> str:
        return format_html_join(
            "",
            "<div>{}: {} → {} ({})</div>",
            (
                (i.name, i.baseline, i.target, _("measured %(value)s") % {"value": i.measured})
                for i in evaluation.indicators.all()
            ),
        )


class MessageInline(ReadOnlyInline):
    model = Message
    fields = readonly_fields = ("at", "author", "note", "text", "attachments")
    verbose_name_plural = gettext_lazy("Conversation with the State")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("author").prefetch_related("documents")

    @admin.display(description=gettext_lazy("kind"))
    def note(self, message: Message) -> str:
        return _("Internal note") if message.internal else _("Message")

    @admin.display(description=gettext_lazy("attachments"))
    def attachments(self, message: Message) -> str:
        links = ((_download_url(d), d.name) for d in message.documents.all())
        return format_html_join(", ", '<a href="{}" download>{}</a>', links)


class DocumentInline(ReadOnlyInline):
    model = Document
    fields = readonly_fields = (
        "uploaded_at",
        "link",
        "kind",
        "size",
        "uploaded_by",
        "belongs_to",
        "replaced_by",
    )

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("uploaded_by", "superseded_by", "plan", "consent", "message")
        )

    @admin.display(description=gettext_lazy("file"))
    def link(self, document: Document) -> str:
        return format_html('<a href="{}" download>{}</a>', _download_url(document), document.name)

    @admin.display(description=gettext_lazy("belongs to"))
    def belongs_to(self, document: Document) -> str:
        if document.plan is not None:
            return _("Plan version %(version)s") % {"version": document.plan.version}
        if document.consent is not None:
            return str(document.consent)
        if document.message is not None:
            return _("Internal note") if document.internal else _("Message")
        if document.assessment_id is not None:
            return _("Needs assessment")
        if document.evaluation_id is not None:
            return _("Evaluation")
        return _("The request itself")

    @admin.display(description=gettext_lazy("replaced by"))
    def replaced_by(self, document: Document) -> str:
        replacement = getattr(document, "superseded_by", None)
        return replacement.name if replacement is not None else "—"


def _download_url(document: Document) -> str:
    return reverse(
        "admin:tracker_assistancerequest_document_download",
        args=[document.request_id, document.pk],
    )


class NotificationInline(ReadOnlyInline):
    model = Notification
    fields = readonly_fields = (
        "created_at",
        "kind",
        "status",
        "recipients",
        "sent_at",
        "attempts",
        "last_error",
    )
    verbose_name_plural = gettext_lazy("Reminders and notices")
