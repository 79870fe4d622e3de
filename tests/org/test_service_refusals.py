"""Every registry write refuses anyone but the establishment office, changing nothing."""

import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser

from tests.org.helpers import counts, staff
from tiaokuai.core.errors import NotFound
from tiaokuai.org import services
from tiaokuai.org.models import Certificate, Membership, Person


def _calls(county):
    p = Person.objects.get(name="张青石")
    m = Membership.objects.filter(person=p).first()
    [a] = staff(county.township_orgs[0], 1)
    cert = Certificate.objects.create(holder=p, number="ZF-R", issued_on=dt.date(2025, 1, 1),
                                      expires_on=dt.date(2030, 1, 1))
    return {
        "division_create": lambda u: services.division_create(actor=u, code="X", name="x", level="village",
                                                              kind="village", parent=county.townships[0]),
        "division_update": lambda u: services.division_update(actor=u, division=county.townships[0], name="改"),
        "organisation_create": lambda u: services.organisation_create(actor=u, code="X", name="x",
                                                                      kind="county_department",
                                                                      division=county.county),
        "organisation_update": lambda u: services.organisation_update(actor=u, organisation=county.township_orgs[0],
                                                                      name="改"),
        "person_create": lambda u: services.person_create(actor=u, name="x"),
        "person_update": lambda u: services.person_update(actor=u, person=p, name="改"),
        "membership_create": lambda u: services.membership_create(actor=u, person=p,
                                                                  organisation=county.departments["D-ZR"],
                                                                  role="department"),
        "membership_update": lambda u: services.membership_update(actor=u, membership=m, title="改"),
        "membership_end": lambda u: services.membership_end(actor=u, membership=m),
        "quota_set": lambda u: services.quota_set(actor=u, organisation=county.township_orgs[0],
                                                  kind="administrative", approved=1),
        "assignment_create": lambda u: services.assignment_create(actor=u, person=p,
                                                                  organisation=county.township_orgs[0],
                                                                  kind="administrative", post="x"),
        "assignment_end": lambda u: services.assignment_end(actor=u, assignment=a),
        "certificate_issue": lambda u: services.certificate_issue(actor=u, holder=p, number="N",
                                                                  domains=[county.domains["ZRZY"]],
                                                                  issued_on=dt.date(2025, 1, 1),
                                                                  expires_on=dt.date(2030, 1, 1)),
        "certificate_renew": lambda u: services.certificate_renew(actor=u, certificate=cert,
                                                                  expires_on=dt.date(2031, 1, 1)),
        "certificate_revoke": lambda u: services.certificate_revoke(actor=u, certificate=cert, reason="x"),
    }


SERVICES = ["division_create", "division_update", "organisation_create", "organisation_update", "person_create",
            "person_update", "membership_create", "membership_update", "membership_end", "quota_set",
            "assignment_create", "assignment_end", "certificate_issue", "certificate_renew", "certificate_revoke"]


@pytest.mark.parametrize("service", SERVICES)
@pytest.mark.parametrize("who", ["anonymous", "township_other", "department", "leader"])
def test_given_not_office_when_any_registry_write_then_not_found_and_nothing_changes(county, service, who):
    call = _calls(county)[service]
    user = AnonymousUser() if who == "anonymous" else county.users[who]
    before = counts()
    with pytest.raises(NotFound):
        call(user)
    assert counts() == before


@pytest.mark.parametrize("service", SERVICES)
def test_given_office_when_any_registry_write_then_exactly_one_audit_event(county, service):
    from tiaokuai.core.models import AuditEvent

    call = _calls(county)[service]
    before = AuditEvent.objects.count()
    call(county.users["establishment_office"])
    assert AuditEvent.objects.count() == before + 1
