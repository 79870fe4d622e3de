"""Create the floor's tables (its own `migrate --run-syncdb`) and one bearer token; print {"token", "village",
"item"} as JSON. With --count-queries: raise one whistle in-process through the test client and print the
number of queries of the request (django.test.utils.CaptureQueriesContext).

    FLOOR_DATABASE_URL=sqlite:////tmp/x.sqlite3 python bench/whistles/floor/floor_setup.py [--count-queries TOKEN]
"""

import datetime as dt
import hashlib
import json
import os
import secrets
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "floor_settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.utils import timezone  # noqa: E402


def setup() -> dict:
    from floorapp.models import Token

    call_command("migrate", run_syncdb=True, verbosity=0)
    token = secrets.token_urlsafe(32)
    Token.objects.create(digest=hashlib.sha256(token.encode()).hexdigest(), user_id=1,
                         expires_at=timezone.now() + dt.timedelta(days=1))
    return {"token": token, "village": "V001", "item": "CS-ZR-001"}


def count_queries(token: str) -> int:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    setup_test_environment()
    body = json.dumps({"item": "CS-ZR-001", "village": "V001", "urgency": "normal", "description": "count",
                       "address": "村口"})
    client = Client()
    client.post("/api/v1/whistles", body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}")
    with CaptureQueriesContext(connection) as ctx:
        r = client.post("/api/v1/whistles", body, content_type="application/json",
                        HTTP_AUTHORIZATION=f"Bearer {token}")
    assert r.status_code == 201, r.content
    return statements(ctx.captured_queries)


def statements(captured: list[dict]) -> int:
    """SQL statements other than transaction control (BEGIN, COMMIT, SAVEPOINT): what both systems are counted by."""
    control = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE SAVEPOINT")
    return sum(1 for q in captured if not q["sql"].lstrip().upper().startswith(control))


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--count-queries":
        print(json.dumps({"queries": count_queries(sys.argv[2])}))
    else:
        print(json.dumps(setup()))
