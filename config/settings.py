"""TA Tracker settings, read from the environment (see .env.example).

Without any environment the service runs on the embedded default: SQLite and a
Celery broker that needs no server. Production sets DATABASE_URL (PostgreSQL),
CELERY_BROKER_URL (Redis), SECRET_KEY and ALLOWED_HOSTS.
"""

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent
VERSION = "1.0.0"
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

# DJANGO_ENV=production: secrets and hosts must be given, cookies are secure, HTTPS only.
PRODUCTION = env("DJANGO_ENV", default="development") == "production"
# The image build collects static files with production storage, without secrets.
BUILDING_IMAGE = env("DJANGO_ENV", default="") == "build"

DEBUG = env.bool("DJANGO_DEBUG", default=False) and not PRODUCTION
if PRODUCTION:
    for required in ("SECRET_KEY", "ALLOWED_HOSTS"):
        if not env(required, default=""):
            raise ImproperlyConfigured(f"Production needs {required} in the environment.")
    SECRET_KEY = env("SECRET_KEY")
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
else:
    # The fallback key only ever serves the embedded default on one machine.
    SECRET_KEY = env("SECRET_KEY", default="insecure-local-development-key-not-for-production")
    ALLOWED_HOSTS = env.list(
        "ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"]
    )
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = PRODUCTION
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = CSRF_COOKIE_SAMESITE = "Lax"
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=PRODUCTION)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000 if PRODUCTION else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_PRELOAD = PRODUCTION
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Behind a TLS-terminating proxy that sets X-Forwarded-Proto.
if env.bool("BEHIND_TLS_PROXY", default=PRODUCTION):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# /healthz is probed over plain HTTP inside the compose network (HealthMiddleware
# answers it before the host check and the HTTPS redirect).
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

INSTALLED_APPS = [
    # First: its templates override the admin's (admin/base_site.html, change_form.html).
    "tracker",
    "tracker.admin_apps.TrackerAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
]

MIDDLEWARE = [
    "tracker.web.observability.RequestIdMiddleware",
    # Before anything reads the Host header: the container's own health probe.
    "tracker.web.observability.HealthMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "tracker.web.middleware.RejectNulMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "tracker.web.middleware.PrivateAnswersMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "tracker.web.middleware.AccountLanguageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "tracker.web.middleware.DomainErrorMiddleware",
    # Last, as django-axes asks: it turns a lockout into its response.
    "axes.middleware.AxesMiddleware",
]

if PRODUCTION:
    # gunicorn serves the collected, compressed static files itself (whitenoise);
    # runserver serves them from the apps in development.
    MIDDLEWARE.insert(
        MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
        "whitenoise.middleware.WhiteNoiseMiddleware",
    )

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Login protection: after AXES_FAILURE_LIMIT failures for one username from one
# address, that pair is locked out for AXES_COOLOFF_MINUTES (admin, portal, API token).
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.int("AXES_COOLOFF_MINUTES", default=30) / 60
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "tracker.web.observability.lockout_response"
AXES_IPWARE_PROXY_COUNT = env.int("PROXY_COUNT", default=0)
AXES_USERNAME_CALLABLE = "tracker.web.signin.username_for_lockouts"

# Second factor for staff (tracker.web.signin): "required" makes every staff account enrol
# an authenticator before it can work; "optional" lets each choose. Superusers always
# need one.
STAFF_TWO_FACTOR = env("STAFF_TWO_FACTOR", default="required" if PRODUCTION else "optional")
if STAFF_TWO_FACTOR not in ("required", "optional"):
    raise ImproperlyConfigured("STAFF_TWO_FACTOR must be “required” or “optional”.")
OTP_TOTP_ISSUER = "TA Tracker"

ROOT_URLCONF = "config.urls"
# export_data writes this format (times to the microsecond); import_data reads it as JSON.
SERIALIZATION_MODULES = {"backup-json": "tracker.interop.backup_json"}
CSRF_FAILURE_VIEW = "tracker.web.errorpages.csrf_failure"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # Writers take SQLite's write lock when their transaction begins and wait for it
    # (up to 20 s): two people acting at once are ordered, and the second one's
    # revision check answers with a conflict, instead of "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"transaction_mode": "IMMEDIATE", "timeout": 20}
    )
    # Tests on SQLite use a file, not shared memory: a real Celery worker thread in the
    # tests then reads and writes the same database without table locks.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test-db.sqlite3")}
    VAR_DIR.mkdir(exist_ok=True)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "tracker.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
# The six official languages of the United Nations, each named in its own language for
# the switcher. Simplified Chinese is "zh-hans" (Django's code; its catalogue is zh_Hans).
LANGUAGES = [
    ("en", "English"),
    ("fr", "Français"),
    ("es", "Español"),
    ("ar", "العربية"),
    ("ru", "Русский"),
    ("zh-hans", "中文"),
]
LOCALE_PATHS = [BASE_DIR / "tracker" / "locale"]
# Timestamps name their time zone, in every language (config/formats).
FORMAT_MODULE_PATH = ["config.formats"]
TIME_ZONE = env("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# Documents attached to requests: never served from a public URL (downloads go through
# views that check who may see them). On the local filesystem under var/ by default;
# in any S3-compatible object store when DOCUMENTS_S3_BUCKET is set.
if env("DOCUMENTS_S3_BUCKET", default=""):
    DOCUMENTS_STORAGE = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env("DOCUMENTS_S3_BUCKET"),
            "endpoint_url": env("DOCUMENTS_S3_ENDPOINT_URL", default=None),
            "region_name": env("DOCUMENTS_S3_REGION", default=None),
            "access_key": env("DOCUMENTS_S3_ACCESS_KEY_ID", default=None),
            "secret_key": env("DOCUMENTS_S3_SECRET_ACCESS_KEY", default=None),
            "location": env("DOCUMENTS_S3_PREFIX", default="documents"),
            "default_acl": "private",
            "file_overwrite": False,
            "querystring_auth": True,
        },
    }
else:
    DOCUMENTS_STORAGE = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": env("DOCUMENTS_DIR", default=str(VAR_DIR / "documents"))},
    }
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION or BUILDING_IMAGE
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
    "documents": DOCUMENTS_STORAGE,
}
#: The largest document accepted, in bytes (20 MB by default).
DOCUMENT_MAX_BYTES = env.int("DOCUMENT_MAX_BYTES", default=20_000_000)
#: clamd (host:port, or a Unix socket path) that checks each upload; empty: no check.
CLAMD_ADDRESS = env("CLAMD_ADDRESS", default="")
CLAMD_TIMEOUT_SECONDS = env.int("CLAMD_TIMEOUT_SECONDS", default=30)

LOGIN_URL = "portal:login"
LOGIN_REDIRECT_URL = "portal:dashboard"
USE_THOUSAND_SEPARATOR = True
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600

# E-mail: on one's own machine each message is kept under var/mail/ with one line on
# the console (EMAIL_BACKEND=django.core.mail.backends.console.EmailBackend prints them
# whole); production sends by SMTP with the EMAIL_* variables.
MAILERS = {
    "default": {
        "BACKEND": env(
            "EMAIL_BACKEND",
            default="django.core.mail.backends.smtp.EmailBackend"
            if PRODUCTION
            else "tracker.notifications.mailbox.FolderBackend",
        ),
        "OPTIONS": {
            key: value
            for key, value in {
                "host": env("EMAIL_HOST", default=None),
                "port": env.int("EMAIL_PORT", default=None),
                "username": env("EMAIL_HOST_USER", default=None),
                "password": env("EMAIL_HOST_PASSWORD", default=None),
                "use_tls": env.bool("EMAIL_USE_TLS", default=None),
            }.items()
            if value is not None
        },
    }
}
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="TA Tracker <noreply@localhost>")

# Celery. The embedded default is kombu's filesystem transport: one host, no server,
# messages survive a restart. Production sets CELERY_BROKER_URL=redis://...
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="filesystem://localhost//")
CELERY_BROKER_TRANSPORT_OPTIONS = (
    {
        "data_folder_in": str(VAR_DIR / "broker" / "queue"),
        "data_folder_out": str(VAR_DIR / "broker" / "queue"),
        "processed_folder": str(VAR_DIR / "broker" / "processed"),
        "control_folder": str(VAR_DIR / "broker" / "control"),
        "store_processed": False,
    }
    if CELERY_BROKER_URL.startswith("filesystem")
    else {}
)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# What tasks print (the one line per e-mail on one's own machine) stays plain output.
CELERY_WORKER_REDIRECT_STDOUTS = False
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = {
    "sweep-reminders": {
        "task": "tracker.sweep_reminders",
        "schedule": env.int("REMINDER_SWEEP_SECONDS", default=300),
    },
    # The open-data file the API serves; a State's decision also refreshes it at once.
    "publish-open-data": {
        "task": "tracker.publish_open_data",
        "schedule": env.int("IATI_EXPORT_SECONDS", default=3600),
    },
    # The kept figures count the changes since; a reading then has few left to count.
    "count-figures": {
        "task": "tracker.count_figures",
        "schedule": env.int("FIGURES_COUNT_SECONDS", default=15),
    },
}
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# A claimed notification whose worker vanished may be claimed again after this long.
REMINDER_CLAIM_LEASE_SECONDS = env.int("REMINDER_CLAIM_LEASE_SECONDS", default=600)
# Links in e-mails point here.
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

# Open data: the publisher of the IATI export, as the IATI organisation registry knows
# it (tracker.interop.iati). The export refuses to run without an identifier and a name.
IATI_REPORTING_ORG_REF = env("IATI_REPORTING_ORG_REF", default="")
IATI_REPORTING_ORG_NAME = env("IATI_REPORTING_ORG_NAME", default="")
# OrganisationType codelist: 40 is multilateral.
IATI_REPORTING_ORG_TYPE = env("IATI_REPORTING_ORG_TYPE", default="40")
# The published file (GET /api/v1/iati/activities.xml): web and worker share it.
IATI_EXPORT_FILE = env("IATI_EXPORT_FILE", default=str(VAR_DIR / "open-data" / "activities.xml"))

# Service-level days per stage (tracker.workflow.deadlines); only the stages named change.
SERVICE_LEVEL_DAYS = env.dict("SERVICE_LEVEL_DAYS", cast={"value": int}, default={})

# Token first, so that an anonymous call answers 401 with WWW-Authenticate.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "tracker.api.auth.TokenAuthentication",
        "tracker.api.auth.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_THROTTLE_CLASSES": [
        "tracker.api.throttles.AnonThrottle",
        "tracker.api.throttles.UserThrottle",
    ],
    # Clients are counted by the address the proxies in front vouch for (as django-axes
    # does), never by an X-Forwarded-For a client writes itself.
    "NUM_PROXIES": AXES_IPWARE_PROXY_COUNT,
    "EXCEPTION_HANDLER": "tracker.api.errors.handle",
    # JSON only: people read the API through its documentation (/api/docs/).
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # JSON bodies only, nested no deeper than tracker.api.parsers allows.
    "DEFAULT_PARSER_CLASSES": ["tracker.api.parsers.JSONParser"],
}
# An API token's lifetime in days (unset: until the password changes, the account is
# deactivated or the token is revoked).
API_TOKEN_DAYS = env.int("API_TOKEN_DAYS", default=0)
# How long an invitation's link works.
INVITATION_DAYS = env.int("INVITATION_DAYS", default=7)
# Password-reset e-mails an hour, per address asked for and per client (the page
# answers the same beyond the limit).
PASSWORD_RESET_LIMITS = {
    "per_address": env.int("PASSWORD_RESETS_PER_ADDRESS", default=3),
    "per_client": env.int("PASSWORD_RESETS_PER_CLIENT", default=10),
}
# A Content-Security-Policy on every page: scripts, styles and everything else from this
# site only; the few inline styles and scripts carry the page's nonce; charts are drawn
# as data: images. Nothing may frame a page.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
# Requests per client: anonymous by IP, authenticated by user.
API_THROTTLE_RATES = {
    "anon": env("API_THROTTLE_ANON", default="60/minute"),
    "user": env("API_THROTTLE_USER", default="1200/minute"),
    "export": env("API_THROTTLE_EXPORT", default="20/hour"),
}
# The throttles count in the cache: one per process by default, shared (Redis) when
# CACHE_URL is set, as in production.
CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://")}

SPECTACULAR_SETTINGS = {
    "TITLE": "TA Tracker API",
    "DESCRIPTION": (
        "Requests for human-rights technical assistance (A/HRC/43/31): read data and "
        "figures, and act on requests within your role. Authenticate with "
        "`Authorization: Token <token>` (POST /api/v1/auth/token/)."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "StageEnum": "tracker.workflow.Stage",
        "RegionEnum": "tracker.models.RegionalGroup",
        "DocumentKindEnum": "tracker.models.DocumentKind",
        "EvaluationKindEnum": "tracker.kernel.vocabulary.EvaluationKind",
    },
}

# Logs go to stdout; LOG_FORMAT=json gives one JSON object per line. Every line of a
# request carries its request id (X-Request-ID, or a new one).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "tracker.web.observability.RequestIdFilter"}},
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {"()": "tracker.web.observability.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "filters": ["request_id"],
            "formatter": env("LOG_FORMAT", default="text"),
        }
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}
