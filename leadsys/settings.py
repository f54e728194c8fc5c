"""Settings for leadsys, read from environment variables (django-environ).

Development defaults are safe to run on a laptop; DEBUG=false switches on the
production checks (a real SECRET_KEY, ALLOWED_HOSTS, HTTPS cookies, HSTS).
Every variable is listed in the README's configuration table.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from urllib.parse import unquote
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import environ
from corsheaders.defaults import default_headers
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)


def _typed(name: str, cast: type, default: object) -> object:
    """Read one variable; a value of the wrong type names the variable."""
    try:
        return env(name, cast=cast, default=default)
    except (ValueError, TypeError) as exc:
        raise ImproperlyConfigured(f"{name} has an invalid value: {exc}") from exc


DEBUG = _typed("DEBUG", bool, True)

_DEV_SECRET = "dev-only-insecure-key-change-me-0123456789abcdefghijklmnopqrstuvwxyz"
SECRET_KEY = env("SECRET_KEY", default=_DEV_SECRET if DEBUG else "")
if not DEBUG and (not SECRET_KEY or SECRET_KEY == _DEV_SECRET):
    raise ImproperlyConfigured("SECRET_KEY must be set to a long random value when DEBUG=false.")

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"] if DEBUG else [])
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must be set when DEBUG=false.")
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "corsheaders",
    "procrastinate.contrib.django",
    "leadsys",
    "leads",
    "activity",
    "assignments",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "leadsys.urls"
WSGI_APPLICATION = "leadsys.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "leadsys.context_processors.company",
            ],
        },
    },
]

# --- Database: PostgreSQL always; embedded when DATABASE_URL is unset ---------
if env("DATABASE_URL", default=""):
    DATABASES = {"default": env.db("DATABASE_URL")}
    # A unix-socket directory may be given percent-encoded as the URL's host.
    DATABASES["default"]["HOST"] = unquote(DATABASES["default"].get("HOST") or "")
else:
    from leadsys.db import embedded_database_settings

    DATABASES = {"default": embedded_database_settings()}
if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    raise ImproperlyConfigured("DATABASE_URL must point at PostgreSQL (postgres://...).")
DATABASES["default"]["CONN_MAX_AGE"] = _typed("DB_CONN_MAX_AGE", int, 0)
DATABASES["default"].setdefault("TEST", {})["NAME"] = env("TEST_DATABASE_NAME", default="test_leadsys")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/console/"
LOGOUT_REDIRECT_URL = "login"

# --- Time: one business time zone decides what "today" means -----------------
LANGUAGE_CODE = "en"
TIME_ZONE = env("TIME_ZONE", default="Asia/Kolkata")
try:
    ZoneInfo(TIME_ZONE)
except (ZoneInfoNotFoundError, ValueError) as exc:
    raise ImproperlyConfigured(f"TIME_ZONE is not a known time zone: {TIME_ZONE!r}") from exc
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / ".data" / "static"
STATICFILES_DIRS = [BASE_DIR / "leadsys" / "static"]
# In development WhiteNoise serves straight from the finders and looks files up
# per request, so no collectstatic is needed (and no STATIC_ROOT to warn about).
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# --- Security (production) ---------------------------------------------------
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_SSL_REDIRECT = _typed("SECURE_SSL_REDIRECT", bool, not DEBUG)
SECURE_HSTS_SECONDS = _typed("SECURE_HSTS_SECONDS", int, 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
BEHIND_PROXY = _typed("BEHIND_PROXY", bool, False)
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
X_FRAME_OPTIONS = "DENY"
DATA_UPLOAD_MAX_MEMORY_SIZE = _typed("MAX_REQUEST_BYTES", int, 256 * 1024)

# --- Company shown on the public pages and in emails -------------------------
COMPANY_NAME = env("COMPANY_NAME", default="Northwind Surfaces")
PRIVACY_NOTICE_VERSION = env("PRIVACY_NOTICE_VERSION", default="2026-01")

# --- Email -------------------------------------------------------------------
EMAIL_PROVIDER = env("EMAIL_PROVIDER", default="console")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default=f"{COMPANY_NAME} <hello@example.com>")
if EMAIL_PROVIDER == "console":
    # One line per email on the terminal; the whole message in a file under EMAIL_FILE_PATH.
    EMAIL_BACKEND = "leadsys.mail.SummaryConsoleBackend"
    EMAIL_FILE_PATH = env("EMAIL_FILE_PATH", default=str(BASE_DIR / ".data" / "mail"))
elif EMAIL_PROVIDER == "smtp":
    vars().update(env.email_url("EMAIL_URL", default="smtp://localhost:25"))
elif EMAIL_PROVIDER == "resend":
    EMAIL_BACKEND = "anymail.backends.resend.EmailBackend"
    ANYMAIL = {"RESEND_API_KEY": env("RESEND_API_KEY", default="")}
    if not ANYMAIL["RESEND_API_KEY"]:
        raise ImproperlyConfigured("RESEND_API_KEY must be set when EMAIL_PROVIDER=resend.")
else:
    raise ImproperlyConfigured("EMAIL_PROVIDER must be one of console, smtp, resend.")
EMAIL_TIMEOUT = _typed("EMAIL_TIMEOUT", int, 10)

# --- Intake ------------------------------------------------------------------
PHONE_DEFAULT_REGION = env("PHONE_DEFAULT_REGION", default="IN")
INTAKE_RATE_LIMIT = _typed("INTAKE_RATE_LIMIT", int, 20)  # submissions per IP
INTAKE_RATE_WINDOW_SECONDS = _typed("INTAKE_RATE_WINDOW_SECONDS", int, 600)
FORM_MIN_FILL_SECONDS = _typed("FORM_MIN_FILL_SECONDS", int, 3)
REJECTED_SUBMISSION_RETENTION_DAYS = _typed("REJECTED_SUBMISSION_RETENTION_DAYS", int, 30)  # honeypot log
IDEMPOTENCY_KEY_TTL_HOURS = _typed("IDEMPOTENCY_KEY_TTL_HOURS", int, 24)
CORS_ALLOWED_ORIGINS = env.list("CORS_ALLOWED_ORIGINS", default=[])
CORS_URLS_REGEX = r"^/api/v1/submissions/$"
CORS_ALLOW_HEADERS = (*default_headers, "idempotency-key")
CORS_EXPOSE_HEADERS = ["Idempotent-Replayed", "Retry-After"]

# --- Triage and routing --------------------------------------------------------
TRIAGE_PROVIDER = env("TRIAGE_PROVIDER", default="rules")
if TRIAGE_PROVIDER not in {"rules", "openai"}:
    raise ImproperlyConfigured("TRIAGE_PROVIDER must be 'rules' or 'openai'.")
OPENAI_BASE_URL = env("OPENAI_BASE_URL", default="https://api.groq.com/openai/v1")
OPENAI_API_KEY = env("OPENAI_API_KEY", default="")
OPENAI_MODEL = env("OPENAI_MODEL", default="llama-3.1-70b-versatile")
OPENAI_TIMEOUT_SECONDS = _typed("OPENAI_TIMEOUT_SECONDS", float, 20.0)
OPENAI_MAX_RETRIES = _typed("OPENAI_MAX_RETRIES", int, 2)

SLA_MINUTES = {
    "high": _typed("SLA_MINUTES_HIGH", int, 30),
    "medium": _typed("SLA_MINUTES_MEDIUM", int, 240),
    "low": _typed("SLA_MINUTES_LOW", int, 1440),
}
BUSINESS_DAYS = env.list("BUSINESS_DAYS", cast=int, default=[0, 1, 2, 3, 4, 5])  # Mon=0
BUSINESS_HOURS = env("BUSINESS_HOURS", default="09:00-18:00")
SLA_ESCALATION_REASSIGN = env.bool("SLA_ESCALATION_REASSIGN", default=False)
# What stops the SLA clock: `contact` (a connected call, an email sent, status contacted) or
# `attempt` (any call logged, whatever its outcome).
SLA_FIRST_RESPONSE = env("SLA_FIRST_RESPONSE", default="contact")
if SLA_FIRST_RESPONSE not in {"attempt", "contact"}:
    raise ImproperlyConfigured("SLA_FIRST_RESPONSE must be 'attempt' or 'contact'.")
CONSOLE_REFRESH_SECONDS = _typed("CONSOLE_REFRESH_SECONDS", int, 10)  # the queue page fetches itself this often
HIGH_VALUE_LEAD_TYPES = env.list("HIGH_VALUE_LEAD_TYPES", default=["architect", "builder", "dealer"])
HIGH_VALUE_MIN_QUANTITY = _typed("HIGH_VALUE_MIN_QUANTITY", int, 1000)

# --- Webhooks and links in staff emails ----------------------------------------
WEBHOOK_PAUSE_AFTER_FAILURES = _typed("WEBHOOK_PAUSE_AFTER_FAILURES", int, 10)
WEBHOOK_TIMEOUT_SECONDS = _typed("WEBHOOK_TIMEOUT_SECONDS", float, 10.0)
# Cards shown per column of the pipeline board (newest first; "more" opens the filtered list).
CONSOLE_BOARD_CARDS = _typed("CONSOLE_BOARD_CARDS", int, 20)
# Seconds a CSV export may stream under uWSGI (every other request has deploy/uwsgi.ini's 30 s harakiri).
EXPORT_TIMEOUT_SECONDS = _typed("EXPORT_TIMEOUT_SECONDS", int, 600)
# Links in staff emails. In development, the address bin/start serves on (HOST, PORT: the
# worker it starts beside the server reads the same variables), so a link opens the running server.
_DEV_SITE_URL = f"http://{env('HOST', default='127.0.0.1')}:{env('PORT', default='8000')}"
SITE_URL = env("SITE_URL", default=_DEV_SITE_URL if DEBUG else "").rstrip("/")

# --- Jobs (procrastinate) ----------------------------------------------------
PROCRASTINATE_ON_APP_READY = "leadsys.queue.on_app_ready"
# Every task module, imported by every worker at start: a worker must be able to run any
# queued job, not only those whose module something in its process happened to import.
PROCRASTINATE_AUTODISCOVER_MODULE_NAME = "tasks"  # assignments.tasks
PROCRASTINATE_IMPORT_PATHS = ["leads.intake.tasks", "leads.webhooks.tasks"]

# --- Operations: the worker's supervision, health, answers during an outage ---
# Kept in one block (issue 12). The supervisor (manage.py run_worker) restarts the worker
# after a lost database, waiting up to WORKER_MAX_BACKOFF_SECONDS between attempts.
WORKER_HEARTBEAT_SECONDS = _typed("WORKER_HEARTBEAT_SECONDS", float, 10.0)
WORKER_STALLED_SECONDS = _typed("WORKER_STALLED_SECONDS", float, 30.0)  # a heartbeat this old: its jobs run again
WORKER_MAX_BACKOFF_SECONDS = _typed("WORKER_MAX_BACKOFF_SECONDS", float, 30.0)
WORKER_SHUTDOWN_SECONDS = _typed("WORKER_SHUTDOWN_SECONDS", float, 20.0)  # then running jobs are aborted
# Jobs run at once by one worker process (`run_worker --concurrency` overrides it): most of a job is
# waiting on the database or a provider, so a few at a time use the machine better than one.
WORKER_CONCURRENCY = _typed("WORKER_CONCURRENCY", int, 4)
# The worker's threads keep their database connection between jobs for this long (health-checked
# before reuse), instead of DB_CONN_MAX_AGE's per-request connections: a new connection per job
# cost more than many jobs themselves.
WORKER_DB_CONN_MAX_AGE = _typed("WORKER_DB_CONN_MAX_AGE", int, 300)
# /health/: degraded when no worker heartbeat is this recent or the oldest due job waits longer.
HEALTH_WORKER_ALIVE_SECONDS = _typed("HEALTH_WORKER_ALIVE_SECONDS", int, 60)
QUEUE_LAG_DEGRADED_SECONDS = _typed("QUEUE_LAG_DEGRADED_SECONDS", int, 300)
HEALTH_TOKEN = env("HEALTH_TOKEN", default="")  # sent as "Authorization: Bearer <token>" to see the figures
# A request never waits longer than this for a database that does not answer.
DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = _typed("DB_CONNECT_TIMEOUT", int, 5)
DATABASE_RETRY_AFTER_SECONDS = _typed("DATABASE_RETRY_AFTER_SECONDS", int, 10)
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1, "leadsys.middleware.OutageMiddleware"
)
MIDDLEWARE.append("leadsys.middleware.RetryAfterMiddleware")

# --- API ---------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "leadsys.lockout.LockingTokenAuthentication",  # bad tokens count towards the IP's lockout
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "EXCEPTION_HANDLER": "leadsys.exceptions.api_exception_handler",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # JSON in as well as out: form encodings read a blank field as "left out", so one body could mean two things.
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}

# OpenAPI at /api/v1/schema/, Swagger UI at /api/v1/docs/ with assets served by us (sidecar), no CDN.
SPECTACULAR_SETTINGS = {
    "TITLE": "leadsys API",
    "DESCRIPTION": "Leads, activities, follow-ups, approvals, assignments and the dashboard. See docs/api.md.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "LeadStatusEnum": "leads.models.LeadStatus",
        "AssignmentStatusEnum": "assignments.models.AssignmentStatus",
        "ActivityStatusEnum": "activity.models.ActivityStatus",
        "ActivityTypeEnum": "activity.models.ActivityType",
        "ApprovalStatusEnum": ["pending", "approved", "rejected"],
        "NoteInTypeEnum": ["note"],
        "CallInTypeEnum": ["call"],
        "EmailInTypeEnum": ["email"],
    },
}

# --- Doors: login lockout (axes), second factor (django-otp), CSP (django-csp) ---------
# Kept in one block: the apps, middleware and policies that guard the staff doors.
INSTALLED_APPS += [
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "csp",
]
# CSP early (before anything renders); OTP straight after authentication; axes last, so it
# sees every response a lockout should replace.
MIDDLEWARE.insert(MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1, "csp.middleware.CSPMiddleware")
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1,
    "django_otp.middleware.OTPMiddleware",
)
MIDDLEWARE += ["leads.accounts.middleware.SecondFactorMiddleware", "axes.middleware.AxesMiddleware"]
TEMPLATES[0]["OPTIONS"]["context_processors"].append("csp.context_processors.nonce")
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: a locked-out login never reaches the password check
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = _typed("AXES_FAILURE_LIMIT", int, 5)
AXES_COOLOFF_TIME = timedelta(minutes=_typed("AXES_COOLOFF_MINUTES", int, 15))
# Passwords lock per user and per IP; bad API tokens per IP only (see leadsys.lockout).
AXES_LOCKOUT_PARAMETERS = "leadsys.lockout.lockout_parameters"
AXES_LOCKOUT_CALLABLE = "leadsys.lockout.lockout_response"
AXES_CLIENT_IP_CALLABLE = "leadsys.lockout.axes_client_ip"  # X-Forwarded-For only with BEHIND_PROXY
AXES_RESET_ON_SUCCESS = True
# Each lockout is logged by axes (logger "axes", WARNING) and our answer as "leadsys.lockout";
# with the username and IP in clear, since a security log that masks who and where is no log.
AXES_SENSITIVE_PARAMETERS: list[str] = []

# Who sees which leads in the console, the API and the CSV export (activity/migrations/0007):
# "all" (every staff member sees every lead) or "own" (a rep sees the leads assigned to them and
# those waiting unassigned; managers see all).
REP_VISIBILITY = env("REP_VISIBILITY", default="all")
if REP_VISIBILITY not in ("all", "own"):
    raise ImproperlyConfigured("REP_VISIBILITY must be 'all' or 'own'.")

REQUIRE_2FA_FOR_MANAGERS = _typed("REQUIRE_2FA_FOR_MANAGERS", bool, not DEBUG)
OTP_TOTP_ISSUER = COMPANY_NAME

# No inline script or style without this request's nonce, nothing from another origin.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        "pgserver": {"level": "WARNING"},
        "procrastinate": {"level": "WARNING"},
        # Django's default config gives "django" its own console handler; it also propagates to
        # root, so every line printed twice. Root's handler is the one.
        "django": {"handlers": [], "propagate": True},
    },
}
