"""Admin for reference data, accounts and the notifications log."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.admin import TOTPDeviceAdmin
from django_otp.plugins.otp_totp.models import TOTPDevice

from tracker.models import (
    NAME_FIELDS,
    AssistanceForm,
    Domain,
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
    list_display = ("username", "email", "role", "member_state", "is_active")
    list_filter = ("role", "is_active", "member_state__region")
    list_select_related = ("member_state",)
    fieldsets = (
        *(BaseUserAdmin.fieldsets or ()),
        (_("TA Tracker"), {"fields": ("role", "member_state", "supervisor", "language")}),
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
