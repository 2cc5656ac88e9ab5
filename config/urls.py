from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from tracker.portal.views import open_brief

urlpatterns = [
    path("", RedirectView.as_view(url="/portal/", permanent=False)),
    path("portal/", include("tracker.portal.urls")),
    # The admin login page offers this link; one password reset serves every account.
    path(
        "admin/password-reset/",
        RedirectView.as_view(pattern_name="portal:password_reset"),
        name="admin_password_reset",
    ),
    path("admin/", admin.site.urls),
    # Public: the briefs the open-data export links to.
    path("open/briefs/<str:reference>/", open_brief, name="open_brief"),
    path("api/v1/", include("tracker.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
]

handler400 = "tracker.web.errorpages.bad_request"
handler403 = "tracker.web.errorpages.permission_denied"
handler404 = "tracker.web.errorpages.page_not_found"
handler500 = "tracker.web.errorpages.server_error"
