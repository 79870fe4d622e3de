"""Benchmark: the public request form (`POST /intake/submit/`, no sign-in) through the production server (granian),
SQLite and PostgreSQL — the harness of bench/whistles/api_load.py (fresh database, `tiaokuai serve`, a 32-client
closed loop, an open loop at fixed offered rates measured from the scheduled send time).

The form is posted as a browser does: urlencoded, with the CSRF cookie and the same token in the form (a fixed
32-character secret, which Django accepts as both); the answer is the redirect to the tracking page (302,
counted as success). No matter is given, so the submit path asks the router (none trained here: the request
waits for an operator).

    .venv/bin/python bench/intake/form_load.py [--db sqlite,postgresql] [--requests 4000] [--rate 100,300]
"""

import asyncio
import sys
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "whistles"))
import api_load  # noqa: E402

CSRF = "BenchCsrfSecret0123456789abcdefA"  # 32 characters: a CSRF secret

api_load.SETUP = r"""
import json, os
import django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tiaokuai.config.settings")
django.setup()
from tests.factories import make_county
c = make_county()
print(json.dumps({"token": "", "village": c.villages[0].code, "item": ""}))
"""
api_load.PATH = "/intake/submit/"
api_load.WHAT = "citizen requests through the public form"
HEADERS = {"Content-Type": "application/x-www-form-urlencoded", "Cookie": f"csrftoken={CSRF}"}


def payload(data: dict, i: int) -> bytes:
    return urlencode({"csrfmiddlewaretoken": CSRF, "description": f"压测：村口路灯坏了一个月没人修 #{i}",
                      "village": data["village"], "kind": "general", "citizen_phone": "13800000000"}).encode()


async def send(conn, i: int, data: dict, headers: dict) -> int:
    try:
        status, body = await asyncio.wait_for(conn.request("POST", api_load.PATH, payload(data, i), HEADERS),
                                              api_load.REQUEST_TIMEOUT)
    except (ConnectionError, asyncio.IncompleteReadError, OSError, TimeoutError):
        conn.close()
        return 599
    if status == 302:
        return 201  # the redirect to the tracking page: taken
    api_load.SAMPLES.setdefault(status, body[:300].decode("utf-8", "replace"))
    return status


api_load.payload = payload
api_load.send = send

if __name__ == "__main__":
    api_load.main()
