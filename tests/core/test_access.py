"""core.access.viewer_for: what the viewer is, the organisation closure in one query, the in-process cache."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tiaokuai.core import access
from tiaokuai.org.models import Membership, Organisation

pytestmark = pytest.mark.django_db


def fresh(user):
    """A new user object (viewer_for also remembers the viewer on the object for the request)."""
    return type(user).objects.get(pk=user.pk)


def test_given_a_department_with_units_two_levels_down_when_viewer_computed_then_all_are_in_scope(county):
    station = Organisation.objects.get(code="D-SJ-01")
    below = Organisation.objects.create(code="D-SJ-01-01", name="青石市场监管所一组", kind="stationed_agency",
                                        parent=station, division=county.townships[0])
    from tests.factories import make_user

    head = make_user("shijianju", "孙市监", county.departments["D-SJ"], "department")
    with CaptureQueriesContext(connection) as ctx:
        v = access.viewer_for(head)
    assert v.organisation_ids == {county.departments["D-SJ"].pk, station.pk, below.pk}
    assert len(ctx.captured_queries) == 2  # memberships, closure
    assert v.roles == {"department"} and v.primary_organisation_id == county.departments["D-SJ"].pk


def test_given_township_and_grid_staff_when_viewer_computed_then_townships_and_divisions_are_set(county):
    t = access.viewer_for(county.users["township"])
    assert t.township_ids == {county.townships[0].pk} and t.division_ids == {county.townships[0].pk}
    g = access.viewer_for(county.users["grid_worker"])
    assert g.township_ids == {county.townships[0].pk} and g.division_ids == {county.grids[0].pk}
    assert access.viewer_for(county.users["citizen"]).organisation_ids == frozenset()


def test_given_the_cache_enabled_when_asked_again_then_no_query_until_cleared_or_expired(county, settings,
                                                                                       monkeypatch):
    settings.TIAOKUAI = {**settings.TIAOKUAI, "VIEWER_CACHE_SECONDS": 30}
    access.clear_viewer_cache()
    user = county.users["department"]
    clock = [1000.0]
    monkeypatch.setattr(access.time, "monotonic", lambda: clock[0])
    first = access.viewer_for(fresh(user))
    Membership.objects.filter(person__user=user).update(role="leader")
    other_request_user = fresh(user)
    with CaptureQueriesContext(connection) as ctx:
        again = access.viewer_for(other_request_user)
    assert len(ctx.captured_queries) == 0 and again.roles == first.roles == {"department"}  # stale, within bound
    clock[0] += 31
    assert access.viewer_for(fresh(user)).roles == {"leader"}  # the TTL bounds the staleness
    Membership.objects.filter(person__user=user).update(role="department")
    access.clear_viewer_cache(user.pk)
    assert access.viewer_for(fresh(user)).roles == {"department"}
    access.clear_viewer_cache()


def test_given_tests_by_default_when_memberships_change_then_viewer_is_recomputed(county):
    user = county.users["department"]
    assert access.viewer_for(fresh(user)).roles == {"department"}
    Membership.objects.filter(person__user=user).update(role="leader")
    assert access.viewer_for(fresh(user)).roles == {"leader"}
