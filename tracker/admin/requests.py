"""The secretariat's admin for assistance requests: the list and the change page.

Every write goes through ``tracker.services``: the change page is read-only, and its
buttons lead to the step pages (``steps.py``), each a small form whose submission
calls the service. Reads go through ``tracker.selectors``.
"""

from __future__ import annotations

from django.contrib import admin
from django.db.models import F, Q
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from tracker import selectors, services, workflow
from tracker.admin.bulk import BulkActions
from tracker.admin.inlines import (
    AssessmentInline,
    ConsentInline,
    DocumentInline,
    EvaluationInline,
    FundingInline,
    HistoryInline,
    MessageInline,
    NotificationInline,
    PlanInline,
    RecommendationInline,
)
from tracker.admin.steps import RequestSteps
from tracker.kernel.collation import collated
from tracker.models import NAME_FIELDS, AssistanceRequest, RecommendationSource
from tracker.web.pagination import BoundedPaginator
from tracker.workflow import deadlines


class OverdueFilter(admin.SimpleListFilter):
    title = gettext_lazy("overdue")
    parameter_name = "overdue"

    def lookups(self, request, model_admin):
        return [("yes", _("Yes")), ("no", _("No"))]

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(overdue=self.value() == "yes")
        return queryset


class AssignedFilter(admin.SimpleListFilter):
    """Whose requests: an officer lands on their own; everyone can widen it."""

    title = gettext_lazy("assigned to")
    parameter_name = "assigned"

    def __init__(self, request, params, model, model_admin):
        self.default = "mine" if workflow.is_officer(request.user) else "all"
        super().__init__(request, params, model, model_admin)

    def lookups(self, request, model_admin):
        return [("mine", _("Me")), ("unassigned", _("Nobody yet")), ("all", _("Anyone"))]

    def value(self):
        return super().value() or self.default

    def choices(self, changelist):
        # No separate "All": "Anyone" is it, and the default is an officer's own.
        for lookup, title in self.lookup_choices:
            yield {
                "selected": self.value() == lookup,
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }

    def queryset(self, request, queryset):
        if self.value() == "mine":
            return queryset.filter(officer_id=request.user.pk)
        if self.value() == "unassigned":
            return queryset.filter(officer__isnull=True)
        return queryset


class UprFilter(admin.SimpleListFilter):
    """Requests that follow up recommendations of the universal periodic review
    (A/HRC/43/31 para 115)."""

    title = gettext_lazy("follows up the UPR")
    parameter_name = "upr"

    def lookups(self, request, model_admin):
        return [("yes", _("Yes")), ("no", _("No"))]

    def queryset(self, request, queryset):
        linked = Q(recommendations__source=RecommendationSource.UPR)
        if self.value() == "yes":
            return queryset.filter(linked).distinct()
        if self.value() == "no":
            return queryset.exclude(linked)
        return queryset


class NamedFilter(admin.RelatedOnlyFieldListFilter):
    """Related rows (States, officers) in the reader's alphabetical order."""

    def field_choices(self, field, request, model_admin):
        return collated(super().field_choices(field, request, model_admin), key=lambda c: c[1])


@admin.register(AssistanceRequest)
class AssistanceRequestAdmin(RequestSteps, BulkActions, admin.ModelAdmin):
    list_display = (
        "reference",
        "requesting_state",
        "title",
        "stage",
        "officer",
        "days_in_stage",
        "overdue",
        "priority",
        "unread",
    )
    list_display_links = ("reference", "title")
    list_filter = (
        AssignedFilter,
        "stage",
        OverdueFilter,
        "requesting_state__region",
        # A/HRC/43/31 para 112 (least developed countries) and para 63 (agenda item 10).
        "requesting_state__is_ldc",
        "requesting_state__under_agenda_item_10",
        UprFilter,
        ("officer", NamedFilter),
        "domains",
        "funding__source",
        ("requesting_state", NamedFilter),
    )
    search_fields = ("reference", "title", *(f"requesting_state__{f}" for f in NAME_FIELDS))
    list_select_related = ("requesting_state", "officer")
    list_per_page = 100
    # A page of the queue never counts every request: at most 10 001 rows, and no
    # second count of the whole table (tracker.web.pagination).
    paginator = BoundedPaginator
    show_full_result_count = False
    actions = ("assign_officer", "export_csv")
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "reference",
                    "requesting_state",
                    "title",
                    "description",
                    "domains",
                    "assistance_forms",
                )
            },
        ),
        (
            gettext_lazy("Formal request"),
            {"fields": ("received_via", "document_number", "document_date", "opened_at")},
        ),
        (
            gettext_lazy("Workflow"),
            {
                "fields": (
                    "stage",
                    "stage_entered_at",
                    "days_in_stage",
                    "overdue",
                    "officer",
                    "priority",
                )
            },
        ),
    )
    readonly_fields = ("days_in_stage", "overdue")
    inlines = (
        MessageInline,
        DocumentInline,
        RecommendationInline,
        FundingInline,
        AssessmentInline,
        PlanInline,
        EvaluationInline,
        ConsentInline,
        HistoryInline,
        NotificationInline,
    )

    # Queryset and ordering: overdue first, then the State's own priority (P3).

    def get_queryset(self, request):
        # Annotate before ordering: the default order needs ``overdue``.
        return selectors.with_unread(
            selectors.visible_requests(request.user)
            .annotate(overdue=deadlines.overdue_annotation(timezone.now()))
            .order_by(*self.get_ordering(request)),
            request.user,
        )

    def get_ordering(self, request):
        return ["-overdue", F("priority").asc(nulls_last=True), "opened_at"]

    @admin.display(description=gettext_lazy("days in stage"))
    def days_in_stage(self, obj: AssistanceRequest) -> int:
        return obj.days_in_stage

    @admin.display(description=gettext_lazy("overdue"), ordering="overdue")
    def overdue(self, obj: AssistanceRequest) -> str:
        # Words, not a green tick: being overdue is not good news.
        if getattr(obj, "overdue", obj.is_overdue):
            return format_html('<strong class="errornote">{}</strong>', _("Overdue"))
        return "—"

    @admin.display(description=gettext_lazy("new messages"), ordering="unread")
    def unread(self, obj: AssistanceRequest) -> str:
        count = getattr(obj, "unread", 0)
        if not count:
            return "—"
        return format_html(
            '<strong class="unread">{}</strong>',
            ngettext("%(n)s new", "%(n)s new", count) % {"n": count},
        )

    # Permissions: everything changes through the actions below, never the form.

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        # Every request has history, and history is kept (docs/design.md, "The workflow").
        return False

    def has_add_permission(self, request):
        return super().has_add_permission(request) and workflow.is_officer(request.user)

    # The step pages (steps.py) and the buttons that lead to them.

    def get_inline_instances(self, request, obj=None):
        # A section with nothing in it is not shown: one query tells which have rows.
        inlines = super().get_inline_instances(request, obj)
        if obj is None:
            return inlines
        filled = selectors.sections_with_rows(obj, [inline.model for inline in inlines])
        return [inline for inline in inlines if inline.model in filled]

    def get_urls(self):
        return [*self.step_urls(), *super().get_urls()]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, object_id)
        extra_context = extra_context or {}
        if obj is not None:
            services.mark_read(ta_request=obj, by=request.user)
            extra_context["request_actions"] = self.step_buttons(request, obj)
            extra_context["due"] = deadlines.due_at(obj.stage, obj.stage_entered_at)
        return super().change_view(request, object_id, form_url, extra_context)
