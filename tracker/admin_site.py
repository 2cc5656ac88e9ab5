"""The admin site: two-factor (TOTP, django-otp) available to all staff, required for
superusers."""

from __future__ import annotations

from django.contrib.admin.sites import AdminSite
from django.utils.translation import gettext_lazy as _
from django_otp.forms import OTPAuthenticationForm


class TrackerAdminSite(AdminSite):
    site_header = _("TA Tracker — secretariat")
    site_title = _("TA Tracker")
    index_title = _("Technical assistance requests")
    # Asks for the one-time code of anyone who has a TOTP device.
    login_form = OTPAuthenticationForm
    login_template = "admin/tracker/login.html"

    def has_permission(self, request) -> bool:
        user = request.user
        if not super().has_permission(request):
            return False
        # A superuser can change everything: only with a verified second factor.
        return not user.is_superuser or user.is_verified()
