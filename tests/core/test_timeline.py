"""The timeline component: audit events read as Chinese sentences (core.timeline)."""

import ast
import datetime as dt
import pathlib
import re

import pytest
from django.apps import apps
from django.utils import timezone

from tiaokuai.core import timeline, workflow
from tiaokuai.core.models import AuditEvent

SRC = pathlib.Path(__file__).resolve().parents[2] / "src" / "tiaokuai"
AT = dt.datetime(2026, 12, 7, 6, 5, tzinfo=dt.UTC)  # 14:05 in Shanghai


def _event(action, *, actor=None, object_type="whistles.whistle", object_id="1", before=None, after=None, at=AT):
    return AuditEvent.objects.create(at=at, actor=actor, action=action, object_type=object_type, object_id=object_id,
                                     object_repr="CS-20261207-0001", before=before, after=after)


def test_given_an_event_without_actor_when_rendered_then_system_in_local_time_and_labelled_changes(county):
    e = _event("whistles.escalate", before={"escalation_level": 0},
               after={"dispatch": 999999, "escalation_level": 1, "kind": "respond", "overdue_minutes": 95})

    [entry] = timeline.render([e])

    assert entry.actor == "系统"
    assert entry.time == "2026-12-07 14:05"
    assert entry.sentence.startswith("系统：") and "接单超时" in entry.sentence and "1 级" in entry.sentence
    assert entry.changes == ["超时：1小时 35分钟"]
    assert "whistles." not in entry.text and "{" not in entry.text


def test_given_a_department_clerk_when_accepting_then_unit_name_and_status_labels(county):
    clerk = county.users["department"]
    e = _event("whistles.respond", actor=clerk, before={"status": "dispatched"},
               after={"dispatch": 1, "organisation": "D-ZR", "status": "responded", "late": False})

    [entry] = timeline.render([e])

    assert entry.actor == "县自然资源局 李自然"
    assert entry.sentence == "县自然资源局 李自然 接单"
    assert "状态：已派单 → 已响应" in entry.changes or any(c.startswith("状态：") and " → " in c for c in entry.changes)
    assert all("{" not in c and "dispatch" not in c for c in entry.changes)


def test_given_a_user_without_person_then_the_user_name(county):
    e = _event("whistles.confirm", actor=county.users["citizen"], before={"status": "resolved"},
               after={"status": "confirmed"})

    [entry] = timeline.render([e])

    assert entry.actor == "qunzhong" and entry.sentence.startswith("qunzhong ")


def test_given_unknown_action_and_odd_values_when_rendered_then_readable_never_raw(county):
    e = _event("someapp.frobnicate", object_type="org.organisation", object_id=str(county.departments["D-ZR"].pk),
               before={"name": "旧名", "parent": None, "mystery_key": {"a": [1, 2]}},
               after={"name": "新名", "parent": county.departments["D-BB"].pk, "mystery_key": {"a": [3]},
                      "when": "2026-12-07T06:05:00+00:00"})
    odd = _event("whistles.note", after=["not", "a", "dict"])

    entry, odd_entry = timeline.render([e, odd])

    assert "someapp" not in entry.sentence and "frobnicate" not in entry.sentence
    assert entry.sentence == f"系统 变更了{apps.get_model('org.organisation')._meta.verbose_name}"
    assert "名称：旧名 → 新名" in entry.changes
    assert "上级单位：— → 县委编办" in entry.changes or any("县委编办" in c for c in entry.changes)
    assert any(c.startswith("mystery key：") for c in entry.changes)
    assert "when：2026-12-07 14:05" in entry.changes
    for text in (entry.text, odd_entry.text):
        assert "{" not in text and "[" not in text and "'" not in text


def test_given_many_events_when_rendered_then_the_number_of_queries_does_not_grow(county, django_assert_max_num_queries):
    users = [county.users[k] for k in ("department", "department_other", "township", "establishment_office")]
    events = [_event("whistles.respond", actor=users[i % 4], object_id=str(i), before={"status": "dispatched"},
                     after={"dispatch": i, "organisation": "D-ZR", "status": "responded"}) for i in range(40)]
    events += [_event("org.organisation.update", actor=users[0], object_type="org.organisation",
                      object_id=str(county.departments["D-ZR"].pk), before={"parent": None},
                      after={"parent": county.departments["D-BB"].pk, "division": county.county.pk})
               for _ in range(20)]
    with django_assert_max_num_queries(6):
        entries = timeline.render(events)
    assert len(entries) == 60


def test_given_the_whistle_timeline_api_then_existing_keys_and_a_text(county):
    e = _event("whistles.close", actor=county.users["township"], before={"status": "confirmed"},
               after={"status": "closed"})
    [entry] = timeline.render([e])
    assert entry.text.startswith("白云乡") or entry.text.startswith(entry.actor)
    assert "结案" in entry.text


# ---------------------------------------------------------------- every action the code writes is registered

ACTION = re.compile(r"^[a-z_]+\.[a-z_]+(\.[a-z_]+)*$")
# Literals of the app.name shape that are not audit actions: the keyword or call they are passed to.
NOT_ACTIONS = {"kind", "object_type", "Workflow", "register", "label", "entity",
               "register_todo",  # a to-do source's name (core.registry)
               "what"}  # what: the list an unmasked export was made of (core.personal.record_unmasked_export)


def _literals():
    """(value, where, context) for every string literal / f-string prefix of the shape "app.verb" in src/."""
    labels = {a.label for a in apps.get_app_configs()}
    for path in sorted(SRC.rglob("*.py")):
        if "migrations" in path.parts or path.name == "audit_actions.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        parents = {c: n for n in ast.walk(tree) for c in ast.iter_child_nodes(n)}
        for node in ast.walk(tree):
            prefix = False
            if isinstance(node, ast.JoinedStr) and node.values and isinstance(node.values[0], ast.Constant):
                value, prefix, owner = str(node.values[0].value), True, parents.get(node)
            elif isinstance(node, ast.Constant) and isinstance(node.value, str):
                if isinstance(parents.get(node), ast.JoinedStr):
                    continue
                value, owner = node.value, parents.get(node)
            else:
                continue
            if value.split(".", 1)[0] not in labels or not (ACTION.match(value) or prefix and "." in value):
                continue
            if isinstance(owner, ast.keyword):
                context = owner.arg
            elif isinstance(owner, ast.Call):
                context = getattr(owner.func, "attr", None) or getattr(owner.func, "id", "")
            else:
                context = type(owner).__name__
            yield value, prefix, f"{path.relative_to(SRC)}:{node.lineno}", context


def test_given_the_code_base_then_every_audit_action_it_can_write_is_registered():
    models = {m._meta.label_lower for m in apps.get_models()}
    entities = set(workflow.registered())
    missing = []
    for value, prefix, where, context in _literals():
        if context in NOT_ACTIONS:
            continue
        if prefix:
            if not any(a.startswith(value) for a in timeline.registered_actions()):
                missing.append((value + "…", where))
        elif value not in models and value not in entities and not timeline.is_registered(value):
            missing.append((value, where))
    for table in workflow.registered().values():
        missing += [(a.audit, table.entity) for a in table.actions if not timeline.is_registered(a.audit)]
    assert missing == [], "register these in the app's audit_actions.py (core.timeline.register_action)"


def test_given_the_registry_then_every_sentence_is_translated_and_formats():
    for name in timeline.registered_actions():
        entry = timeline.render([AuditEvent(at=timezone.now(), action=name, object_type="x.y", object_id="1")])[0]
        assert "{" not in entry.sentence and entry.sentence.strip(), name
        assert not re.search(r"[A-Za-z]{4,}", entry.sentence.replace("CS", "")), (name, entry.sentence)


@pytest.fixture(autouse=True)
def _zh():
    from django.utils import translation

    with translation.override("zh-hans"):
        yield
