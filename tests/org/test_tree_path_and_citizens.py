"""Issue 11: a search on the organisation tree shows each match with the units above it; the registry is for
staff (a citizen gets the Chinese 403 page), and the working pages of the lists send a citizen to the public list."""

import pytest
from django.urls import reverse

from tiaokuai.core.access import viewer_for
from tiaokuai.org import selectors
from tiaokuai.org.models import Organisation

pytestmark = pytest.mark.django_db


def _tree(client, **params):
    resp = client.get(reverse("org:organisations"), {"view": "tree", **params})
    assert resp.status_code == 200
    return resp.content.decode()


def test_given_a_search_matching_a_township_office_when_the_tree_opens_then_its_government_is_shown_above_it(
        county, login):
    html = _tree(login(county.users["establishment_office"]), q="青石镇党政")
    assert 'data-code="T01-01" data-match="1"' in html
    assert 'data-code="T01" data-match="0"' in html  # the unit above, marked as such
    assert html.index('data-code="T01"') < html.index('data-code="T01-01"')
    assert "白云乡人民政府" not in html and "白云乡党政办公室" not in html  # the other township matches nothing
    assert "<details open>" in html


def test_given_a_stationed_agency_when_searched_then_the_department_above_it_is_its_root(county):
    viewer = viewer_for(county.users["establishment_office"])
    forest = selectors.organisation_path_forest(viewer, [Organisation.objects.get(code="D-SJ-01")])
    assert [(n.organisation.code, n.match) for n in forest] == [("D-SJ", False)]
    assert [(n.organisation.code, n.match) for n in forest[0].children] == [("D-SJ-01", True)]


def test_given_no_search_when_the_tree_opens_then_no_unit_is_marked_above_a_match(county, login):
    html = _tree(login(county.users["establishment_office"]))
    assert "data-match" not in html and "<details open>" not in html


def test_given_a_township_user_when_searching_then_units_above_it_cannot_see_are_left_out(county, login):
    # the township sees its own units; the county's departments are public counterparts, the other township not
    viewer = viewer_for(county.users["township"])
    office = Organisation.objects.create(code="T02-09", name="白云乡某办", kind="township_office",
                                         parent=county.township_orgs[1], division=county.townships[1])
    forest = selectors.organisation_path_forest(viewer, [office])
    assert [(n.organisation.code, n.match) for n in forest] == [("T02-09", True)]


@pytest.mark.parametrize("path", ["/org/organisations/", "/org/organisations/?view=tree", "/org/people/",
                                  "/org/certificates/", "/org/staffing/", "/org/divisions/"])
def test_given_a_citizen_when_opening_the_registry_then_403_in_chinese(county, login, path):
    resp = login(county.users["citizen"]).get(path)
    assert resp.status_code == 403
    html = resp.content.decode()
    assert 'data-status="403"' in html and "无权访问" in html  # the site's error page, in Chinese
    assert "青石镇人民政府" not in html


def test_given_a_citizen_when_opening_one_unit_then_403_and_nothing_of_it_is_shown(county, login):
    resp = login(county.users["citizen"]).get(reverse("org:organisation", args=["D-ZR"]))
    assert resp.status_code == 403 and "县自然资源局" not in resp.content.decode()


@pytest.mark.parametrize("who", ["township", "department", "establishment_office", "leader", "grid_worker"])
def test_given_staff_when_opening_the_tree_then_200(county, login, who):
    assert login(county.users[who]).get("/org/organisations/?view=tree").status_code == 200


@pytest.mark.parametrize("path", ["/lists/", "/lists/releases/", "/lists/diff/"])
def test_given_a_citizen_when_opening_the_lists_working_pages_then_sent_to_the_public_list(county, login, path):
    resp = login(county.users["citizen"]).get(path)
    assert resp.status_code == 302 and resp["Location"] == reverse("duties:public")


def test_given_a_citizen_when_opening_a_version_or_a_matter_then_sent_to_the_public_list(county, login):
    client = login(county.users["citizen"])
    matter = county.release.matters.first()
    for path in (reverse("duties:release", args=[county.release.pk]), reverse("duties:matter", args=[matter.pk]),
                 reverse("duties:release_export", args=[county.release.pk])):
        resp = client.get(path)
        assert resp.status_code == 302 and resp["Location"] == reverse("duties:public"), path


def test_given_a_citizen_when_following_to_the_public_list_then_it_shows_the_list_in_force(county, login):
    resp = login(county.users["citizen"]).get("/lists/releases/", follow=True)
    assert resp.status_code == 200 and "违法占用耕地建房查处" in resp.content.decode()


@pytest.mark.parametrize("who", ["township", "department", "establishment_office"])
def test_given_staff_when_opening_the_versions_then_200(county, login, who):
    assert login(county.users[who]).get("/lists/releases/").status_code == 200
