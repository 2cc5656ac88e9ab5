from django.contrib.auth import views as auth
from django.urls import path, reverse_lazy

from tracker.portal import views
from tracker.web import signin

app_name = "portal"


def _auth(view, template, **kwargs):
    return view.as_view(template_name=f"portal/registration/{template}.html", **kwargs)


urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("requests/", views.all_requests, name="all"),
    path("requests/new/", views.new_request, name="new"),
    path("requests/<str:reference>/", views.request_detail, name="request"),
    path("requests/<str:reference>/publish/", views.publish, name="publish"),
    path("requests/<str:reference>/messages/", views.write, name="write"),
    path("requests/<str:reference>/brief/", views.brief, name="brief"),
    path("requests/<str:reference>/brief/publish/", views.publish_brief, name="publish_brief"),
    path("requests/<str:reference>/no-follow-up/", views.stop_follow_up, name="no_follow_up"),
    path("requests/<str:reference>/open-data/", views.open_data, name="open_data"),
    path("requests/<str:reference>/documents/", views.attach, name="attach"),
    path("requests/<str:reference>/documents/<int:pk>/", views.document, name="document"),
    path("requests/<str:reference>/<str:name>/", views.decide, name="decide"),
    path("priorities/", views.priorities, name="priorities"),
    path("good-practices/", views.practices, name="practices"),
    path("figures/", views.figures, name="figures"),
    path("figures/<slug:figure>.csv", views.figures_csv, name="figures_csv"),
    path("language/", views.language, name="language"),
    path("access/", views.access, name="access"),
    path("invitation/<str:key>/", views.invitation, name="invitation"),
    path(
        "login/",
        _auth(signin.PasswordStep, "login", redirect_authenticated_user=True),
        name="login",
    ),
    path("logout/", auth.LogoutView.as_view(next_page=reverse_lazy("portal:login")), name="logout"),
    path(
        "password/",
        _auth(
            auth.PasswordChangeView,
            "password_change",
            success_url=reverse_lazy("portal:password_changed"),
        ),
        name="password_change",
    ),
    path(
        "password/done/",
        _auth(auth.PasswordChangeDoneView, "password_changed"),
        name="password_changed",
    ),
    path(
        "password/reset/",
        _auth(
            auth.PasswordResetView,
            "password_reset",
            form_class=signin.LimitedPasswordResetForm,
            email_template_name="portal/registration/password_reset_email.txt",
            subject_template_name="portal/registration/password_reset_subject.txt",
            success_url=reverse_lazy("portal:password_reset_sent"),
        ),
        name="password_reset",
    ),
    path(
        "password/reset/sent/",
        _auth(auth.PasswordResetDoneView, "password_reset_sent"),
        name="password_reset_sent",
    ),
    path(
        "password/reset/<uidb64>/<token>/",
        _auth(
            auth.PasswordResetConfirmView,
            "password_reset_confirm",
            success_url=reverse_lazy("portal:password_reset_complete"),
        ),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/complete/",
        _auth(auth.PasswordResetCompleteView, "password_reset_complete"),
        name="password_reset_complete",
    ),
]
