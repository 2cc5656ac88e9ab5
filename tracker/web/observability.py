"""Request ids, JSON logs and the health check."""

from __future__ import annotations

import contextvars
import json
import logging
import re
import uuid

from django.conf import settings
from django.db import connection
from django.http import JsonResponse

_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")
_VALID_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


class RequestIdMiddleware:
    """Take the proxy's X-Request-ID (or make one), log with it, send it back."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        given = request.headers.get("X-Request-ID", "")
        request_id = given if _VALID_ID.match(given) else uuid.uuid4().hex
        token = _request_id.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            _request_id.reset(token)
        response["X-Request-ID"] = request_id
        return response


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = _request_id.get()
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", "-"),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def _database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return "ok"


def _broker() -> str:
    # The project's Celery app (config/celery.py), found without importing config.
    from celery import current_app as app

    with app.connection_for_write() as broker:
        broker.ensure_connection(max_retries=1, timeout=2)
        # Some transports connect lazily: declaring the (existing) default queue makes
        # the broker answer for real.
        broker.default_channel.queue_declare(  # type: ignore[attr-defined]  # kombu's virtual channels have it; the stub's base class does not
            app.conf.task_default_queue, passive=False
        )
    return "ok"


def healthz(request):
    """200 when the database and the broker answer, 503 (naming what is down) if not."""
    checks = {}
    for name, check in (("database", _database), ("broker", _broker)):
        try:
            checks[name] = check()
        except Exception as error:  # anything that stops the check is "down"
            logging.getLogger(__name__).warning("health: %s down: %s", name, error)
            checks[name] = "down"
    healthy = all(state == "ok" for state in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "down", **checks, "version": settings.VERSION},
        status=200 if healthy else 503,
    )


class HealthMiddleware:
    """``/healthz`` answered before anything reads the Host header: the container's own
    probe calls 127.0.0.1, which ``ALLOWED_HOSTS`` rightly refuses for every page. The
    answer says only whether the database and the broker answer."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info == HEALTH_PATH:
            return healthz(request)
        return self.get_response(request)


HEALTH_PATH = "/healthz"


def lockout_response(request, original_response=None, credentials=None):
    """What a locked-out login gets (django-axes): JSON for the API, a page otherwise."""
    from django.utils.translation import gettext as _

    from tracker.web import errorpages

    message = _(
        "Too many failed logins for this account from your address: wait %(minutes)s "
        "minutes, or ask the secretariat to lift the lock."
    ) % {"minutes": int(settings.AXES_COOLOFF_TIME * 60)}
    return errorpages.page(request, 429, _("Too many tries"), message, "locked_out")
