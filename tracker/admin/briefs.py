"""Good-practice briefs in the admin: read-only here (the State writes and publishes
them; an officer drafts one from its request's page, ``RequestSteps.brief_view``), and
exported for the Council: the published ones, as a page to print or as CSV."""

from __future__ import annotations

from django.contrib import admin
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy

from tracker import selectors
from tracker.admin.reference import ReadOnlyAdmin
from tracker.interop.exports import BRIEF_COLUMNS, brief_rows, csv_response
from tracker.models import Brief


class PublishedFilter(admin.SimpleListFilter):
    title = gettext_lazy("published by the State")
    parameter_name = "published"

    def lookups(self, request, model_admin):
        return [("yes", gettext_lazy("Yes")), ("no", gettext_lazy("No"))]

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(published_at__isnull=self.value() == "no")
        return queryset


@admin.register(Brief)
class BriefAdmin(ReadOnlyAdmin):
    list_display = ("request", "state", "published_at", "updated_at")
    list_filter = (PublishedFilter, "request__requesting_state__region", "request__domains")
    search_fields = ("request__reference", "request__title", "context", "done", "results")
    list_select_related = ("request__requesting_state",)
    actions = ("export_html", "export_csv")

    @admin.display(description=gettext_lazy("State"))
    def state(self, brief: Brief) -> str:
        return brief.request.requesting_state.name

    def _published(self, queryset):
        # Only what the State chose to publish leaves TA Tracker (P7).
        chosen = set(queryset.values_list("pk", flat=True))
        return [b for b in selectors.published_briefs() if b.pk in chosen]

    @admin.action(description=gettext_lazy("Export the published briefs as a page to print"))
    def export_html(self, request, queryset):
        return TemplateResponse(
            request, "admin/tracker/brief/export.html", {"briefs": self._published(queryset)}
        )

    @admin.action(description=gettext_lazy("Export the published briefs as CSV"))
    def export_csv(self, request, queryset):
        return csv_response("briefs.csv", BRIEF_COLUMNS, brief_rows(self._published(queryset)))
