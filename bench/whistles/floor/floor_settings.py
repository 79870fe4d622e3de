"""Settings of the floor: the least a Django + django-ninja service needs to take a whistle.

Nothing is shared with tiaokuai: its own apps (one), its own tables (`migrate --run-syncdb`), no middleware.
The database comes from FLOOR_DATABASE_URL: sqlite:////abs/path.sqlite3 or postgresql://user@host:port/name,
with the same SQLite pragmas and transaction mode as the platform (WAL, synchronous=NORMAL, BEGIN IMMEDIATE)
and the same persistent connections (CONN_MAX_AGE 600), so both stand on the same engine settings."""

import os
from urllib.parse import urlparse

SECRET_KEY = "floor-bench-not-secret"  # noqa: S105 (a benchmark on 127.0.0.1; no sessions, nothing signed)
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
INSTALLED_APPS = ["floorapp"]
MIDDLEWARE: list[str] = []
ROOT_URLCONF = "floor_urls"
USE_TZ = True
TIME_ZONE = "Asia/Shanghai"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

_url = urlparse(os.environ.get("FLOOR_DATABASE_URL", "sqlite:////tmp/floor.sqlite3"))
if _url.scheme == "sqlite":
    DATABASES = {"default": {
        "ENGINE": "django.db.backends.sqlite3", "NAME": _url.path, "CONN_MAX_AGE": 600,
        "OPTIONS": {"init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=20000;",
                    "transaction_mode": "IMMEDIATE", "timeout": 20},
    }}
else:
    DATABASES = {"default": {
        "ENGINE": "django.db.backends.postgresql", "NAME": _url.path.lstrip("/"), "USER": _url.username or "",
        "PASSWORD": _url.password or "", "HOST": _url.hostname or "", "PORT": str(_url.port or ""),
        "CONN_MAX_AGE": 600, "CONN_HEALTH_CHECKS": True,
    }}
LOGGING = {"version": 1, "disable_existing_loggers": False,
           "root": {"handlers": [], "level": "WARNING"}}
