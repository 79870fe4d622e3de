"""Settings, all from the environment. See docs/deploy.md and `tiaokuai check-deploy`."""

import os
import secrets
import sys
from pathlib import Path
from typing import Any

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent  # src/tiaokuai
PROJECT_DIR = BASE_DIR.parent.parent
VAR_DIR = Path(os.environ.get("TIAOKUAI_VAR_DIR", PROJECT_DIR / "var"))


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEMO = env_bool("TIAOKUAI_DEMO")
TESTING = env_bool("TIAOKUAI_TESTING") or "pytest" in sys.modules
DEBUG = env_bool("TIAOKUAI_DEBUG")


def _secret_key() -> str:
    key = os.environ.get("TIAOKUAI_SECRET_KEY")
    if key:
        return key
    # Demo and development keep a generated key under var/ so sessions survive restarts;
    # `tiaokuai check-deploy` flags this as unsafe for production.
    path = VAR_DIR / "secret-key"
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(50)
        path.write_text(key)
        path.chmod(0o600)
        return key


SECRET_KEY = _secret_key()
SECRET_KEY_FROM_ENV = "TIAOKUAI_SECRET_KEY" in os.environ
ALLOWED_HOSTS = env_list("TIAOKUAI_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("TIAOKUAI_CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "django_tasks_db",
    "ninja",  # its bundled Swagger UI assets, served from static/ (the API docs page loads nothing from a CDN)
    "tiaokuai.core",
    "tiaokuai.org",
    "tiaokuai.duties",
    "tiaokuai.whistles",
    "tiaokuai.intake",
    "tiaokuai.notify",
    "tiaokuai.routing",
    "tiaokuai.shell",  # the top layer: navigation, home, system pages (apps register into it)
]
# The bodies work is dispatched to (core.dispatch), named here so the kernel imports no domain app.
TIAOKUAI_BODY_MODEL = "org.Organisation"

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "tiaokuai.core.middleware.CSPMiddleware",  # django-csp's: Content-Security-Policy (CONTENT_SECURITY_POLICY below)
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "tiaokuai.core.middleware.RequestIdMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "tiaokuai.core.middleware.LocaleMiddleware",  # Django's, without the path prefix look-ups (no i18n_patterns)
    "tiaokuai.core.middleware.RejectNullCharactersMiddleware",  # NUL in path/query/JSON → 400, not a crash
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "tiaokuai.core.middleware.TwoFactorRequiredMiddleware",  # TIAOKUAI_TOTP_REQUIRED: enrol before anything else
    "tiaokuai.core.middleware.MessageMiddleware",  # Django's, the storage made when first used
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "tiaokuai.config.urls"
WSGI_APPLICATION = "tiaokuai.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "tiaokuai.shell.context_processors.shell",
            ],
        },
    }
]

VAR_DIR.mkdir(parents=True, exist_ok=True)
SQLITE_PATH = VAR_DIR / "tiaokuai.sqlite3"
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{SQLITE_PATH}"), conn_max_age=600, conn_health_checks=True
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Django's backend with the writers of one process queued in Python (core/sqlite/base.py, ADR 0019).
    DATABASES["default"]["ENGINE"] = "tiaokuai.core.sqlite"
    DATABASES["default"]["CONN_MAX_AGE"] = 0 if TESTING else 600
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets readers run beside the one writer; IMMEDIATE takes the write lock at BEGIN so
        # two writers queue instead of failing with "database is locked" on lock upgrade.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=20000;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Short OLTP reads, measured at 1 M whistles (bench/README.md): no JIT — the planner costs a LIMITed page of a
    # million-row table by the whole table, and compiling the plan (50–80 ms) cost more than running it (~2 ms);
    # join orders searched in groups of 4 — a list page joins ~10 tables (select_related) and planning them
    # exhaustively took 58–83 ms against 7 ms, for the same plan.
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"]["options"] = (DATABASES["default"]["OPTIONS"].get("options", "")
                                                  + " -c jit=off -c join_collapse_limit=4").strip()
if os.environ.get("TIAOKUAI_TEST_DATABASE_URL") and TESTING:
    DATABASES["default"]["TEST"] = {"NAME": os.environ.get("TIAOKUAI_TEST_DATABASE_NAME", "test_tiaokuai")}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Every sign-in (pages, API token, admin) passes the per-account and per-address lock (core.throttle).
AUTHENTICATION_BACKENDS = ["tiaokuai.core.throttle.ThrottledModelBackend"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
FORMAT_MODULE_PATH = ["tiaokuai.config.formats"]

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("TIAOKUAI_STATIC_ROOT", VAR_DIR / "static"))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(os.environ.get("TIAOKUAI_MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_URL = "/media/"
WHITENOISE_USE_FINDERS = True  # serve straight from the app's static dirs when collectstatic was not run
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

TASKS = {
    "default": {
        "BACKEND": "django.tasks.backends.immediate.ImmediateBackend"
        if TESTING
        else "django_tasks_db.DatabaseBackend"
    }
}

MAILERS = {
    "default": {
        "BACKEND": os.environ.get("TIAOKUAI_EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend"),
        "OPTIONS": {"host": os.environ.get("TIAOKUAI_EMAIL_HOST", "localhost")},
    }
}
DEFAULT_FROM_EMAIL = os.environ.get("TIAOKUAI_FROM_EMAIL", "tiaokuai@localhost")

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("TIAOKUAI_SECURE_COOKIES")
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
CSRF_FAILURE_VIEW = "tiaokuai.core.error_pages.csrf_failure"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# HTTPS (docs/deploy.md): redirect plain HTTP, HSTS, and the header a TLS-terminating reverse proxy sets.
# `tiaokuai check-deploy` reports each one that is missing.
SECURE_SSL_REDIRECT = env_bool("TIAOKUAI_SSL_REDIRECT")
SECURE_HSTS_SECONDS = int(os.environ.get("TIAOKUAI_HSTS_SECONDS", "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("TIAOKUAI_HSTS_INCLUDE_SUBDOMAINS")
SECURE_HSTS_PRELOAD = env_bool("TIAOKUAI_HSTS_PRELOAD")
# Trust X-Forwarded-Proto only when a reverse proxy that sets it stands in front (TIAOKUAI_PROXY_HOPS ≥ 1).
PROXY_HOPS_SET = "TIAOKUAI_PROXY_HOPS" in os.environ
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if int(os.environ.get("TIAOKUAI_PROXY_HOPS", "0")) > 0 else None
)

# Content-Security-Policy (django-csp): scripts only from this site's /static/ (no inline script, no eval),
# nothing from another origin; inline style attributes stay allowed (the UI kit uses them).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("TIAOKUAI_LOG_LEVEL", "WARNING")},
    "loggers": {"tiaokuai": {"level": os.environ.get("TIAOKUAI_LOG_LEVEL", "INFO")}},
}

# Platform settings a county may change.
TIAOKUAI: dict[str, Any] = {
    "PAGE_SIZE": 25,
    "MAX_UPLOAD_BYTES": int(os.environ.get("TIAOKUAI_MAX_UPLOAD_BYTES", 10 * 1024 * 1024)),
    "MAX_UPLOAD_FILES": int(os.environ.get("TIAOKUAI_MAX_UPLOAD_FILES", "20")),  # per upload (core.attachments)
    "SITE_TITLE": _("Tiaokuai county–township governance platform"),
    # Routing: precision a county wants before a suggestion is acted on without a person.
    "ROUTING_TARGET_PRECISION": float(os.environ.get("TIAOKUAI_ROUTING_TARGET_PRECISION", "0.9")),
    "ROUTING_DEFAULT_THRESHOLD": 0.5,
    # Notifications: channels by name ("log", "sms", "email"); the SMS gateway is the county's own.
    "NOTIFY_CHANNELS": env_list("TIAOKUAI_NOTIFY_CHANNELS", "log"),
    "SMS_GATEWAY_URL": os.environ.get("TIAOKUAI_SMS_GATEWAY_URL", ""),
    "SMS_GATEWAY_TOKEN": os.environ.get("TIAOKUAI_SMS_GATEWAY_TOKEN", ""),
    # The SMS adapter (notify.sms): "http" (the gateway above; or basic auth with user/password) or "file" (one
    # JSON line per message in SMS_FILE_PATH, default <var dir>/sms-outbox.jsonl: the demo, intranets).
    "SMS_BACKEND": os.environ.get("TIAOKUAI_SMS_BACKEND", "file" if DEMO else "http"),
    "SMS_GATEWAY_USER": os.environ.get("TIAOKUAI_SMS_GATEWAY_USER", ""),
    "SMS_GATEWAY_PASSWORD": os.environ.get("TIAOKUAI_SMS_GATEWAY_PASSWORD", ""),
    "SMS_FILE_PATH": os.environ.get("TIAOKUAI_SMS_FILE_PATH", ""),
    # Replies the gateway forwards to /intake/sms/reply/ carry this bearer token (empty: the endpoint is off).
    "SMS_INBOUND_TOKEN": os.environ.get("TIAOKUAI_SMS_INBOUND_TOKEN", ""),
    # The satisfaction callback first by text message (1/2/3 + comment); no mobile number, or no reply in the
    # hours given → the operators' callback queue. Template placeholders: {number}, {hours}.
    "INTAKE_CALLBACK_SMS": env_bool("TIAOKUAI_INTAKE_CALLBACK_SMS", DEMO),
    "INTAKE_CALLBACK_SMS_HOURS": int(os.environ.get("TIAOKUAI_INTAKE_CALLBACK_SMS_HOURS", "48")),
    "INTAKE_CALLBACK_SMS_TEMPLATE": os.environ.get("TIAOKUAI_INTAKE_CALLBACK_SMS_TEMPLATE", ""),
    "WHISTLE_REOPEN_DAYS": int(os.environ.get("TIAOKUAI_WHISTLE_REOPEN_DAYS", "15")),
    # Channels sent by the worker's sweep rather than a task per notification (cheap, local ones).
    "NOTIFY_SWEEP_CHANNELS": env_list("TIAOKUAI_NOTIFY_SWEEP_CHANNELS", "log"),
    # Working minutes between whistle escalation levels (reminder → head → supervision); default one working day.
    "WHISTLE_ESCALATION_INTERVAL_MINUTES": int(os.environ.get("TIAOKUAI_WHISTLE_ESCALATION_INTERVAL_MINUTES", "420")),
    # Sign-in protection (core.throttle): failures in a row before a lock, per account and per address (an
    # office behind one NAT address shares it), the first lock, doubled per further failure up to the maximum.
    "LOGIN_ACCOUNT_LIMIT": int(os.environ.get("TIAOKUAI_LOGIN_ACCOUNT_LIMIT", "10")),
    "LOGIN_ADDRESS_LIMIT": int(os.environ.get("TIAOKUAI_LOGIN_ADDRESS_LIMIT", "50")),
    "LOGIN_LOCK_SECONDS": int(os.environ.get("TIAOKUAI_LOGIN_LOCK_SECONDS", "300")),
    "LOGIN_MAX_LOCK_SECONDS": int(os.environ.get("TIAOKUAI_LOGIN_MAX_LOCK_SECONDS", "3600")),
    "LOGIN_FORGET_SECONDS": int(os.environ.get("TIAOKUAI_LOGIN_FORGET_SECONDS", "86400")),
    # Reverse proxies in front of the platform that append X-Forwarded-For (0: use the socket's address).
    "PROXY_HOPS": int(os.environ.get("TIAOKUAI_PROXY_HOPS", "0")),
    # API tokens: days until a token expires; live tokens kept per user (older ones are revoked).
    "API_TOKEN_DAYS": int(os.environ.get("TIAOKUAI_API_TOKEN_DAYS", "30")),
    "API_TOKENS_PER_USER": int(os.environ.get("TIAOKUAI_API_TOKENS_PER_USER", "20")),
    # Second factor (core.twofactor): the county-wide roles may enrol a TOTP app; TIAOKUAI_TOTP_REQUIRED=1 makes it
    # mandatory for them (enrolment before any other page; the token API refuses them until enrolled).
    "TOTP_REQUIRED": env_bool("TIAOKUAI_TOTP_REQUIRED", False),
    "TOTP_ISSUER": os.environ.get("TIAOKUAI_TOTP_ISSUER", ""),  # the name the authenticator app shows
}

if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    WHITENOISE_AUTOREFRESH = True
