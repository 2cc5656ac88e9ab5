from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.utils.translation import gettext_lazy as _


def _add_sqlite_functions(sender, connection, **kwargs) -> None:
    # SQLite has no percentiles, and no rounding of a length to tenths of a day: the
    # figures compute them in the database all the same (tracker.figures.measures).
    if connection.vendor == "sqlite":
        from tracker.figures import measures

        connection.connection.create_aggregate("median", 1, measures.Percentile)
        connection.connection.create_aggregate("percentile_90", 1, measures.Percentile90)
        connection.connection.create_function(
            "tenths_of_day", 1, measures.tenths_of_day, deterministic=True
        )


class TrackerConfig(AppConfig):
    name = "tracker"
    verbose_name = _("Technical assistance")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from tracker.web import signin

        connection_created.connect(_add_sqlite_functions, dispatch_uid="tracker-sqlite-median")
        user_logged_in.connect(signin.apply_account_language, dispatch_uid="tracker-language")
