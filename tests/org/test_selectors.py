import datetime as dt

import pytest

from tests.org.helpers import quota, staff
from tiaokuai.core.access import viewer_for
from tiaokuai.core.errors import NotFound
from tiaokuai.core.personal import mask_id_number, mask_phone
from tiaokuai.org import selectors
from tiaokuai.org.models import Certificate, Organisation, Person


def codes(qs):
    return sorted(o.code for o in qs)


def test_given_office_when_listing_staffed_units_then_sees_all(county):
    v = viewer_for(county.users["establishment_office"])
    assert codes(selectors.staffed_organisations(v)) == codes(Organisation.objects.all())


def test_given_department_when_listing_staffed_units_then_own_and_its_stationed_agency(county):
    v = viewer_for(county.users["department"])
    assert codes(selectors.staffed_organisations(v)) == ["D-ZR"]
    v = viewer_for(Person.objects.get(name="钱市场").user)
    assert codes(selectors.staffed_organisations(v)) == ["D-SJ-01"]


def test_given_market_department_when_listing_staffed_units_then_includes_stationed_agency(county):
    from tests.factories import make_user

    user = make_user("sj-staff", "孙市场", county.departments["D-SJ"], "department")
    assert codes(selectors.staffed_organisations(viewer_for(user))) == ["D-SJ", "D-SJ-01"]


def test_given_township_when_listing_staffed_units_then_its_government_offices_and_stationed_agency(county):
    v = viewer_for(county.users["township"])
    assert codes(selectors.staffed_organisations(v)) == ["D-SJ-01", "T01", "T01-01"]


def test_given_township_when_listing_directory_then_departments_visible_but_not_other_township(county):
    v = viewer_for(county.users["township"])
    visible = codes(selectors.visible_organisations(v))
    assert "D-ZR" in visible and "T01" in visible
    assert "T02" not in visible and "T02-01" not in visible


def test_given_other_township_unit_when_opening_detail_then_not_found(county):
    with pytest.raises(NotFound):
        selectors.organisation_page(viewer_for(county.users["township"]), "T02")


def test_given_township_when_opening_department_then_facts_without_staffing(county):
    data = selectors.organisation_page(viewer_for(county.users["township"]), "D-ZR")
    assert data["can_see_staffing"] is False and data["staff"] == [] and data["staffing"] is None


def test_given_anonymous_when_reading_then_nothing(county):
    v = viewer_for(None)
    assert not selectors.visible_organisations(v).exists()
    assert not selectors.visible_people(v).exists()
    with pytest.raises(NotFound):
        selectors.staffing_report(v)


def test_given_township_when_listing_people_then_only_its_units_people_masked(county):
    v = viewer_for(county.users["township"])
    names = sorted(p.name for p in selectors.people(v))
    assert names == sorted(["张青石", "刘网格", "钱市场"])
    data = selectors.personal_data(v, Person.objects.get(name="张青石"))
    assert data == {"id_number": "110101********1234", "phone": "138****0000", "masked": True}


def test_given_office_when_reading_person_then_masked_unless_revealed(county):
    v = viewer_for(county.users["establishment_office"])
    person = Person.objects.get(name="张青石")
    assert selectors.personal_data(v, person)["masked"] is True
    data = selectors.personal_data(v, person, reveal=True)
    assert data == {"id_number": "110101199001011234", "phone": "13800000000", "masked": False}
    assert selectors.personal_data(viewer_for(county.users["township"]), person, reveal=True)["masked"] is True


def test_given_other_township_person_when_opening_then_not_found(county):
    other = Person.objects.get(name="陈白云")
    with pytest.raises(NotFound):
        selectors.person_detail(viewer_for(county.users["township"]), other.pk)


def test_masks():
    assert mask_id_number("110101199001011234") == "110101********1234"
    assert mask_phone("13800000000") == "138****0000"
    assert mask_id_number("") == "" and mask_phone("") == ""


# --------------------------------------------------------------------------- staffing rollups


def _staff_county(county):
    t1, t1_office = county.township_orgs[0], county.offices[0]
    station = Organisation.objects.get(code="D-SJ-01")
    quota(t1, 10, leadership=3)
    staff(t1, 12, leadership=4)          # over 2, leadership over 1
    quota(t1_office, 5)
    staff(t1_office, 3)                  # vacancy 2
    quota(station, 4, kind="institution")
    staff(station, 4, kind="institution")  # exact
    quota(county.township_orgs[1], 8)
    staff(county.township_orgs[1], 6)    # vacancy 2
    quota(county.departments["D-ZR"], 20, leadership=4)
    staff(county.departments["D-ZR"], 18, leadership=4)  # vacancy 2
    staff(county.departments["D-HB"], 1, kind="support")  # no quota: over 1


def test_given_staffed_county_when_rolling_up_township_then_over_and_vacancy_not_netted(county):
    _staff_county(county)
    report = selectors.staffing_report(viewer_for(county.users["establishment_office"]), scope="township",
                                       code="330001")
    assert sorted(u.organisation.code for u in report.units) == ["D-SJ-01", "T01", "T01-01"]
    adm = report.totals.kinds["administrative"]
    assert (adm.approved, adm.actual, adm.over, adm.vacancy) == (15, 15, 2, 2)
    inst = report.totals.kinds["institution"]
    assert (inst.approved, inst.actual, inst.over, inst.vacancy) == (4, 4, 0, 0)
    assert (report.totals.leadership.approved, report.totals.leadership.actual,
            report.totals.leadership.over) == (3, 4, 1)
    units = {u.organisation.code: u.staffing for u in report.units}
    assert units["T01"].state == "over" and units["T01-01"].state == "vacant" and units["D-SJ-01"].state == "ok"
    assert report.institutions is None


def test_given_staffed_county_when_rolling_up_county_then_per_township_groups_and_institution_count(county):
    _staff_county(county)
    report = selectors.staffing_report(viewer_for(county.users["establishment_office"]))
    groups = {g.key: g.staffing for g in report.groups}
    assert set(groups) == {"", "330001", "330002"}
    assert groups["330002"].total.vacancy == 2 and groups["330002"].total.over == 0
    county_level = groups[""]
    assert (county_level.total.approved, county_level.total.actual) == (20, 19)
    assert (county_level.total.vacancy, county_level.total.over) == (2, 1)
    assert report.totals.total.approved == 10 + 5 + 4 + 8 + 20
    assert report.totals.total.actual == 12 + 3 + 4 + 6 + 18 + 1
    assert report.totals.total.over == 2 + 1 and report.totals.total.vacancy == 2 + 2 + 2
    assert report.institutions == {"count": 4, "limit": 35, "over": False, "remaining": 31}


def test_given_institutions_above_limit_when_reported_then_flagged(county):
    county.county.institution_limit = 3
    county.county.save()
    report = selectors.staffing_report(viewer_for(county.users["leader"]))
    assert report.institutions["over"] is True and report.institutions["count"] == 4


def test_given_other_township_when_asking_its_staffing_then_not_found(county):
    with pytest.raises(NotFound):
        selectors.staffing_report(viewer_for(county.users["township"]), scope="township", code="330002")


def test_given_department_when_asking_county_staffing_then_only_own_units_and_no_institution_count(county):
    _staff_county(county)
    report = selectors.staffing_report(viewer_for(county.users["department"]))
    assert [u.organisation.code for u in report.units] == ["D-ZR"]
    assert report.institutions is None


def test_given_ended_assignment_when_counting_then_not_actual(county):
    [a] = staff(county.township_orgs[1], 1)
    a.ended_on = dt.date(2026, 1, 1)
    a.save()
    [unit] = selectors.unit_staffing([county.township_orgs[1]])
    assert unit.staffing.total.actual == 0


# --------------------------------------------------------------------------- certificates


def _cert(county, number, holder_name, expires, revoked=None):
    c = Certificate.objects.create(holder=Person.objects.get(name=holder_name), number=number,
                                   issued_on=dt.date(2020, 1, 1), expires_on=expires, revoked_on=revoked)
    c.domains.add(county.domains["ZRZY"])
    return c


def test_given_certificates_when_filtered_by_state_then_valid_expiring_expired_revoked(county):
    today = dt.date(2026, 6, 1)
    _cert(county, "V", "张青石", dt.date(2027, 6, 1))
    _cert(county, "S", "刘网格", today + dt.timedelta(days=90))
    _cert(county, "E", "钱市场", today - dt.timedelta(days=1))
    _cert(county, "R", "陈白云", dt.date(2030, 1, 1), revoked=dt.date(2026, 1, 1))
    v = viewer_for(county.users["establishment_office"])

    def numbers(state):
        return [c.number for c in selectors.certificates(v, state=state, today=today)]

    assert numbers("valid") == ["V"] and numbers("expiring") == ["S"]
    assert numbers("expired") == ["E"] and numbers("revoked") == ["R"]
    assert selectors.certificate_state(Certificate.objects.get(number="S"), today) == "expiring"
    assert selectors.certificate_state(Certificate.objects.get(number="E"), today) == "expired"


def test_given_township_when_listing_certificates_then_only_its_people(county):
    _cert(county, "A", "张青石", dt.date(2030, 1, 1))
    _cert(county, "B", "陈白云", dt.date(2030, 1, 1))
    v = viewer_for(county.users["township"])
    assert [c.number for c in selectors.certificates(v)] == ["A"]


def test_given_valid_certificate_when_checking_enforcement_then_true_only_for_its_domain(county):
    c = _cert(county, "A", "张青石", dt.date(2030, 1, 1))
    assert selectors.holds_valid_certificate(c.holder_id, "ZRZY", dt.date(2026, 1, 1))
    assert not selectors.holds_valid_certificate(c.holder_id, "SCJG", dt.date(2026, 1, 1))
    assert not selectors.holds_valid_certificate(c.holder_id, "ZRZY", dt.date(2031, 1, 1))


def test_division_drilldown_from_county_to_grids(county):
    v = viewer_for(county.users["township"])
    top = selectors.division_drilldown(v)
    assert [d.code for d in top["children"]] == ["330000"]
    county_level = selectors.division_drilldown(v, within="330000")
    assert [(d.code, d.child_count) for d in county_level["children"]] == [("330001", 2), ("330002", 2)]
    village = selectors.division_drilldown(v, within="330001001")
    assert [d.code for d in village["children"]] == ["33000100101"]
    assert [a.code for a in village["ancestors"]] == ["330000", "330001"]


def test_home_cards_for_office_include_staffing_and_certificates(county):
    cards = selectors.home_cards(viewer_for(county.users["establishment_office"]))
    assert [c["url_name"] for c in cards] == ["org:organisations", "org:staffing", "org:certificates"]
