from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.db.models.signals import m2m_changed, post_delete, post_save
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
        from tracker.figures import standing

        standing.record(instance)


def _request_changed(sender, instance, raw=False, **kwargs) -> None:
    # What the request adds to the kept figures may have changed: noted in the change's
    # own transaction, counted again before the next reading (tracker.figures.tallies).
    if not raw:
        from tracker.figures import tallies

        tallies.mark([getattr(instance, "request_id", None) or instance.pk])


def _domains_changed(sender, instance, action, pk_set, **kwargs) -> None:
    if action in {"post_add", "post_remove", "post_clear"}:
        from tracker.figures import tallies

        tallies.mark([instance.pk])


def _state_changed(sender, instance, raw=False, **kwargs) -> None:
    # Its region and its groups (least developed, agenda item 10) count in its requests.
    if not raw:
        from tracker.figures import tallies

        tallies.mark(instance.requests.values_list("pk", flat=True))


def _model(name: str):
    from django.apps import apps

    return apps.get_model("tracker", name)


#: The records whose saving or deletion moves a request's kept figures.
TALLIED = (
    "AssistanceRequest",
    "HistoryEntry",
    "LinkedRecommendation",
    "Funding",
    "Evaluation",
    "Brief",
    "Plan",
    "Consent",
)


class TrackerConfig(AppConfig):
    name = "tracker"
    verbose_name = _("Technical assistance")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from tracker.web import signin

        connection_created.connect(_add_sqlite_functions, dispatch_uid="tracker-sqlite-median")
        post_save.connect(
            _history_written, sender="tracker.HistoryEntry", dispatch_uid="tracker-standing-backlog"
        )
        for name in TALLIED:
            for signal in (post_save, post_delete):
                signal.connect(
                    _request_changed,
                    sender=f"tracker.{name}",
                    dispatch_uid=f"tracker-tallies-{name}",
                )
        post_save.connect(
            _state_changed, sender="tracker.MemberState", dispatch_uid="tracker-tallies-state"
        )
        m2m_changed.connect(
            _domains_changed,
            sender=_model("AssistanceRequest").domains.through,
            dispatch_uid="tracker-tallies-domains",
        )
        user_logged_in.connect(signin.apply_account_language, dispatch_uid="tracker-language")
