"""Every page of the demo county answers: each whistle as the establishment office and as the township
that raised it, each department's inbox, the board (issue 9: 284 of 400 demo whistles answered 500)."""

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse

from tests.demo.test_load import load
from tiaokuai.core.models import AuditEvent
from tiaokuai.org.models import Membership
from tiaokuai.whistles.models import Dispatch, Dispute, Escalation, Rating, Whistle


@pytest.fixture(scope="module")
def _demo(django_db_setup, django_db_blocker, tmp_path_factory):
    """The small demo county with its whistle history, shared by this module and rolled back at the end."""
    from django.test.utils import override_settings

    var = tmp_path_factory.mktemp("demo-pages")
    with django_db_blocker.unblock(), override_settings(VAR_DIR=var):
        with transaction.atomic():
            load(1)
            yield
            transaction.set_rollback(True)


@pytest.fixture
def demo(_demo, db):
    return None


def _client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _user_with(role, **filters):
    m = (Membership.objects.filter(role=role, person__user__isnull=False, person__user__is_active=True, **filters)
         .select_related("person__user").order_by("pk").first())
    return m.person.user if m else None


def test_given_the_demo_then_it_has_the_histories_that_used_to_break_the_page(demo):
    assert Dispatch.objects.filter(escalation_level__gt=0).exists()
    assert Escalation.objects.exists()
    assert Dispute.objects.exists()
    assert Rating.objects.exists()
    assert AuditEvent.objects.filter(object_type="whistles.whistle", actor__isnull=True).exists()
    assert Whistle.objects.filter(status="open", dispatches__escalation_level__gt=0).exists()


def test_given_every_demo_whistle_when_opened_by_the_office_and_its_township_then_200(demo):
    office = _client(_user_with("establishment_office"))
    clients = {}
    failures = []
    for w in Whistle.objects.select_related("raised_by").order_by("pk"):
        url = reverse("whistles:detail", args=[w.pk])
        township = clients.setdefault(w.raised_by_id, _client(w.raised_by))
        for who, c in (("office", office), ("township", township)):
            resp = c.get(url)
            if resp.status_code != 200:
                failures.append((w.number, who, resp.status_code))
            elif w.pk % 7 == 0:  # the timeline reads as sentences, never codes or dicts
                html = resp.content.decode()
                start = html.index('id="timeline"')
                timeline = html[start:html.index("</ol>", start)]
                assert "吹哨" in timeline and "{" not in timeline and "whistles.raise<" not in timeline
    assert failures == []


def test_given_every_department_with_dispatches_when_opening_its_inbox_then_200(demo):
    org_ids = set(Dispatch.objects.values_list("organisation_id", flat=True))
    opened = 0
    for org_id in sorted(org_ids):
        user = _user_with("department", organisation_id=org_id)
        if user is None:
            continue
        resp = _client(user).get(reverse("whistles:inbox"))
        assert resp.status_code == 200, (org_id, resp.status_code)
        opened += 1
    assert opened >= 3


def test_given_the_office_and_a_township_when_opening_the_board_then_200(demo):
    for user in (_user_with("establishment_office"), Whistle.objects.order_by("pk").first().raised_by):
        assert _client(user).get(reverse("whistles:board")).status_code == 200


def test_given_the_demo_and_a_sweep_then_every_action_written_is_registered_and_reads_as_a_sentence(demo):
    from tiaokuai.core import sweeps, timeline

    sweeps.run_all()
    written = set(AuditEvent.objects.values_list("action", flat=True).distinct())
    assert {"whistles.raise", "whistles.escalate", "demo.load"} <= written
    assert sorted(a for a in written if not timeline.is_registered(a)) == []
    events = [AuditEvent.objects.filter(action=a).order_by("-pk").first() for a in sorted(written)]
    for entry in timeline.render(events):
        assert "{" not in entry.text and entry.action not in entry.text, entry.text


def test_given_demo_descriptions_with_a_phone_then_every_page_and_export_shows_it_masked(demo):
    import io
    import re

    from openpyxl import load_workbook

    typed = list(Whistle.objects.filter(description__contains="现场联系人电话").select_related("raised_by")[:10])
    assert typed, "the demo types a contact number into some descriptions"
    office = _client(_user_with("establishment_office"))
    for w in typed:
        full = re.search(r"139\d{8}", w.description).group(0)
        html = office.get(reverse("whistles:detail", args=[w.pk])).content.decode()
        assert full not in html and f"{full[:3]}****{full[-4:]}" in html and 'id="reveal-form"' in html
        html = _client(w.raised_by).get(reverse("whistles:detail", args=[w.pk])).content.decode()
        assert full not in html
    resp = office.get(reverse("whistles:list"), {"format": "xlsx"})
    text = " ".join(str(c) for row in load_workbook(io.BytesIO(resp.content)).active.iter_rows(values_only=True)
                    for c in row if c)
    assert "现场联系人电话：139****" in text and not re.search(r"139\d{8}", text)
