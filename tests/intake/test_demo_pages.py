"""The demo county's citizen requests: every intake page answers 200 for the roles that use it, every request
page opens for the office and the bodies working it, the tracking page for each code, and every audit action
written is registered."""

import json

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse

from tests.demo.test_load import load
from tiaokuai.core import timeline
from tiaokuai.core.models import AuditEvent
from tiaokuai.intake.access import may_handle
from tiaokuai.intake.models import (
    Interview,
    Open311Client,
    Request,
    RequestDispatch,
    RequestEscalation,
    SupervisionItem,
)
from tiaokuai.org.models import Membership


@pytest.fixture(scope="module")
def _demo(django_db_setup, django_db_blocker, tmp_path_factory):
    from django.test.utils import override_settings

    var = tmp_path_factory.mktemp("intake-demo")
    with django_db_blocker.unblock(), override_settings(VAR_DIR=var):
        with transaction.atomic():
            load(1)
            yield var
            transaction.set_rollback(True)


@pytest.fixture
def demo(_demo, db):
    return _demo


def _client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _user_with(role, **filters):
    m = (Membership.objects.filter(role=role, person__user__isnull=False, person__user__is_active=True, **filters)
         .select_related("person__user").order_by("pk").first())
    return m.person.user if m else None


def test_given_the_demo_then_it_has_requests_on_every_channel_and_in_every_state(demo):
    assert set(Request.objects.values_list("channel", flat=True)) == {"web", "hotline", "grid", "proxy", "open311"}
    assert set(Request.objects.values_list("status", flat=True)) >= {"received", "dispatched", "resolved", "closed",
                                                                       "merged"}
    assert Request.objects.filter(outcome="answered_on_spot", status="closed").exists()
    assert Request.objects.filter(reopen_count__gt=0).exists()
    assert RequestDispatch.objects.filter(status="disputed").exists()
    assert RequestEscalation.objects.filter(level=3).exists()
    assert Request.objects.exclude(supervised_at=None).exists()
    assert SupervisionItem.objects.filter(reason="overdue").exists() and Interview.objects.filter(level=1).exists()
    key = json.loads((demo / "demo-open311.json").read_text())
    assert key["endpoint"].endswith("/open311/v2/") and Open311Client.objects.count() == 1


ROLE_PAGES = {
    None: ["intake:submit", "intake:track"],
    "leader": ["intake:hotline", "intake:list", "intake:supervision", "intake:callbacks"],
    "supervision": ["intake:list", "intake:supervision", "intake:supervision_items"],
    "establishment_office": ["intake:list", "intake:supervision"],
    "department": ["intake:inbox", "intake:list"],
    "township": ["intake:inbox", "intake:list"],
    "grid_worker": ["intake:field", "intake:list"],
    "proxy_agent": ["intake:field", "intake:list"],
}


def test_given_the_demo_when_each_role_opens_its_intake_pages_then_200(demo):
    failures = []
    for role, names in ROLE_PAGES.items():
        client = Client() if role is None else _client(_user_with(role))
        for name in names:
            resp = client.get(reverse(name))
            if resp.status_code != 200:
                failures.append((role, name, resp.status_code))
    supervision = _client(_user_with("supervision"))
    for org_id in SupervisionItem.objects.values_list("organisation_id", flat=True).distinct():
        resp = supervision.get(reverse("intake:supervision_unit", args=[org_id]))
        if resp.status_code != 200:
            failures.append(("supervision", org_id, resp.status_code))
    assert failures == []


def test_given_every_demo_request_when_opened_by_the_operator_and_its_handlers_then_200(demo):
    operator = _client(_user_with("leader"))
    handlers = {}
    failures = []
    for r in Request.objects.order_by("pk"):
        url = reverse("intake:detail", args=[r.pk])
        if operator.get(url).status_code != 200:
            failures.append(("operator", r.number))
        for d in r.dispatches.select_related("organisation"):
            kind = "township" if d.organisation.kind in ("township", "township_office") else "department"
            filters = {"division_id": d.organisation.division_id} if kind == "township" else {"organisation": d.organisation}
            user = _user_with(kind, **filters)
            if user is None:
                continue
            from tiaokuai.core.access import viewer_for

            assert may_handle(viewer_for(user), d)
            client = handlers.setdefault(user.pk, _client(user))
            if client.get(url).status_code != 200:
                failures.append((kind, r.number))
        resp = Client().get(reverse("intake:track_code", args=[r.tracking_code]))
        if resp.status_code != 200 or r.citizen_phone and r.citizen_phone.encode() in resp.content:
            failures.append(("public", r.number))
    assert failures == []


def test_given_the_demo_then_every_intake_action_written_is_registered(demo):
    written = set(AuditEvent.objects.filter(action__startswith="intake.").values_list("action", flat=True))
    assert sorted(a for a in written if not timeline.is_registered(a)) == []
    assert {"intake.submit", "intake.escalate", "intake.callback", "intake.merge"} <= written
