import json
import re
from collections import Counter

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from tiaokuai.core.models import AuditEvent
from tiaokuai.demo.accounts import ROLES
from tiaokuai.demo.generate import id_check_digit, parse_scale
from tiaokuai.duties.models import Assignment, ListRelease, Matter, ProcessStep
from tiaokuai.org.choices import ALLOWED_DIVISION_LEVELS, ALLOWED_PARENT_KINDS
from tiaokuai.org.models import (
    Certificate,
    Division,
    EstablishmentQuota,
    Membership,
    Organisation,
    Person,
    StaffAssignment,
)

PASSWORD = "demo-test-pw"
MODELS = (Division, Organisation, Person, Membership, EstablishmentQuota, StaffAssignment, Certificate,
          ListRelease, Matter, Assignment, ProcessStep, AuditEvent, get_user_model())


@pytest.fixture
def var_dir(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    return tmp_path


def load(seed=1, *extra):
    call_command("demo", "load", "--seed", str(seed), "--scale", "small", "--password", PASSWORD, *extra)


def accounts(var_dir):
    return json.loads((var_dir / "demo-accounts.json").read_text(encoding="utf-8"))


def row_counts():
    return {m.__name__: m.objects.count() for m in MODELS}


@pytest.fixture
def demo(db, var_dir):
    load()
    return accounts(var_dir)


@pytest.fixture(scope="module")
def _shared_demo(django_db_setup, django_db_blocker, tmp_path_factory):
    """One small county for the read-only tests of this module, rolled back at the end."""
    from django.test.utils import override_settings

    var = tmp_path_factory.mktemp("demo")
    with django_db_blocker.unblock(), override_settings(VAR_DIR=var):
        with transaction.atomic():
            load()
            yield accounts(var)
            transaction.set_rollback(True)


@pytest.fixture
def shared(_shared_demo, db):
    return _shared_demo


def test_given_an_empty_database_when_loading_small_then_the_counts_are_in_the_expected_ranges(shared):
    townships = Division.objects.filter(level="township")
    assert townships.count() == 3
    assert {t.kind for t in townships} == {"subdistrict", "town", "township"}
    assert Division.objects.filter(level="village").count() == 30
    assert 30 <= Division.objects.filter(level="grid").count() <= 90
    assert Division.objects.get(level="county").institution_limit == 35
    departments = Organisation.objects.filter(kind="county_department")
    assert departments.count() >= 30
    assert {"331122-BB", "331122-DCS", "331122-JWJW"} <= set(departments.values_list("code", flat=True))
    assert Organisation.objects.get(code="331122-ZHZX").kind == "public_institution"
    for t in townships:
        assert Organisation.objects.filter(division=t, kind="township").count() == 1
        assert Organisation.objects.filter(division=t, kind="township_office").count() >= 5
        assert Organisation.objects.filter(division=t, kind="public_institution").count() >= 4
        stationed = Organisation.objects.filter(division=t, kind="stationed_agency")
        assert {o.parent.code for o in stationed} >= {"331122-GAJ", "331122-SFJ", "331122-SCJG", "331122-ZRZY"}
    counted = Organisation.objects.filter(counts_toward_limit=True).count()
    assert 30 <= counted <= 40 and counted != 35
    # Every unit has establishment, and every current placement is one person in one slot.
    assert not Organisation.objects.filter(quotas__isnull=True).exists()
    current = StaffAssignment.objects.filter(ended_on__isnull=True)
    assert current.count() > 500
    assert current.values("person").distinct().count() == current.count()
    release = ListRelease.objects.get(kind="responsibility", number=1)
    assert release.status == "published" and str(release.effective_from) == "2026-01-01"
    assert 55 <= release.matters.count() <= 70
    assert release.matters.values("domain").distinct().count() == 8
    assert AuditEvent.objects.filter(action="demo.load").count() == 1
    # One audit event for the whole load, none per row.
    assert not AuditEvent.objects.filter(action__regex=r"^(org|duties)\.").exists()


def test_given_the_organisations_then_they_follow_the_registry_rules_for_parents_and_divisions(shared):
    for org in Organisation.objects.select_related("parent", "division"):
        parent_kind = org.parent.kind if org.parent else None
        assert parent_kind in ALLOWED_PARENT_KINDS[org.kind], org
        assert org.division.level in ALLOWED_DIVISION_LEVELS[org.kind], org
        if org.kind == "township_office":
            assert org.parent.division_id == org.division_id
    for quota in EstablishmentQuota.objects.all():
        assert quota.leadership_posts <= quota.approved


def test_given_the_draft_release_then_it_adds_removes_and_reassigns_one_matter_each(shared):
    v1 = ListRelease.objects.get(kind="responsibility", number=1)
    v2 = ListRelease.objects.get(kind="responsibility", number=2)
    assert v2.status == "draft" and v2.based_on == v1
    old, new = set(v1.matters.values_list("code", flat=True)), set(v2.matters.values_list("code", flat=True))
    assert len(new - old) == 1 and len(old - new) == 1
    primaries = {(m.code, a.organisation_id) for r in (v1, v2) for m in r.matters.all()
                 for a in m.assignments.filter(role="primary")}
    by_code = Counter(code for code, _ in primaries)
    assert sum(1 for n in by_code.values() if n == 2) == 1  # one matter changed its primary body


def test_given_the_list_then_every_matter_has_one_primary_body_coordinators_and_a_process(shared):
    for matter in Matter.objects.prefetch_related("assignments", "steps"):
        roles = Counter(a.role for a in matter.assignments.all())
        assert roles["primary"] == 1, matter
        assert 1 <= roles["coordinating"] <= 3, matter
        assert all(a.duty for a in matter.assignments.all())
        assert 2 <= len(matter.steps.all()) <= 4, matter
        assert all(s.time_limit_days for s in matter.steps.all())
        assert matter.legal_basis.startswith("《") and matter.keywords
    assert Matter.objects.filter(assignments__body_kind="territorial_township").exists()  # 属地乡镇（街道）
    assert not Matter.objects.filter(assignments__organisation__kind="township").exists()  # no particular township


def test_given_the_registry_then_there_are_units_over_establishment_and_units_with_vacancies(shared):
    over = vacant = 0
    actual = Counter(StaffAssignment.objects.filter(ended_on__isnull=True).values_list("organisation", "kind"))
    for quota in EstablishmentQuota.objects.all():
        n = actual[(quota.organisation_id, quota.kind)]
        over += n > quota.approved
        vacant += n < quota.approved
    assert over >= 3 and vacant >= 3


def test_given_the_certificates_then_some_are_expired_some_expire_soon_and_numbers_look_real(shared):
    today = timezone.localdate()
    certs = Certificate.objects.all()
    staff = StaffAssignment.objects.filter(ended_on__isnull=True).count()
    assert 0.05 * staff <= certs.count() <= 0.2 * staff
    assert certs.filter(expires_on__lt=today).exists()
    assert certs.filter(expires_on__gte=today, expires_on__lte=today + timezone.timedelta(days=90)).exists()
    assert all(re.fullmatch(r"浙执字331122\d{4}", c.number) for c in certs)
    assert not Certificate.objects.filter(domains__isnull=True).exists()
    for person in Person.objects.all()[:200]:
        assert re.fullmatch(r"1\d{10}", person.phone)
        assert len(person.id_number) == 18 and id_check_digit(person.id_number[:17]) == person.id_number[17]


def test_given_the_accounts_file_then_it_has_the_documented_shape_and_every_role(shared):
    demo = shared
    assert all(set(a) == {"username", "password", "role", "organisation", "division", "name"} for a in demo)
    assert len({a["username"] for a in demo}) == len(demo)
    assert {a["role"] for a in demo} == set(ROLES)
    assert all(a["password"] == PASSWORD for a in demo)
    org_codes = set(Organisation.objects.values_list("code", flat=True))
    division_codes = set(Division.objects.values_list("code", flat=True))
    for a in demo:
        if a["role"] == "citizen":
            assert a["organisation"] is None and a["division"] is None
        else:
            assert a["organisation"] in org_codes
        if a["role"] in ("township", "grid_worker", "proxy_agent"):
            assert a["division"] in division_codes
        else:
            assert a["division"] is None
    covered = {a["organisation"] for a in demo}
    assert set(Organisation.objects.filter(kind__in=["county_department", "township"])
               .values_list("code", flat=True)) <= covered
    towns = {a["division"] for a in demo if a["role"] == "township"}
    assert towns == set(Division.objects.filter(level="township").values_list("code", flat=True))
    levels = {a["role"]: Division.objects.get(code=a["division"]).level for a in demo if a["division"]}
    assert levels == {"township": "township", "grid_worker": "grid", "proxy_agent": "village"}


def test_given_the_accounts_then_each_signs_in_with_its_person_and_membership(shared):
    demo = shared
    for a in demo:
        user = authenticate(username=a["username"], password=PASSWORD)
        assert user is not None, a["username"]
        assert user.person.name == a["name"]
        memberships = Membership.objects.filter(person__user=user)
        if a["role"] == "citizen":
            assert not memberships.exists()
        else:
            assert memberships.filter(role=a["role"], organisation__code=a["organisation"]).exists()
    officer = next(a for a in demo if a["role"] == "officer")
    valid = Certificate.objects.filter(holder__user__username=officer["username"],
                                       expires_on__gt=timezone.localdate(), domains__code="ZHZF")
    assert valid.exists()


def test_given_scale_texts_then_they_parse_or_are_refused():
    assert (parse_scale("large").townships, parse_scale("large").villages) == (40, 1000)
    assert (parse_scale("default").townships, parse_scale(None).villages) == (12, 150)
    assert (parse_scale("5t:40v").townships, parse_scale("5t:40v").villages) == (5, 40)
    for bad in ("huge", "5t", "0t:10v", "3t:2v", "500t:1000v"):
        with pytest.raises(ValueError):
            parse_scale(bad)


def test_given_the_demo_then_a_hotline_operator_takes_calls_in_the_command_centre(shared):
    from django.contrib.auth import get_user_model

    from tiaokuai.core.access import viewer_for
    from tiaokuai.intake.access import is_hotline, is_operator
    from tiaokuai.shell.management.commands.demo import role_label

    account = next(a for a in shared if a["username"] == "hotline")
    assert account["role"] == "hotline" and role_label("hotline") == "热线话务员"
    viewer = viewer_for(get_user_model().objects.get(username="hotline"))
    assert is_hotline(viewer) and not is_operator(viewer) and not viewer.county_wide
    assert Organisation.objects.get(code=account["organisation"]).name.endswith("指挥中心")


def test_given_the_demo_then_only_the_establishment_office_may_export_unmasked(shared):
    from tiaokuai.core.personal import may_export_unmasked

    allowed = {a["username"] for a in shared
               if may_export_unmasked(authenticate(username=a["username"], password=PASSWORD))}
    assert allowed == {"bianban"}
