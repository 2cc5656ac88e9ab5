"""Deployment: compose file and image, production settings, health, logs, lockout."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "DJANGO_ENV": "production",
    "SECRET_KEY": "k" * 20 + "-production-secret-for-the-check-0123456789",
    "ALLOWED_HOSTS": "tracker.example.org",
}


def run_python(code: str, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in ("DJANGO_ENV", "SECRET_KEY")}
    clean.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    return subprocess.run(  # noqa: S603 (our own interpreter and code)
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "config.settings", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


# --- containers -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def compose():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_compose_has_its_services_with_healthchecks(compose):
    services = compose["services"]
    assert set(services) == {"postgres", "redis", "web", "worker", "beat", "clamav"}
    assert services["clamav"]["profiles"] == ["antivirus"]  # only when asked for
    for name, service in services.items():
        assert "test" in service["healthcheck"], name
    assert "postgres-data:/var/lib/postgresql/data" in services["postgres"]["volumes"]
    for name in ("web", "worker", "beat"):
        assert "documents:/app/var/documents" in services[name]["volumes"], name


def test_web_migrates_then_serves_with_gunicorn(compose):
    command = " ".join(compose["services"]["web"]["command"])
    assert command.index("manage.py migrate") < command.index("gunicorn config.wsgi")
    assert "/healthz" in " ".join(compose["services"]["web"]["healthcheck"]["test"])


def test_worker_and_beat_run_celery_after_the_data_services(compose):
    services = compose["services"]
    assert services["worker"]["command"][:4] == ["celery", "-A", "config", "worker"]
    assert services["beat"]["command"][:4] == ["celery", "-A", "config", "beat"]
    assert "deploy" not in services["beat"]  # exactly one beat
    for name in ("web", "worker", "beat"):
        environment = services[name]["environment"]
        assert environment["DJANGO_ENV"] == "production"
        assert environment["CELERY_BROKER_URL"].startswith("redis://redis:")
        assert environment["DATABASE_URL"].startswith("postgres://")
        assert services[name]["env_file"] == ".env"
    assert services["web"]["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert services["web"]["depends_on"]["redis"]["condition"] == "service_healthy"
    assert services["worker"]["depends_on"] == {"web": {"condition": "service_healthy"}}


def test_the_image_is_slim_runs_as_non_root_and_collects_static_files():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert dockerfile.startswith("# ")
    assert "FROM python:3.12-slim" in dockerfile
    assert "collectstatic" in dockerfile
    user_lines = [line for line in dockerfile.splitlines() if line.startswith("USER ")]
    assert user_lines == ["USER tracker"]
    assert '"gunicorn", "config.wsgi:application"' in dockerfile


def test_env_example_names_every_required_setting():
    example = (ROOT / ".env.example").read_text()
    for name in (
        "SECRET_KEY",
        "ALLOWED_HOSTS",
        "CSRF_TRUSTED_ORIGINS",
        "POSTGRES_PASSWORD",
        "EMAIL_HOST",
    ):
        assert f"{name}=" in example


# --- settings ---------------------------------------------------------------------------------


@pytest.mark.parametrize("missing", ["SECRET_KEY", "ALLOWED_HOSTS"])
def test_production_refuses_to_start_without_its_secrets(missing):
    env = {**PRODUCTION, missing: ""}
    result = run_python("import django; django.setup()", **env)
    assert result.returncode != 0
    assert f"Production needs {missing}" in result.stderr


def test_check_deploy_is_clean_in_production():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env={k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"} | PRODUCTION,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_cookies_and_transport_are_secure_in_production():
    result = run_python(
        "import json, django; django.setup(); from django.conf import settings as s;"
        "print(json.dumps([s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, "
        "s.SESSION_COOKIE_HTTPONLY, s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, s.DEBUG, "
        "'whitenoise.middleware.WhiteNoiseMiddleware' in s.MIDDLEWARE]))",
        **PRODUCTION,
    )
    assert json.loads(result.stdout) == [True, True, True, True, 31536000, False, True]


def test_cookies_are_flagged_on_a_production_response(client, settings, togo_focal):
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = True
    response = client.post(
        "/portal/login/", {"username": "afi", "password": "correct horse battery staple"}
    )
    session = response.cookies["sessionid"]
    assert session["secure"]
    assert session["httponly"]
    assert session["samesite"] == "Lax"


# --- health and logs -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_healthz_answers_200_when_database_and_broker_answer(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["database"] == response.json()["broker"] == "ok"


@pytest.mark.django_db
def test_healthz_answers_503_when_the_broker_is_down(client, monkeypatch):
    from kombu import Connection

    from config.celery import app

    # A real connection attempt to a port where nothing listens.
    monkeypatch.setattr(app, "connection_for_write", lambda: Connection("redis://127.0.0.1:1/0"))
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() | {"version": None} == {
        "status": "down",
        "database": "ok",
        "broker": "down",
        "version": None,
    }


def test_healthz_answers_503_when_the_database_is_down(client, settings, monkeypatch):
    from django.db import connection

    def unreachable(*args, **kwargs):
        raise OSError("connection refused")

    monkeypatch.setattr(connection, "cursor", unreachable)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "down"


def test_every_response_carries_a_request_id(client):
    given = client.get("/healthz", HTTP_X_REQUEST_ID="abc-123")
    assert given["X-Request-ID"] == "abc-123"
    assert len(client.get("/healthz", HTTP_X_REQUEST_ID="bad id!")["X-Request-ID"]) == 32


def test_json_logs_carry_the_request_id():
    from tracker.web.observability import JsonFormatter, RequestIdFilter, _request_id

    token = _request_id.set("req-42")
    try:
        record = logging.LogRecord(
            "tracker", logging.WARNING, __file__, 1, "Ünïcode %s", ("ok",), None
        )
        RequestIdFilter().filter(record)
        line = json.loads(JsonFormatter().format(record))
    finally:
        _request_id.reset(token)
    assert line["request_id"] == "req-42"
    assert (line["level"], line["message"]) == ("WARNING", "Ünïcode ok")


# --- login protection -----------------------------------------------------------------------------


LOCKOUT = {"username": "afi", "password": "wrong"}


@pytest.mark.parametrize(
    ("path", "good"),
    [
        ("/portal/login/", {"username": "afi", "password": "correct horse battery staple"}),
        ("/admin/login/", {"username": "afi", "password": "correct horse battery staple"}),
        ("/api/v1/auth/token/", {"username": "afi", "password": "correct horse battery staple"}),
    ],
)
def test_repeated_failures_lock_the_account_out(client, settings, togo_focal, path, good):
    settings.AXES_FAILURE_LIMIT = 3
    # The pages take forms; the API takes JSON.
    kind = {"content_type": "application/json"} if path.startswith("/api/") else {}
    statuses = [client.post(path, LOCKOUT, **kind).status_code for _ in range(3)]
    assert statuses[:2] == ([400, 400] if kind else [200, 200])
    locked = client.post(path, good, **kind)  # even the right password, from here, now
    assert locked.status_code == 429
    assert "Too many failed logins" in locked.content.decode()


# --- the compose file's health checks against the production settings under gunicorn -----


@pytest.fixture
def production_gunicorn(tmp_path):
    """gunicorn serving the production settings with .env.example's hosts, as the compose
    file runs it, on a free local port."""
    import socket
    import time
    import urllib.request

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env |= PRODUCTION | {"SECURE_SSL_REDIRECT": "true", "BEHIND_TLS_PROXY": "true"}
    server = subprocess.Popen(  # noqa: S603 (our own server)
        [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=tmp_path.joinpath("log").open("w"),
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2)
            except urllib.error.HTTPError:
                break  # it answers (400: the host is not allowed, as it should be)
            except OSError:
                time.sleep(0.3)
        yield port
    finally:
        server.terminate()
        server.wait(timeout=20)


def test_the_web_health_check_of_the_compose_file_passes_in_production(
    compose, production_gunicorn
):
    test = compose["services"]["web"]["healthcheck"]["test"]
    assert test[0] == "CMD"
    command = [
        part.replace("127.0.0.1:8000", f"127.0.0.1:{production_gunicorn}") for part in test[1:]
    ]
    command[0] = sys.executable if command[0] == "python" else command[0]
    done = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)  # noqa: S603
    assert done.returncode == 0, done.stderr


def test_other_paths_still_refuse_an_unknown_host_in_production(production_gunicorn):
    import urllib.request

    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(f"http://127.0.0.1:{production_gunicorn}/portal/login/", timeout=10)
    assert refused.value.code == 400
