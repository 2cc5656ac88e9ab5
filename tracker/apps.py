from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.utils.translation import gettext_lazy as _


def _add_sqlite_functions(sender, connection, **kwargs) -> None:
    # SQLite has no median; the reports compute it in the database all the same.
    if connection.vendor == "sqlite":
        from tracker.reports import Median

        connection.connection.create_aggregate("median", 1, Median)


class TrackerConfig(AppConfig):
    name = "tracker"
    verbose_name = _("Technical assistance")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from tracker import signin

        connection_created.connect(_add_sqlite_functions, dispatch_uid="tracker-sqlite-median")
        user_logged_in.connect(signin.apply_account_language, dispatch_uid="tracker-language")
