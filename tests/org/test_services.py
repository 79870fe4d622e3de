import datetime as dt

import pytest

from tests.org.helpers import counts, person, quota, staff
from tiaokuai.core.errors import Conflict, Invalid, NotFound
from tiaokuai.core.models import AuditEvent
from tiaokuai.org import services
from tiaokuai.org.models import Certificate, Division, EstablishmentQuota, Organisation, StaffAssignment

REFUSED = ["department", "township", "township_other", "leader", "grid_worker", "citizen"]


# --------------------------------------------------------------------------- organisations


def test_given_office_when_creating_township_office_then_created_and_audited(county):
    office = county.users["establishment_office"]
    org = services.organisation_create(actor=office, code="T01-02", name="青石镇经济发展办公室", kind="township_office",
                                       division=county.townships[0], parent=county.township_orgs[0])
    assert org.parent == county.township_orgs[0]
    event = AuditEvent.objects.get(action="org.organisation.create")
    assert event.object_id == str(org.pk) and event.actor == office


@pytest.mark.parametrize("who", REFUSED)
def test_given_not_office_when_creating_organisation_then_not_found_and_nothing_changes(county, who):
    before = counts()
    with pytest.raises(NotFound):
        services.organisation_create(actor=county.users[who], code="X", name="x", kind="county_department",
                                     division=county.county)
    assert counts() == before


def test_given_anonymous_when_creating_organisation_then_not_found_and_nothing_changes(county):
    from django.contrib.auth.models import AnonymousUser

    before = counts()
    with pytest.raises(NotFound):
        services.organisation_create(actor=AnonymousUser(), code="X", name="x", kind="county_department",
                                     division=county.county)
    assert counts() == before


def test_given_office_under_a_department_when_created_then_invalid_per_field_and_nothing_changes(county):
    before = counts()
    with pytest.raises(Invalid) as exc:
        services.organisation_create(actor=county.users["establishment_office"], code="X", name="x",
                                     kind="township_office", division=county.county,
                                     parent=county.departments["D-ZR"])
    assert set(exc.value.details) == {"parent", "division"}
    assert counts() == before


def test_given_duplicate_code_when_creating_organisation_then_invalid_on_code(county):
    with pytest.raises(Invalid) as exc:
        services.organisation_create(actor=county.users["establishment_office"], code="D-ZR", name="x",
                                     kind="county_department", division=county.county)
    assert "code" in exc.value.details


def test_given_office_when_updating_organisation_then_before_after_audited(county):
    org = county.departments["D-ZR"]
    services.organisation_update(actor=county.users["establishment_office"], organisation=org, name="县自然资源和规划局")
    org.refresh_from_db()
    assert org.name == "县自然资源和规划局"
    event = AuditEvent.objects.get(action="org.organisation.update")
    assert event.before["name"] == "县自然资源局" and event.after["name"] == "县自然资源和规划局"


def test_given_unit_when_placed_under_its_own_child_then_invalid_and_unchanged(county):
    township_org = county.township_orgs[0]
    office = county.offices[0]
    with pytest.raises(Invalid):
        services.organisation_update(actor=county.users["establishment_office"], organisation=township_org,
                                     parent=office)
    township_org.refresh_from_db()
    assert township_org.parent is None


def test_given_department_user_when_updating_own_department_then_not_found_and_unchanged(county):
    org = county.departments["D-ZR"]
    before = counts()
    with pytest.raises(NotFound):
        services.organisation_update(actor=county.users["department"], organisation=org, name="改名")
    org.refresh_from_db()
    assert org.name == "县自然资源局"
    assert counts() == before


# --------------------------------------------------------------------------- divisions and people


def test_given_office_when_creating_village_then_township_denormalised_and_audited(county):
    v = services.division_create(actor=county.users["establishment_office"], code="330001003", name="青石3村",
                                 level="village", kind="village", parent=county.townships[0])
    assert v.township == county.townships[0]
    assert AuditEvent.objects.filter(action="org.division.create", object_id=str(v.pk)).count() == 1


def test_given_grid_under_township_when_created_then_invalid_and_nothing_changes(county):
    before = counts()
    with pytest.raises(Invalid) as exc:
        services.division_create(actor=county.users["establishment_office"], code="X1", name="x", level="grid",
                                 kind="grid", parent=county.townships[0])
    assert "parent" in exc.value.details
    assert counts() == before


def test_given_township_user_when_creating_division_then_not_found_and_nothing_changes(county):
    before = counts()
    with pytest.raises(NotFound):
        services.division_create(actor=county.users["township"], code="X1", name="x", level="village",
                                 kind="village", parent=county.townships[0])
    assert counts() == before


def test_given_office_when_updating_county_limit_then_saved(county):
    services.division_update(actor=county.users["establishment_office"], division=county.county,
                             institution_limit=37)
    assert Division.objects.get(pk=county.county.pk).institution_limit == 37


def test_given_bad_id_number_and_phone_when_registering_person_then_invalid_per_field(county):
    before = counts()
    with pytest.raises(Invalid) as exc:
        services.person_create(actor=county.users["establishment_office"], name="孙", id_number="123",
                               phone="12")
    assert set(exc.value.details) == {"id_number", "phone"}
    assert counts() == before


def test_given_person_when_registered_then_personal_data_not_in_audit(county):
    p = services.person_create(actor=county.users["establishment_office"], name="孙编制",
                               id_number="11010119900101123X", phone="13912345678")
    event = AuditEvent.objects.get(action="org.person.create")
    assert "13912345678" not in str(event.after) and "11010119900101123X" not in str(event.after)
    assert p.id_number == "11010119900101123X"


def test_given_membership_twice_when_created_then_conflict(county):
    office = county.users["establishment_office"]
    p = person()
    services.membership_create(actor=office, person=p, organisation=county.departments["D-ZR"], role="department")
    services.membership_create(actor=office, person=p, organisation=county.township_orgs[0], role="township",
                               division=county.townships[0])
    assert p.memberships.count() == 2
    before = counts()
    with pytest.raises(Conflict):
        services.membership_create(actor=office, person=p, organisation=county.departments["D-ZR"],
                                   role="department")
    assert counts() == before


# --------------------------------------------------------------------------- quotas and assignments


def test_given_office_when_setting_quota_then_created_then_updated_with_before_after(county):
    office = county.users["establishment_office"]
    org = county.township_orgs[0]
    services.quota_set(actor=office, organisation=org, kind="administrative", approved=30, leadership_posts=5)
    services.quota_set(actor=office, organisation=org, kind="administrative", approved=28, leadership_posts=5)
    q = EstablishmentQuota.objects.get(organisation=org, kind="administrative")
    assert q.approved == 28
    events = list(AuditEvent.objects.filter(action="org.quota.set").order_by("id"))
    assert len(events) == 2
    assert events[0].before is None and events[1].before["approved"] == 30 and events[1].after["approved"] == 28


def test_given_leadership_above_approved_when_setting_quota_then_invalid_and_nothing_changes(county):
    before = counts()
    with pytest.raises(Invalid) as exc:
        services.quota_set(actor=county.users["establishment_office"], organisation=county.township_orgs[0],
                           kind="administrative", approved=2, leadership_posts=3)
    assert "leadership_posts" in exc.value.details
    assert counts() == before


@pytest.mark.parametrize("who", ["township", "department", "leader"])
def test_given_not_office_when_setting_quota_then_not_found_and_nothing_changes(county, who):
    before = counts()
    with pytest.raises(NotFound):
        services.quota_set(actor=county.users[who], organisation=county.township_orgs[0], kind="administrative",
                           approved=3)
    assert counts() == before


def test_given_vacancy_when_assigning_then_not_flagged(county):
    org = county.township_orgs[0]
    quota(org, 2)
    a = services.assignment_create(actor=county.users["establishment_office"], person=person(), organisation=org,
                                   kind="administrative", post="科员")
    assert a.flags == {"over_establishment": False, "over_leadership": False}
    assert AuditEvent.objects.get(action="org.assignment.create").after["over_establishment"] is False


def test_given_full_unit_when_assigning_then_allowed_but_flagged_over(county):
    org = county.township_orgs[0]
    quota(org, 1, leadership=0)
    staff(org, 1)
    a = services.assignment_create(actor=county.users["establishment_office"], person=person(), organisation=org,
                                   kind="administrative", post="镇长", is_leadership=True)
    assert a.pk is not None
    assert a.flags == {"over_establishment": True, "over_leadership": True}
    assert AuditEvent.objects.get(action="org.assignment.create").after["over_establishment"] is True


def test_given_person_with_current_slot_when_assigning_again_then_conflict_and_nothing_changes(county):
    office = county.users["establishment_office"]
    p = person()
    services.assignment_create(actor=office, person=p, organisation=county.township_orgs[0], kind="administrative",
                               post="科员")
    before = counts()
    with pytest.raises(Conflict):
        services.assignment_create(actor=office, person=p, organisation=county.departments["D-ZR"],
                                   kind="administrative", post="科员")
    assert counts() == before


@pytest.mark.parametrize("who", ["township", "department", "supervision_like_leader"])
def test_given_not_office_when_assigning_then_not_found_and_nothing_changes(county, who):
    user = county.users["leader" if who == "supervision_like_leader" else who]
    before = counts()
    with pytest.raises(NotFound):
        services.assignment_create(actor=user, person=person(), organisation=county.township_orgs[0],
                                   kind="administrative", post="科员")
    # person() itself added one row; nothing else changed
    after = counts()
    assert after["assignments"] == before["assignments"] and after["audit"] == before["audit"]


def test_given_current_assignment_when_ended_then_person_can_be_assigned_again(county):
    office = county.users["establishment_office"]
    p = person()
    a = services.assignment_create(actor=office, person=p, organisation=county.township_orgs[0],
                                   kind="administrative", post="科员", started_on=dt.date(2024, 1, 1))
    services.assignment_end(actor=office, assignment=a, ended_on=dt.date(2026, 6, 30), reason="调任")
    a.refresh_from_db()
    assert a.ended_on == dt.date(2026, 6, 30) and a.end_reason == "调任"
    b = services.assignment_create(actor=office, person=p, organisation=county.departments["D-ZR"],
                                   kind="administrative", post="科员")
    assert b.ended_on is None
    assert AuditEvent.objects.filter(action="org.assignment.end", object_id=str(a.pk)).count() == 1


def test_given_ended_assignment_when_ended_again_then_conflict_and_nothing_changes(county):
    office = county.users["establishment_office"]
    [a] = staff(county.township_orgs[0], 1)
    services.assignment_end(actor=office, assignment=a, ended_on=dt.date(2026, 1, 1))
    before = counts()
    with pytest.raises(Conflict):
        services.assignment_end(actor=office, assignment=a, ended_on=dt.date(2026, 2, 1))
    assert counts() == before
    assert StaffAssignment.objects.get(pk=a.pk).ended_on == dt.date(2026, 1, 1)


def test_given_township_user_when_ending_assignment_then_not_found_and_unchanged(county):
    [a] = staff(county.township_orgs[0], 1)
    before = counts()
    with pytest.raises(NotFound):
        services.assignment_end(actor=county.users["township"], assignment=a)
    assert counts() == before


def test_given_end_before_start_when_ending_then_invalid(county):
    [a] = staff(county.township_orgs[0], 1)
    with pytest.raises(Invalid) as exc:
        services.assignment_end(actor=county.users["establishment_office"], assignment=a,
                                ended_on=dt.date(2020, 1, 1))
    assert "ended_on" in exc.value.details
    assert StaffAssignment.objects.get(pk=a.pk).ended_on is None


# --------------------------------------------------------------------------- certificates


def _issue(county, number="ZF-001", expires=dt.date(2030, 1, 1)):
    return services.certificate_issue(actor=county.users["establishment_office"], holder=person(), number=number,
                                      domains=[county.domains["ZRZY"]], issued_on=dt.date(2025, 1, 1),
                                      expires_on=expires)


def test_given_office_when_issuing_certificate_then_created_with_domains_and_audited(county):
    cert = _issue(county)
    assert [d.code for d in cert.domains.all()] == ["ZRZY"]
    assert AuditEvent.objects.get(action="org.certificate.issue").after["domains"] == ["ZRZY"]


def test_given_expiry_before_issue_when_issuing_then_invalid_and_nothing_changes(county):
    p = person()
    before = counts()
    with pytest.raises(Invalid) as exc:
        services.certificate_issue(actor=county.users["establishment_office"], holder=p, number="X",
                                   domains=[], issued_on=dt.date(2025, 1, 1), expires_on=dt.date(2024, 1, 1))
    assert set(exc.value.details) == {"domains", "expires_on"}
    assert counts() == before


def test_given_officer_role_when_issuing_then_not_found_and_nothing_changes(county):
    p = person()
    before = counts()
    with pytest.raises(NotFound):
        services.certificate_issue(actor=county.users["department"], holder=p, number="X",
                                   domains=[county.domains["ZRZY"]], issued_on=dt.date(2025, 1, 1),
                                   expires_on=dt.date(2030, 1, 1))
    assert counts() == before


def test_given_certificate_when_renewed_then_later_expiry_and_audited(county):
    cert = _issue(county)
    services.certificate_renew(actor=county.users["establishment_office"], certificate=cert,
                               expires_on=dt.date(2035, 1, 1))
    assert Certificate.objects.get(pk=cert.pk).expires_on == dt.date(2035, 1, 1)
    assert AuditEvent.objects.filter(action="org.certificate.renew").count() == 1


def test_given_earlier_expiry_when_renewing_then_invalid_and_unchanged(county):
    cert = _issue(county)
    before = counts()
    with pytest.raises(Invalid):
        services.certificate_renew(actor=county.users["establishment_office"], certificate=cert,
                                   expires_on=dt.date(2029, 1, 1))
    assert counts() == before


def test_given_revoked_certificate_when_renewed_or_revoked_again_then_conflict_and_unchanged(county):
    office = county.users["establishment_office"]
    cert = _issue(county)
    services.certificate_revoke(actor=office, certificate=cert, reason="调离执法岗位")
    before = counts()
    with pytest.raises(Conflict):
        services.certificate_renew(actor=office, certificate=cert, expires_on=dt.date(2035, 1, 1))
    with pytest.raises(Conflict):
        services.certificate_revoke(actor=office, certificate=cert, reason="again")
    assert counts() == before
    assert Certificate.objects.get(pk=cert.pk).expires_on == dt.date(2030, 1, 1)


def test_given_township_user_when_revoking_then_not_found_and_unchanged(county):
    cert = _issue(county)
    before = counts()
    with pytest.raises(NotFound):
        services.certificate_revoke(actor=county.users["township"], certificate=cert, reason="x")
    assert counts() == before


def test_given_superuser_when_creating_organisation_then_allowed(county):
    from django.contrib.auth import get_user_model

    root = get_user_model().objects.create_superuser("root", password="x")
    services.organisation_create(actor=root, code="D-NEW", name="县数据局", kind="county_department",
                                 division=county.county, counts_toward_limit=True)
    assert Organisation.objects.filter(code="D-NEW").exists()
