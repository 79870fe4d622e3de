"""routing.sources: labelled examples and queue work come from sources the apps register (whistles today)."""

import pytest

from tiaokuai.routing import sources
from tiaokuai.routing.services import catalogue_examples, history_examples

pytestmark = pytest.mark.django_db


def test_whistles_register_their_source_at_start_up():
    names = [s.name for s in sources.sources()]
    assert "whistles" in names


def test_given_a_registered_source_when_collecting_examples_then_its_pairs_are_used(county):
    sources.register("test", label="Test", catalogue=lambda on: [("有人在河道里倒垃圾", "HB-001")],
                     history=lambda: [("饭店油烟扰民", "HB-001"), ("", "ZR-001"), ("没有事项", "")])
    try:
        texts, labels, _words = catalogue_examples()
        history = history_examples()
    finally:
        sources.unregister("test")
    assert ("有人在河道里倒垃圾", "HB-001") in set(zip(texts, labels, strict=True))
    assert ("饭店油烟扰民", "HB-001") in history
    assert all(text and label for text, label in history)  # empty texts or labels are left out


def test_given_a_source_with_waiting_work_when_the_office_asks_then_it_is_in_the_queue(county):
    from tiaokuai.core.access import viewer_for
    from tiaokuai.routing.selectors import routing_queue

    item = sources.WorkItem(pk=1, number="RQ-1", url="/x/1/", description="路灯不亮")
    sources.register("test", label="Test", waiting=lambda viewer: [item])
    try:
        office = routing_queue(viewer_for(county.users["establishment_office"]))
        department = routing_queue(viewer_for(county.users["department"]))
    finally:
        sources.unregister("test")
    assert item in office and department == []
