"""The Django admin, where the secretariat works."""

from tracker.admin import briefs, reference, requests  # noqa: F401  (registers the admins)
