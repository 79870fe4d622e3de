"""The county a live server is raised at, by the kill -9 test (tests/whistles/test_kill9.py) and the load
benchmarks (bench/whistles): a Python script run in a fresh process against the server's database (the minimal
county of tests.factories, one published whistle list with one item), printing the township's API token, a
village code and the item code as JSON on its last line."""

SETUP = r"""
import datetime as dt, json, os
import django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tiaokuai.config.settings")
django.setup()
from django.utils import timezone
from tests.factories import make_county
from tiaokuai.core.services import token_issue
from tiaokuai.duties.models import ListRelease
from tiaokuai.whistles.models import WhistleItem
now = timezone.now()
c = make_county()
rel = ListRelease.objects.create(kind="whistle", number=1, title="示范县吹哨清单", status="published",
                                 effective_from=dt.date(2026, 1, 1), created_at=now, published_at=now)
WhistleItem.objects.create(release=rel, code="CS-ZR-001", name="违法占用耕地建房", domain=c.domains["ZRZY"],
                           whistle_class="must", trigger="发现违法占地建房", matter_code="ZR-001")
print(json.dumps({"token": token_issue(user=c.users["township"], at=now), "village": c.villages[0].code,
                  "item": "CS-ZR-001"}))
"""
