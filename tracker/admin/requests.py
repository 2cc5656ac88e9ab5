"""The secretariat's admin for assistance requests.

Every write goes through ``tracker.services``: the change page is read-only, and
each transition or piece of content (assessment, plan, delivery, evaluation) has its
own small form whose submission calls the service. A refusal is shown as an admin
message with the officer's input kept; nothing is half-applied because each service
call is one transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import F, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tracker import deadlines, services, workflow
from tracker.admin import forms
from tracker.errors import DomainError
from tracker.exports import REQUEST_COLUMNS, csv_response, request_rows
from tracker.models import (
    Activity,
    AssistanceRequest,
    Consent,
    Evaluation,
    EvaluationKind,
    Funding,
    HistoryEntry,
    LinkedRecommendation,
    NeedsAssessment,
    Notification,
    Plan,
)
from tracker.services import ActivityDraft, FormalRequest, IndicatorDraft
from tracker.workflow import Stage

# --- read-only inlines -------------------------------------------------------------------


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
    fields = readonly_fields = ("at", "transition", "from_stage", "to_stage", "actor", "comment")
    verbose_name_plural = gettext_lazy("History")

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
        "comment",
    )

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("plan", "recorded_by")


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
        "summary",
        "indicator_list",
        "lessons_learned",
        "lessons_published",
        "updated_at",
    )

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("indicators")

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


# --- list filters -----------------------------------------------------------------------


class OverdueFilter(admin.SimpleListFilter):
    title = gettext_lazy("overdue")
    parameter_name = "overdue"

    def lookups(self, request, model_admin):
        return [("yes", _("Yes")), ("no", _("No"))]

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(overdue=self.value() == "yes")
        return queryset


# --- the request admin --------------------------------------------------------------------

#: Content the secretariat records, and the stages where it may (workflow.py decides).
CONTENT_ACTIONS = {
    "assessment": (gettext_lazy("Record needs assessment"), workflow.ASSESSMENT_STAGES),
    "plan": (gettext_lazy("Propose plan version"), workflow.PLANNING_STAGES),
    "delivery": (gettext_lazy("Record delivery"), workflow.DELIVERY_STAGES),
    "evaluation": (gettext_lazy("Record evaluation"), workflow.EVALUATION_STAGES),
}


@admin.register(AssistanceRequest)
class AssistanceRequestAdmin(admin.ModelAdmin):
    list_display = (
        "reference",
        "requesting_state",
        "title",
        "stage",
        "officer",
        "days_in_stage",
        "overdue",
        "priority",
    )
    list_display_links = ("reference", "title")
    list_filter = (
        "stage",
        OverdueFilter,
        "requesting_state__region",
        ("officer", admin.RelatedOnlyFieldListFilter),
        "domains",
        "funding__source",
        ("requesting_state", admin.RelatedOnlyFieldListFilter),
    )
    search_fields = ("reference", "title", "requesting_state__name_en", "requesting_state__name_fr")
    list_select_related = ("requesting_state", "officer")
    list_per_page = 100
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
                    "forms",
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
        return (
            self.model._default_manager.get_queryset()
            .annotate(overdue=deadlines.overdue_annotation(timezone.now()))
            .order_by(*self.get_ordering(request))
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

    # Permissions: everything changes through the actions below, never the form.

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        # Every request has history, and history is kept (DESIGN.md "The workflow").
        return False

    def has_add_permission(self, request):
        return super().has_add_permission(request) and workflow.is_officer(request.user)

    def has_assign_permission(self, request):
        return workflow.is_officer(request.user)

    # URLs of the actions.

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path(
                "<path:object_id>/transition/<str:name>/",
                view(self.transition_view),
                name="tracker_assistancerequest_transition",
            ),
            *(
                path(
                    f"<path:object_id>/{action}/",
                    view(self._officers_only(getattr(self, f"{action}_view"))),
                    name=f"tracker_assistancerequest_{action}",
                )
                for action in CONTENT_ACTIONS
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, object_id)
        extra_context = extra_context or {}
        if obj is not None:
            extra_context["request_actions"] = self._actions_for(request, obj)
        return super().change_view(request, object_id, form_url, extra_context)

    def _actions_for(self, request: HttpRequest, obj: AssistanceRequest) -> list[dict[str, str]]:
        """Buttons for exactly what this user may do now."""
        links = [
            {
                "label": workflow.custom(name)["label"],
                "url": reverse("admin:tracker_assistancerequest_transition", args=[obj.pk, name]),
            }
            for name in workflow.available_transitions(obj, request.user)
        ]
        if workflow.is_officer(request.user):
            links += [
                {
                    "label": label,
                    "url": reverse(f"admin:tracker_assistancerequest_{action}", args=[obj.pk]),
                }
                for action, (label, stages) in CONTENT_ACTIONS.items()
                if obj.stage in stages
            ]
        return links

    # Opening a request received on paper (P1).

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = forms.OpenRequestForm(request.POST or None)

        def perform() -> AssistanceRequest:
            data = form.cleaned_data
            return services.open_request(
                by=request.user,
                title=data["title"],
                description=data["description"],
                requesting_state=data["requesting_state"],
                formal_request=FormalRequest(
                    data["received_via"], data["document_number"], data["document_date"]
                )
                if data["document_number"] or data["document_date"]
                else None,
                domains=[d.code for d in data["domains"]],
                forms=[f.code for f in data["assistance_forms"]],
            )

        return self._action(
            request,
            None,
            title=_("Log a request received from a State"),
            forms=[form],
            perform=perform,
            done=_("Request %(reference)s logged."),
        )

    # Transitions.

    def transition_view(self, request: HttpRequest, object_id: str, name: str) -> HttpResponse:
        obj = self._get_or_404(request, object_id)
        try:
            form_class = forms.TRANSITION_FORMS[name]
            workflow.check(obj, name, request.user)
        except KeyError as missing:
            raise Http404 from missing
        except DomainError as error:
            self.message_user(request, error.message, messages.ERROR)
            return HttpResponseRedirect(self._change_url(obj))
        latest = obj.latest_plan()
        form = form_class(
            request.POST or None,
            initial={"revision": obj.revision, "plan_version": latest and latest.version},
        )
        return self._action(
            request,
            obj,
            title=workflow.custom(name)["label"],
            forms=[form],
            perform=lambda: services.take_transition(
                request=obj,
                name=name,
                by=request.user,
                expected_revision=form.cleaned_data["revision"],
                **form.inputs(),
            ),
            done=_("%(reference)s: done."),
        )

    # Content.

    def assessment_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        obj = self._get_or_404(request, object_id)
        current = NeedsAssessment.objects.filter(request=obj).first()
        form = forms.AssessmentForm(
            request.POST or None,
            initial={"findings": current.findings, "gaps": current.gaps} if current else None,
        )
        return self._action(
            request,
            obj,
            title=_("Record needs assessment"),
            forms=[form],
            perform=lambda: services.record_assessment(
                request=obj, by=request.user, **form.cleaned_data
            ),
            done=_("%(reference)s: needs assessment recorded."),
        )

    def plan_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        obj = self._get_or_404(request, object_id)
        form = forms.PlanForm(request.POST or None)
        activities = forms.ActivityFormSet(request.POST or None, prefix="activities")

        def perform() -> Plan:
            return services.propose_plan(
                request=obj,
                by=request.user,
                activities=[
                    ActivityDraft(
                        form=a["form"].code,
                        title=a["title"],
                        place=a["place"],
                        starts_on=a["starts_on"],
                        ends_on=a["ends_on"],
                    )
                    for a in activities.cleaned_data
                    if a
                ],
                **form.cleaned_data,
            )

        return self._action(
            request,
            obj,
            title=_("Propose a plan version"),
            forms=[form, activities],
            perform=perform,
            done=_("%(reference)s: plan version proposed; the State must approve it."),
        )

    def delivery_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        obj = self._get_or_404(request, object_id)
        approved = obj.approved_plan()
        form = forms.DeliveryForm(
            request.POST or None,
            activities=approved.activities.all() if approved else Activity.objects.none(),
        )

        def perform() -> Activity:
            data = dict(form.cleaned_data)
            return services.record_delivery(
                activity=data.pop("activity"),
                by=request.user,
                delivered_on=data["delivered_on"],
                participants=data["participants"],
                place=data["place"] or None,
            )

        return self._action(
            request,
            obj,
            title=_("Record the delivery of an activity"),
            forms=[form],
            perform=perform,
            done=_("%(reference)s: delivery recorded."),
        )

    def evaluation_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        obj = self._get_or_404(request, object_id)
        current = Evaluation.objects.filter(request=obj, kind=EvaluationKind.FINAL).first()
        form = forms.EvaluationForm(
            request.POST or None,
            initial={"summary": current.summary, "lessons_learned": current.lessons_learned}
            if current
            else None,
        )
        indicators = forms.IndicatorFormSet(
            request.POST or None,
            prefix="indicators",
            initial=list(
                current.indicators.values("name", "unit", "baseline", "target", "measured")
            )
            if current
            else None,
        )
        return self._action(
            request,
            obj,
            title=_("Record the evaluation"),
            forms=[form, indicators],
            perform=lambda: services.record_evaluation(
                request=obj,
                by=request.user,
                indicators=[IndicatorDraft(**i) for i in indicators.cleaned_data if i],
                **form.cleaned_data,
            ),
            done=_("%(reference)s: evaluation recorded."),
        )

    # Bulk actions.

    @admin.action(description=gettext_lazy("Assign an officer"), permissions=["assign"])
    def assign_officer(self, request: HttpRequest, queryset: QuerySet[AssistanceRequest]):
        form = forms.AssignOfficerForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            done, refused = 0, []
            for obj in queryset:
                try:
                    services.assign_officer(
                        request=obj, by=request.user, officer=form.cleaned_data["officer"]
                    )
                    done += 1
                except DomainError as error:
                    refused.append(error.message)
            self.message_user(
                request, _("%(n)s requests assigned.") % {"n": done}, messages.SUCCESS
            )
            for message in refused:
                self.message_user(request, message, messages.WARNING)
            return None
        return TemplateResponse(
            request,
            "admin/tracker/assistancerequest/assign_officer.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "title": _("Assign an officer"),
                "form": form,
                "requests": queryset,
                "selected": request.POST.getlist(admin.helpers.ACTION_CHECKBOX_NAME),
            },
        )

    @admin.action(description=gettext_lazy("Export selected to CSV"))
    def export_csv(self, request: HttpRequest, queryset: QuerySet[AssistanceRequest]):
        return csv_response("requests.csv", REQUEST_COLUMNS, request_rows(queryset))

    # Helpers.

    def _get_or_404(self, request: HttpRequest, object_id: str) -> AssistanceRequest:
        obj = self.get_object(request, object_id)
        if obj is None or not self.has_view_permission(request, obj):
            raise Http404
        return obj

    def _officers_only(self, view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        """Content forms are the secretariat's; others are sent back with the reason."""

        def guarded(request: HttpRequest, object_id: str) -> HttpResponse:
            if workflow.is_officer(request.user):
                return view(request, object_id)
            obj = self._get_or_404(request, object_id)
            self.message_user(
                request,
                workflow.STAFF.denial(obj, _("record the content of a request")),
                messages.ERROR,
            )
            return HttpResponseRedirect(self._change_url(obj))

        return guarded

    def _change_url(self, obj: AssistanceRequest) -> str:
        return reverse("admin:tracker_assistancerequest_change", args=[obj.pk])

    def _action(
        self,
        request: HttpRequest,
        obj: AssistanceRequest | None,
        *,
        title: str,
        forms: list[Any],
        perform: Callable[[], Any],
        done: str,
    ) -> HttpResponse:
        """Show the forms; on a valid POST call the service once.

        A refusal becomes an admin message and the form is shown again with what was
        typed; success goes back to the request.
        """
        if request.method == "POST" and all(f.is_valid() for f in forms):
            try:
                result = perform()
            except DomainError as error:
                self.message_user(request, error.message, messages.ERROR)
            else:
                target = result if isinstance(result, AssistanceRequest) else obj
                self.message_user(request, done % {"reference": target.reference}, messages.SUCCESS)
                return HttpResponseRedirect(self._change_url(target))
        return TemplateResponse(
            request,
            "admin/tracker/action_form.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "title": title,
                "original": obj,
                "forms": forms,
                "stage_label": Stage(obj.stage).label if obj else "",
            },
        )
