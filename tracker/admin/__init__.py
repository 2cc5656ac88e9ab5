"""The Django admin, where the secretariat works."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from tracker.admin import reference, requests  # noqa: F401  (registers the admins)

admin.site.site_header = _("TA Tracker — secretariat")
admin.site.site_title = _("TA Tracker")
admin.site.index_title = _("Technical assistance requests")
