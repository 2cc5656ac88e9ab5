"""The admin's sign-in pages after the password: the code step, and the two-factor
page where staff enrol an authenticator and renew their backup codes."""

from __future__ import annotations

from django import forms
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache

from tracker.web import signin


class CodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Code"),
        max_length=32,
        strip=True,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autofocus": True, "spellcheck": "false"}
        ),
        help_text=gettext_lazy(
            "The 6 digits your authenticator app shows now, or one of your backup codes."
        ),
    )


def _page(site, request: HttpRequest, template: str, title: str, **context) -> HttpResponse:
    return render(
        request,
        f"admin/tracker/signin/{template}.html",
        {**site.each_context(request), "title": title, **context},
    )


def code_step(site):
    @never_cache
    def view(request: HttpRequest) -> HttpResponse:
        user = signin.pending_user(request)
        if user is None:
            return redirect("admin:login")
        form = CodeForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            if signin.locked_out(request, user):
                signin.forget_pending(request)
                setattr(request, "axes_locked_out", True)  # noqa: B010  (django-axes' middleware answers)
                return HttpResponse(status=429)
            device = signin.verify(request, user, form.cleaned_data["code"])
            if device is not None:
                next_url = signin.pending_next(request, reverse("admin:index"))
                signin.complete(request, user, device)
                return redirect(next_url)
            if getattr(request, "axes_locked_out", False):
                signin.forget_pending(request)
            form.add_error(
                "code",
                _(
                    "That code is not right. Type the code your app shows now (it changes "
                    "every 30 seconds), or a backup code you have not used. After a wrong "
                    "code, wait a few seconds before the next try."
                ),
            )
        return _page(site, request, "code", _("Your code"), form=form, account=user)

    return view


def two_factor(site):
    @never_cache
    def view(request: HttpRequest) -> HttpResponse:
        user = request.user
        if not (user.is_authenticated and user.is_active and user.is_staff):
            return redirect_to_login(request.get_full_path(), reverse("admin:login"))
        if signin.pending_user(request) is not None:
            return redirect("admin:login_code")
        title = _("Two-factor sign-in")
        if signin.has_device(user):
            # New backup codes only on a code given now: a session left open is not
            # enough to read them.
            form = CodeForm(request.POST or None)
            if request.method == "POST" and form.is_valid():
                if signin.verify(request, user, form.cleaned_data["code"]) is not None:
                    renewed = signin.new_backup_codes(user)
                    return _page(
                        site, request, "backup_codes", _("Your new backup codes"), codes=renewed
                    )
                form.add_error(
                    "code", _("That code is not right: type the code the app shows now.")
                )
            left = signin.backup_codes_left(user)
            return _page(site, request, "two_factor", title, backup_codes_left=left, form=form)
        device = signin.start_enrolment(user)
        form = CodeForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            codes = signin.enrol_with_code(request, device, form.cleaned_data["code"])
            if codes is not None:
                return _page(
                    site,
                    request,
                    "backup_codes",
                    _("Your backup codes"),
                    codes=codes,
                    enrolled=True,
                )
            form.add_error("code", _("That code is not right: type the code the app shows now."))
        return _page(
            site,
            request,
            "enrol",
            title,
            form=form,
            qr_svg=signin.qr_svg(device),
            secret=signin.secret(device),
            required=signin.must_enrol(user),
        )

    return view
