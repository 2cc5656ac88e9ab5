"""Bulk actions on the request list: assign an officer, export to CSV."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db.models import QuerySet
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tracker import services, workflow
from tracker.admin import forms
from tracker.interop.exports import REQUEST_COLUMNS, csv_response, request_rows
from tracker.kernel.errors import DomainError
from tracker.models import AssistanceRequest
from tracker.web.http import SignedInRequest

if TYPE_CHECKING:
    _ModelAdmin = admin.ModelAdmin[AssistanceRequest]
else:
    _ModelAdmin = object


class BulkActions(_ModelAdmin):
    """The bulk actions of ``AssistanceRequestAdmin`` (a ModelAdmin mixin)."""

    def has_assign_permission(self, request):
        return workflow.is_officer(request.user)

    @admin.action(description=gettext_lazy("Assign an officer"), permissions=["assign"])
    def assign_officer(self, request: SignedInRequest, queryset: QuerySet[AssistanceRequest]):
        form = forms.AssignOfficerForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            done, refused = 0, []
            for obj in queryset:
                try:
                    services.assign_officer(
                        ta_request=obj, by=request.user, officer=form.cleaned_data["officer"]
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
                "selected": request.POST.getlist(helpers.ACTION_CHECKBOX_NAME),
            },
        )

    @admin.action(description=gettext_lazy("Export selected to CSV"))
    def export_csv(self, request: SignedInRequest, queryset: QuerySet[AssistanceRequest]):
        return csv_response("requests.csv", REQUEST_COLUMNS, request_rows(queryset))
