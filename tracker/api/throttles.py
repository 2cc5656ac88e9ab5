"""API throttles; their rates are read from settings.API_THROTTLE_RATES at request time
so that deployments (environment) and tests can set them."""

from django.conf import settings
from rest_framework import throttling


class _SettingsRate:
    def get_rate(self):
        return settings.API_THROTTLE_RATES.get(self.scope)


class AnonThrottle(_SettingsRate, throttling.AnonRateThrottle):
    pass


class UserThrottle(_SettingsRate, throttling.UserRateThrottle):
    pass


class ExportThrottle(_SettingsRate, throttling.ScopedRateThrottle):
    """Whole-database exports, by client (anyone may fetch open data): their own rate,
    much lower than the pages', since one export reads every published request."""
