"""Standing personas, as the tests speak of them:

- ``togo_focal`` (Afi) speaks for Togo, the requesting State in most tests;
- ``senegal_focal`` (Moussa) speaks for Senegal: another State, who must see nothing;
- ``officer`` (Olga) and ``other_officer`` (Omar) work in the secretariat;
- ``analyst`` (Ana) reads everything and changes nothing.
"""

from __future__ import annotations

import importlib

import pytest
from django.contrib.messages import get_messages

from tests.factories import FocalPointFactory, UserFactory, open_request
from tracker.demo.scenarios import bring_to
from tracker.models import AssistanceRequest, MemberState, User
from tracker.workflow import Role


@pytest.fixture
def reference_data(transactional_db):
    """Tests that commit (threads, workers, the live server) get the database flushed
    after them, data migrations included: put the reference data back first."""
    load_reference_data()


def load_reference_data() -> None:
    """What the data migrations put in a new database."""
    if not MemberState.objects.exists():
        from django.apps import apps

        for migration, function in (
            ("0002_reference_data", "load"),
            ("0003_admin_groups", "create_groups"),
            ("0004_notifications", "let_staff_view_notifications"),
            ("0011_state_names_in_sentences", "fill"),
            ("0012_messages_and_documents", "let_staff_view_the_dialogue"),
            ("0016_good_practice_briefs", "let_staff_view_briefs"),
            ("0017_open_publication", "fill"),
            ("0020_names_in_six_languages", "load"),
        ):
            module = importlib.import_module(f"tracker.migrations.{migration}")
            getattr(module, function)(apps, None)


@pytest.fixture
def togo(db) -> MemberState:
    return MemberState.objects.get(pk="TGO")


@pytest.fixture
def senegal(db) -> MemberState:
    return MemberState.objects.get(pk="SEN")


@pytest.fixture
def togo_focal(togo) -> User:
    return FocalPointFactory(username="afi", member_state=togo)


@pytest.fixture
def senegal_focal(senegal) -> User:
    return FocalPointFactory(username="moussa", member_state=senegal)


@pytest.fixture
def officer(db) -> User:
    return UserFactory(username="olga", role=Role.OFFICER)


@pytest.fixture
def other_officer(db) -> User:
    return UserFactory(username="omar", role=Role.OFFICER)


@pytest.fixture
def analyst(db) -> User:
    return UserFactory(username="ana", role=Role.ANALYST)


@pytest.fixture
def request_at(togo_focal, officer):
    """Make a Togo request and bring it to a stage through the real transitions."""

    def make(stage: str, **kwargs) -> AssistanceRequest:
        ta_request = open_request(togo_focal)
        return bring_to(ta_request, stage, officer=officer, focal_point=togo_focal, **kwargs)

    return make


@pytest.fixture
def persona_user(request):
    """Look a persona up by its fixture name, for tests parametrized over personas."""
    return request.getfixturevalue


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # PBKDF2 is slow on purpose; the tests check rules, not hashing strength.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _generous_throttles(settings):
    # Throttling has its own test; elsewhere it must not interfere. Counts live in the
    # cache, emptied between tests.
    from django.core.cache import cache

    settings.API_THROTTLE_RATES = {
        "anon": "100000/minute",
        "user": "100000/minute",
        "export": "100000/minute",
    }
    cache.clear()


@pytest.fixture(autouse=True)
def _open_data_publisher(settings, tmp_path):
    """The tests run as a deployment that publishes open data, to a file of their own;
    test_iati.py checks what happens when it is not configured."""
    settings.IATI_EXPORT_FILE = str(tmp_path / "open-data" / "activities.xml")
    settings.IATI_REPORTING_ORG_REF = "XM-DAC-00000"
    settings.IATI_REPORTING_ORG_NAME = "Technical assistance secretariat"
    settings.IATI_REPORTING_ORG_TYPE = "40"


@pytest.fixture
def api(persona_user):
    """An API client authenticated as a persona (by token), or anonymous with None."""
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    def client(persona=None):
        api_client = APIClient()
        if persona is not None:
            user = persona_user(persona) if isinstance(persona, str) else persona
            token, _created = Token.objects.get_or_create(user=user)
            api_client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return api_client

    return client


@pytest.fixture(autouse=True)
def _celery_runs_inline():
    """Tasks queued by the code under test run at once, in the test; the integration
    test in test_reminders_worker.py turns this off and runs a real worker."""
    from config.celery import app

    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = False


@pytest.fixture(autouse=True)
def _documents_in_a_temporary_folder(settings, tmp_path):
    """Each test stores documents in its own folder, never in var/."""
    settings.STORAGES = {
        **settings.STORAGES,
        "documents": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "documents")},
        },
    }


@pytest.fixture(autouse=True)
def _english_by_default():
    # A request served in French leaves French active in the thread; start each test
    # in the default language.
    from django.utils import translation

    translation.activate("en")
    yield
    translation.deactivate()


@pytest.fixture(scope="module")
def browser():
    """Headless Chromium from Debian's package (never a downloaded browser)."""
    import os

    from playwright.sync_api import sync_playwright

    from tests.browser import CHROMIUM

    # Playwright's sync API runs an event loop in this thread; the tests' own ORM calls
    # are still synchronous and safe. Set for these tests only, then removed.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield chromium
        chromium.close()
    del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1100, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


# --- the admin, entered with a session (its door has its own tests) ----------------------


@pytest.fixture
def client_as(client, persona_user):
    def login(persona):
        user = persona_user(persona) if isinstance(persona, str) else persona
        client.force_login(user)
        if user.is_superuser:
            verify_second_factor(client, user)
        return client

    return login


def verify_second_factor(client, user):
    """What a successful admin login with a TOTP code leaves in the session."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


def messages_of(response):
    return [str(m) for m in get_messages(response.wsgi_request)]
