"""The workflow tables (whistles/workflows.py) are the only statement of what may happen next, and no state
change happens without its audit event."""

import ast
import pathlib

import pytest

from tests.factories import make_user
from tiaokuai.core.access import viewer_for
from tiaokuai.core.errors import Conflict
from tiaokuai.core.models import AuditEvent
from tiaokuai.whistles import selectors, services
from tiaokuai.whistles.choices import DispatchStatus
from tiaokuai.whistles.models import Dispatch, Dispute, Whistle
from tiaokuai.whistles.workflows import DISPATCH, WHISTLE

from .test_services import lead, raise_, state

pytestmark = pytest.mark.django_db
SRC = pathlib.Path(__file__).resolve().parents[2] / "src" / "tiaokuai"

# The department's actions as services (what the API and the pages call).
HANDLER_CALLS = {
    "respond": lambda u, d: services.dispatch_respond(actor=u, dispatch_id=d),
    "arrive": lambda u, d: services.dispatch_arrive(actor=u, dispatch_id=d, people="张三"),
    "resolve": lambda u, d: services.dispatch_resolve(actor=u, dispatch_id=d, outcome="resolved"),
    "dispute": lambda u, d: services.dispatch_dispute(actor=u, dispatch_id=d, reason="不属于本部门，见清单"),
    "note": lambda u, d: services.dispatch_add_note(actor=u, dispatch_id=d, text="进展"),
}


def test_given_the_source_tree_then_no_module_restates_transitions_or_compare_and_sets_by_hand():
    offenders = []
    for path in SRC.rglob("*.py"):
        rel = path.relative_to(SRC).as_posix()
        if rel in {"core/states.py", "core/workflow.py"} or "/migrations/" in rel:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Assign) and any(
                    isinstance(t, ast.Name) and t.id.endswith("TRANSITIONS") for t in node.targets):
                offenders.append(f"{rel}:{node.lineno} declares a transition table outside a workflow")
            if isinstance(node, ast.Call):
                name = getattr(node.func, "id", getattr(node.func, "attr", ""))
                if name in {"transition", "check_allowed"}:
                    offenders.append(f"{rel}:{node.lineno} calls {name}() instead of Workflow.apply")
                if name == "update" and any(k.arg == "status" for k in node.keywords):
                    offenders.append(f"{rel}:{node.lineno} sets a status by hand")
    assert offenders == []


@pytest.mark.parametrize("status", [s for s in DispatchStatus.values])
def test_given_a_dispatch_in_each_state_then_offered_and_accepted_actions_are_exactly_the_table(wcounty, status):
    dept = wcounty.users["department"]
    w = raise_(wcounty, "CS-ZR-01")
    d = lead(w)
    Dispatch.objects.filter(pk=d.pk).update(status=status, paused_since=None)
    w.refresh_from_db()
    offered = selectors.allowed_actions(viewer_for(dept), w)[d.pk]
    expected = DISPATCH.available(status, {"handler"})
    assert offered == expected
    for name, call in HANDLER_CALLS.items():
        if name in expected:
            continue
        before = state()
        with pytest.raises(Conflict):
            call(dept, d.pk)
        assert state() == before, f"refused {name} in {status} changed something"


def test_given_each_whistle_state_then_the_township_is_offered_what_the_table_allows(wcounty):
    town = viewer_for(wcounty.users["township"])
    w = raise_(wcounty, "CS-ZR-01")
    for status in Whistle._meta.get_field("status").choices:
        Whistle.objects.filter(pk=w.pk).update(status=status[0])
        w.refresh_from_db()
        assert selectors.allowed_actions(town, w)["whistle"] == WHISTLE.available(status[0], {"township"})


def _statuses():
    return {
        **{("whistle", pk): s for pk, s in Whistle.objects.values_list("pk", "status")},
        **{("dispatch", pk): s for pk, s in Dispatch.objects.values_list("pk", "status")},
        **{("dispute", pk): s for pk, s in Dispute.objects.values_list("pk", "status")},
    }


def _audited(call):
    """Run a service; every status that changed must have an event written by this call that records it."""
    before, first_event = _statuses(), (AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0)
    result = call()
    changed = {key: s for key, s in _statuses().items() if before.get(key) != s}
    events = list(AuditEvent.objects.filter(id__gt=first_event))
    for (kind, pk), status in changed.items():
        if kind == "dispatch":
            hit = [e for e in events if (e.after or {}).get("dispatch") == pk and e.after.get("status") == status]
            created = [e for e in events for x in (e.after or {}).get("dispatches", [])
                       if isinstance(x, dict) and x.get("id") == pk]
            hit += created if before.get((kind, pk)) is None else []
        elif before.get((kind, pk)) is None:  # a new row: the event that created it names it
            hit = [e for e in events if (kind == "whistle" and e.object_id == str(pk))
                   or (e.after or {}).get(kind) == pk]
        else:
            hit = [e for e in events if e.object_id == str(pk) and e.object_type == f"whistles.{kind}"
                   and (e.after or {}).get("status") == status]
        assert hit, f"{kind} {pk} became {status} without an audit event"
    return result


def test_given_the_whole_flow_then_no_state_change_happens_without_its_audit_event(wcounty):
    town = wcounty.users["township"]
    office = wcounty.users["establishment_office"]
    w = _audited(lambda: raise_(wcounty, "CS-HB-01"))
    dispatches = list(Dispatch.objects.filter(whistle=w).select_related("organisation"))
    users = {d.pk: make_user(f"handler{d.pk}", "经办人", d.organisation, "department") for d in dispatches}
    disputed = dispatches[-1]
    dispute = _audited(lambda: services.dispatch_dispute(actor=users[disputed.pk], dispatch_id=disputed.pk,
                                                         reason="不属于本部门"))
    _audited(lambda: services.dispute_decide(actor=office, dispute_id=dispute.pk, decision="keep", note="属于"))
    for d in dispatches:
        for name in ("respond", "arrive", "resolve"):
            if name in DISPATCH.available(Dispatch.objects.get(pk=d.pk).status, {"handler"}):
                _audited(lambda name=name, d=d: HANDLER_CALLS[name](users[d.pk], d.pk))
    w.refresh_from_db()
    assert w.status == "resolved"
    _audited(lambda: services.whistle_return(actor=town, whistle_id=w.pk, reason="没有处理好"))
    for d in dispatches:
        for name in ("arrive", "resolve"):
            _audited(lambda name=name, d=d: HANDLER_CALLS[name](users[d.pk], d.pk))
    _audited(lambda: services.whistle_confirm(actor=town, whistle_id=w.pk))
    _audited(lambda: services.whistle_close(actor=town, whistle_id=w.pk))
    _audited(lambda: services.whistle_reopen(actor=town, whistle_id=w.pk, reason="又出现了"))
    assert Whistle.objects.get(pk=w.pk).status == "open"
