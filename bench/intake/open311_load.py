"""Benchmark: Open311 `POST requests` through the production server (granian), SQLite and PostgreSQL.

The whistle benchmark's harness (bench/whistles/api_load.py: fresh database, migrate, `tiaokuai serve` on
127.0.0.1, a 32-client closed loop, an open loop at a fixed offered rate measured from the scheduled send
time) with the path and body of an Open311 client: api_key, service_code (a matter in force, so the body is
dispatched at once), attribute[village], description.

    .venv/bin/python bench/intake/open311_load.py [--db sqlite,postgresql] [--requests 4000] [--rate 100,300]
"""

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "whistles"))
import api_load  # noqa: E402

api_load.SETUP = r"""
import json, os
import django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tiaokuai.config.settings")
django.setup()
from tests.factories import make_county
from tiaokuai.intake.services import new_open311_client
c = make_county()
_client, key = new_open311_client(actor=None, name="bench", rate_per_minute=10_000_000)
print(json.dumps({"token": "", "api_key": key, "village": c.villages[0].code, "item": "ZR-001"}))
"""
api_load.PATH = "/open311/v2/requests.json"
api_load.WHAT = "Open311 service requests"


def payload(data: dict, i: int) -> bytes:
    return json.dumps({"api_key": data["api_key"], "service_code": data["item"],
                       "attribute[village]": data["village"], "description": f"压测：村口有人违法占用耕地建房 #{i}",
                       "phone": "13800000000"}).encode()


api_load.payload = payload

if __name__ == "__main__":
    api_load.main()
