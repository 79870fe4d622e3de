import datetime as dt

import pytest
from django.urls import reverse

from tests.org.helpers import counts, quota, staff
from tiaokuai.core.models import AuditEvent
from tiaokuai.org.models import Certificate, EstablishmentQuota, Organisation, Person, StaffAssignment


def _many_units(county, n=15):
    for i in range(n):
        org = Organisation.objects.create(code=f"T01-X{i:02d}", name=f"青石镇第{i}办", kind="township_office",
                                          parent=county.township_orgs[0], division=county.townships[0])
        quota(org, 2)
        staff(org, 1 + i % 3)


@pytest.mark.parametrize("url_name", ["org:organisations", "org:divisions", "org:staffing", "org:certificates",
                                      "org:people"])
def test_given_office_when_opening_list_pages_then_200(county, login, url_name):
    assert login(county.users["establishment_office"]).get(reverse(url_name)).status_code == 200


@pytest.mark.parametrize("url_name", ["org:organisations", "org:staffing", "org:certificates", "org:people"])
def test_given_anonymous_when_opening_pages_then_redirected_to_login(county, client, url_name):
    resp = client.get(reverse(url_name))
    assert resp.status_code == 302 and "/login/" in resp["Location"]


def test_organisation_list_query_count_is_pinned(county, login, django_assert_max_num_queries):
    _many_units(county)
    c = login(county.users["establishment_office"])
    with django_assert_max_num_queries(12):
        resp = c.get(reverse("org:organisations"))
    assert resp.status_code == 200
    with django_assert_max_num_queries(12):
        resp = c.get(reverse("org:organisations") + "?view=tree&township=330001&kind=township_office")
    assert "青石镇第14办" in resp.content.decode()


def test_staffing_page_query_count_is_pinned(county, login, django_assert_max_num_queries):
    _many_units(county)
    c = login(county.users["establishment_office"])
    with django_assert_max_num_queries(15):
        resp = c.get(reverse("org:staffing"))
    assert resp.status_code == 200


def test_certificate_and_people_lists_query_count_is_pinned(county, login, django_assert_max_num_queries):
    for i, p in enumerate(Person.objects.all()):
        cert = Certificate.objects.create(holder=p, number=f"ZF-{i}", issued_on=dt.date(2020, 1, 1),
                                          expires_on=dt.date(2025 + i, 1, 1))
        cert.domains.add(county.domains["ZRZY"])
    staff(county.township_orgs[0], 10)
    c = login(county.users["establishment_office"])
    with django_assert_max_num_queries(12):
        assert c.get(reverse("org:certificates")).status_code == 200
    with django_assert_max_num_queries(12):
        assert c.get(reverse("org:people")).status_code == 200


def test_given_township_when_opening_other_township_unit_then_404(county, login):
    assert login(county.users["township"]).get(reverse("org:organisation", args=["T02"])).status_code == 404


def test_given_township_when_opening_edit_form_then_404(county, login):
    c = login(county.users["township"])
    assert c.get(reverse("org:organisation_edit", args=["T01"])).status_code == 404
    assert c.get(reverse("org:organisation_create")).status_code == 404
    assert c.get(reverse("org:certificate_create")).status_code == 404


def test_given_over_establishment_when_staffing_page_opened_then_unit_flagged(county, login):
    quota(county.township_orgs[0], 1)
    staff(county.township_orgs[0], 3)
    html = login(county.users["establishment_office"]).get(reverse("org:staffing")).content.decode()
    assert "staffing-over" in html and "unit-over" in html


def test_given_township_user_when_staffing_opened_then_own_township_scope(county, login):
    html = login(county.users["township"]).get(reverse("org:staffing")).content.decode()
    assert "青石镇人民政府" in html and "白云乡人民政府" not in html


def test_given_office_when_editing_organisation_via_form_then_saved_and_timeline_shows_it(county, login):
    c = login(county.users["establishment_office"])
    org = county.departments["D-ZR"]
    resp = c.post(reverse("org:organisation_edit", args=["D-ZR"]), {
        "name": "县自然资源和规划局", "kind": "county_department", "division": county.county.pk,
        "counts_toward_limit": "on", "is_active": "on"})
    assert resp.status_code == 302
    org.refresh_from_db()
    assert org.name == "县自然资源和规划局"
    html = c.get(reverse("org:organisation", args=["D-ZR"])).content.decode()
    assert "org.organisation.update" in html


def test_given_invalid_form_when_posted_then_errors_beside_field_and_nothing_changes(county, login):
    c = login(county.users["establishment_office"])
    before = counts()
    resp = c.post(reverse("org:organisation_create"), {"code": "X", "name": "x", "kind": "township_office",
                                                         "division": county.county.pk,
                                                         "parent": county.departments["D-ZR"].pk})
    assert resp.status_code == 200
    html = resp.content.decode()
    assert "id_parent-error" in html and "id_division-error" in html
    assert counts() == before


def test_given_office_when_setting_quota_and_assigning_via_forms_then_detail_shows_over(county, login):
    c = login(county.users["establishment_office"])
    resp = c.post(reverse("org:quota_edit", args=["T02"]), {"kind": "administrative", "approved": 0,
                                                             "leadership_posts": 0})
    assert resp.status_code == 302
    assert EstablishmentQuota.objects.get(organisation__code="T02").approved == 0
    p = Person.objects.get(name="陈白云")
    resp = c.post(reverse("org:assignment_create", args=["T02"]), {"person": p.pk, "kind": "administrative",
                                                                    "post": "乡长", "is_leadership": "on"})
    assert resp.status_code == 302
    html = c.get(reverse("org:organisation", args=["T02"])).content.decode()
    assert "staffing-over" in html and "乡长" in html
    # a second slot for the same person is refused with a message on the form
    resp = c.post(reverse("org:assignment_create", args=["T01"]), {"person": p.pk, "kind": "administrative",
                                                                    "post": "科员"})
    assert resp.status_code == 200 and StaffAssignment.objects.filter(person=p).count() == 1
    a = StaffAssignment.objects.get(person=p)
    resp = c.post(reverse("org:assignment_end", args=[a.pk]), {"reason": "调任"})
    assert resp.status_code == 302
    assert StaffAssignment.objects.get(pk=a.pk).ended_on is not None


def test_given_certificates_when_listed_then_state_filter_and_tags(county, login):
    p = Person.objects.get(name="张青石")
    for number, expires in [("OLD", dt.date(2020, 1, 1)), ("NEW", dt.date(2099, 1, 1))]:
        Certificate.objects.create(holder=p, number=number, issued_on=dt.date(2019, 1, 1), expires_on=expires)
    c = login(county.users["establishment_office"])
    html = c.get(reverse("org:certificates") + "?state=expired").content.decode()
    assert "OLD" in html and "NEW" not in html and "cert-expired" in html and "status-overdue" in html


def test_given_office_when_issuing_renewing_revoking_via_forms_then_done(county, login):
    c = login(county.users["establishment_office"])
    p = Person.objects.get(name="张青石")
    resp = c.post(reverse("org:certificate_create"), {"holder": p.pk, "number": "ZF-9",
                                                       "domains": [county.domains["ZRZY"].pk],
                                                       "issued_on": "2025-01-01", "expires_on": "2026-01-01"})
    assert resp.status_code == 302
    cert = Certificate.objects.get(number="ZF-9")
    assert c.post(reverse("org:certificate_renew", args=[cert.pk]), {"expires_on": "2031-01-01"}).status_code == 302
    assert c.post(reverse("org:certificate_revoke", args=[cert.pk]), {"reason": "调岗"}).status_code == 302
    cert.refresh_from_db()
    assert cert.expires_on == dt.date(2031, 1, 1) and cert.revoked_on is not None


def test_given_township_when_opening_person_then_masked_and_office_unmasked_with_audit(county, login):
    p = Person.objects.get(name="张青石")
    html = login(county.users["township"]).get(reverse("org:person", args=[p.pk])).content.decode()
    assert "110101********1234" in html and "110101199001011234" not in html
    before = AuditEvent.objects.filter(action="org.person.view_personal_data").count()
    office = login(county.users["establishment_office"])
    html = office.get(reverse("org:person", args=[p.pk])).content.decode()
    assert "110101199001011234" not in html and 'id="reveal-form"' in html
    assert AuditEvent.objects.filter(action="org.person.view_personal_data").count() == before
    html = office.get(reverse("org:person", args=[p.pk]), {"reveal": "1", "purpose": "核对编制"}).content.decode()
    assert "110101199001011234" in html
    assert AuditEvent.objects.filter(action="org.person.view_personal_data").count() == before + 1
    html = office.get(reverse("org:people")).content.decode()
    assert "110101199001011234" not in html and "13800000000" not in html  # lists stay masked
    office.get(reverse("org:person_edit", args=[p.pk]))  # the edit form shows them: audited too
    assert AuditEvent.objects.filter(action="org.person.view_personal_data").count() == before + 2


def test_division_drilldown_page(county, login):
    c = login(county.users["department"])
    html = c.get(reverse("org:divisions") + "?within=330001").content.decode()
    assert "青石1村" in html and "白云" not in html.split('id="divisions"')[1]
    assert c.get(reverse("org:divisions") + "?within=NOPE").status_code == 404
