from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.db.models.signals import post_save
from django.utils.translation import gettext_lazy as _


def _add_sqlite_functions(sender, connection, **kwargs) -> None:
    # SQLite has no percentiles; the figures compute them in the database all the same.
    if connection.vendor == "sqlite":
        from tracker.figures import Percentile, Percentile90

        connection.connection.create_aggregate("median", 1, Percentile)
        connection.connection.create_aggregate("percentile_90", 1, Percentile90)


def _history_written(sender, instance, created, raw=False, **kwargs) -> None:
    # Each new history row moves the standing backlog, in the row's transaction; rows
    # loaded raw (import_data) are counted by the rebuild that follows the load.
    if created and not raw:
        from tracker import standing

        standing.record(instance)


class TrackerConfig(AppConfig):
    name = "tracker"
    verbose_name = _("Technical assistance")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from tracker import signin

        connection_created.connect(_add_sqlite_functions, dispatch_uid="tracker-sqlite-median")
        post_save.connect(_history_written, sender="tracker.HistoryEntry",
                          dispatch_uid="tracker-standing-backlog")  # fmt: skip
        user_logged_in.connect(signin.apply_account_language, dispatch_uid="tracker-language")
