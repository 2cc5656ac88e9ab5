"""Admin for reference data, accounts and the notifications log."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from tracker.models import AssistanceForm, Domain, MemberState, Notification, Provider, User


class ReadOnlyAdmin(admin.ModelAdmin):
    """Loaded by migrations; nobody edits them in the admin."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(MemberState)
class MemberStateAdmin(ReadOnlyAdmin):
    list_display = ("code", "name_en", "name_fr", "region", "is_ldc", "under_agenda_item_10")
    list_filter = ("region", "is_ldc", "under_agenda_item_10", "is_observer")
    search_fields = ("code", "name_en", "name_fr")


@admin.register(Domain, AssistanceForm)
class VocabularyAdmin(ReadOnlyAdmin):
    list_display = ("code", "name_en", "name_fr")


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
        *BaseUserAdmin.fieldsets,
        (_("TA Tracker"), {"fields": ("role", "member_state", "supervisor", "language")}),
    )


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    """Reminders and notices; a failed one shows its error here."""

    list_display = ("created_at", "request", "kind", "status", "attempts", "recipients",
                    "last_error")  # fmt: skip
    list_filter = ("status", "kind")
    list_select_related = ("request",)
    search_fields = ("request__reference", "recipients")
