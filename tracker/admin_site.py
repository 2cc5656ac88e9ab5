"""The admin site, behind the staff sign-in: password, then the second factor that
``tracker.web.signin`` asks of the account (TOTP with backup codes, django-otp)."""

from __future__ import annotations

from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.admin.sites import AdminSite
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.views import LoginView
from django.http import HttpResponseRedirect
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from tracker.web import signin


class TrackerAdminSite(AdminSite):
    site_header = _("TA Tracker — secretariat")
    site_title = _("TA Tracker")
    index_title = _("Technical assistance requests")
    index_template = "admin/tracker/index.html"
    # The queue needs the width: the home page lists every model anyway.
    enable_nav_sidebar = False

    def has_permission(self, request) -> bool:
        # Whatever door the session came through, a staff account with a device is in
        # only once its code was checked, and one that must enrol only once it has.
        return super().has_permission(request) and signin.satisfied(request.user)

    def login(self, request, extra_context=None):
        """The password step; accounts with a device go on to the code step."""
        user = request.user
        if user.is_authenticated and user.is_active and user.is_staff:
            if signin.pending_user(request) is not None:
                return redirect("admin:login_code")
            if signin.must_enrol(user):
                return redirect("admin:two_factor")
        redirect_url = LoginView().get_redirect_url(request) or reverse(
            "admin:index", current_app=self.name
        )
        if request.method == "GET" and self.has_permission(request):
            return HttpResponseRedirect(redirect_url)
        context = {
            **self.each_context(request),
            "title": _("Log in"),
            "subtitle": None,
            "app_path": request.get_full_path(),
            "username": user.get_username(),
            REDIRECT_FIELD_NAME: redirect_url,
            **(extra_context or {}),
        }
        request.current_app = self.name
        return signin.PasswordStep.as_view(
            extra_context=context,
            next_page=reverse("admin:index", current_app=self.name),
            authentication_form=AdminAuthenticationForm,
            template_name="admin/tracker/login.html",
        )(request)

    def index(self, request, extra_context=None):
        from tracker.admin import home

        return super().index(request, {**home.context(request.user), **(extra_context or {})})

    def figures(self, request):
        """Every request in figures: officers and analysts alike."""
        from tracker.web import figures_page

        context = {
            **self.each_context(request),
            "title": _("Figures"),
            **figures_page.context(
                request, lambda figure: reverse("admin:figures_csv", args=[figure])
            ),
        }
        return TemplateResponse(request, "admin/tracker/figures.html", context)

    def figures_csv(self, request, figure):
        """One table of the Figures page as CSV."""
        from tracker.web import figures_page

        return figures_page.table_csv(request, figure)

    def get_urls(self):
        from tracker.admin import signin as views

        return [
            path("login/code/", views.code_step(self), name="login_code"),
            path("two-factor/", views.two_factor(self), name="two_factor"),
            path("figures/", self.admin_view(self.figures), name="figures"),
            path(
                "figures/<slug:figure>.csv",
                self.admin_view(self.figures_csv),
                name="figures_csv",
            ),
            *super().get_urls(),
        ]
