"""Admin for reference data, accounts and the notifications log."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.admin import TOTPDeviceAdmin
from django_otp.plugins.otp_totp.models import TOTPDevice

from tracker import services, workflow
from tracker.kernel.errors import DomainError
from tracker.models import (
    NAME_FIELDS,
    AssistanceForm,
    Domain,
    Invitation,
    MemberState,
    Notification,
    Provider,
    User,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Loaded by migrations or written by the service layer; nobody edits them here."""

    def get_readonly_fields(self, request, obj=None):
        # Every field read-only: no form field is built, so no related queryset either.
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(MemberState)
class MemberStateAdmin(ReadOnlyAdmin):
    list_display = ("code", *NAME_FIELDS, "region", "is_ldc", "under_agenda_item_10")
    list_filter = ("region", "is_ldc", "under_agenda_item_10", "is_observer")
    search_fields = ("code", *NAME_FIELDS)


@admin.register(Domain, AssistanceForm)
class VocabularyAdmin(ReadOnlyAdmin):
    list_display = ("code", *NAME_FIELDS)


@admin.register(Provider)
class ProviderAdmin(admin.ModelAdmin):
    list_display = ("name", "kind")
    list_filter = ("kind",)
    search_fields = ("name",)


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "email", "role", "member_state", "leads_state", "is_active")
    list_filter = ("role", "is_active", "leads_state", "member_state__region")
    list_select_related = ("member_state",)
    fieldsets = (
        *(BaseUserAdmin.fieldsets or ()),
        (
            _("TA Tracker"),
            {"fields": ("role", "member_state", "leads_state", "supervisor", "language")},
        ),
    )


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    """Reminders and notices; a failed one shows its error here."""

    list_display = (
        "created_at",
        "request",
        "kind",
        "status",
        "attempts",
        "recipients",
        "last_error",
    )
    list_filter = ("status", "kind")
    list_select_related = ("request",)
    search_fields = ("request__reference", "recipients")


class DeviceAdmin(TOTPDeviceAdmin):
    """django-otp's TOTP device admin, answering 404 (not 500) for an unknown device."""

    def config_view(self, request, pk):
        get_object_or_404(TOTPDevice, pk=pk)
        return super().config_view(request, pk)

    def qrcode_view(self, request, pk):
        get_object_or_404(TOTPDevice, pk=pk)
        return super().qrcode_view(request, pk)


admin.site.unregister(TOTPDevice)
admin.site.register(TOTPDevice, DeviceAdmin)


class InvitationForm(forms.ModelForm):
    class Meta:
        model = Invitation
        fields = ("member_state", "first_name", "last_name", "email", "language")

    def clean(self):
        data = super().clean() or {}
        state = data.get("member_state")
        problems = services.invitation_problems(
            state.pk if state else "",
            data.get("first_name", ""),
            data.get("last_name", ""),
            data.get("email", ""),
            data.get("language", ""),
        )
        for name, problem in problems.items():
            field = "member_state" if name == "state" else name
            if field not in self.errors:
                self.add_error(field, problem)
        return data


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    """Officers invite a State's focal point; the person chooses a password from the
    e-mailed link. Resent or cancelled from the list."""

    form = InvitationForm
    list_display = ("__str__", "member_state", "language", "invited_by", "sent_at", "status")
    list_filter = ("member_state__region",)
    search_fields = ("first_name", "last_name", "email", "member_state__name_en")
    actions = ("resend", "cancel")

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in Invitation._meta.fields if f.name != "id"] if obj else []

    def has_module_permission(self, request):
        return workflow.is_officer(request.user)

    def has_view_permission(self, request, obj=None):
        return workflow.is_officer(request.user)

    def has_add_permission(self, request):
        return workflow.is_officer(request.user)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("status"))
    def status(self, invitation):
        if invitation.accepted_at:
            return _("accepted")
        if invitation.cancelled_at:
            return _("cancelled")
        if invitation.expires_at <= timezone.now():
            return _("expired")
        return _("waiting")

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        sent = services.invite_focal_point(
            by=request.user,
            state=data["member_state"].pk,
            first_name=data["first_name"],
            last_name=data["last_name"],
            email=data["email"],
            language=data["language"],
        )
        obj.pk = sent.pk
        obj.refresh_from_db()

    def response_add(self, request, obj, post_url_continue=None):
        self.message_user(
            request,
            _("%(name)s is invited: the link goes to %(email)s, good for %(days)s days.")
            % {"name": obj, "email": obj.email, "days": settings.INVITATION_DAYS},
            messages.SUCCESS,
        )
        return HttpResponseRedirect(reverse("admin:tracker_invitation_changelist"))

    @admin.action(description=_("Send the selected invitations again, with new links"))
    def resend(self, request, queryset):
        self._each(
            request, queryset, services.resend_invitation, _("%(n)s invitations sent again.")
        )

    @admin.action(description=_("Cancel the selected invitations"))
    def cancel(self, request, queryset):
        self._each(request, queryset, services.cancel_invitation, _("%(n)s invitations cancelled."))

    def _each(self, request, queryset, service, done):
        n = 0
        for invitation in queryset:
            try:
                service(by=request.user, invitation=invitation)
            except DomainError as error:
                self.message_user(request, f"{invitation}: {error.message}", messages.WARNING)
            else:
                n += 1
        if n:
            self.message_user(request, done % {"n": n}, messages.SUCCESS)
