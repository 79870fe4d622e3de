"""Suggestions for free text: matters of the list in force and the bodies responsible."""

import os
import threading
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from tiaokuai.core.errors import NotFound
from tiaokuai.core.memo import Memo
from tiaokuai.duties.choices import ListKind
from tiaokuai.duties.models import Assignment, Matter
from tiaokuai.duties.selectors import release_in_force, releases_in_force_subquery

from . import sources
from .models import MatterTerm, ModelVersion
from .sources import WorkItem

_cache_lock = threading.Lock()
_cache: dict[str, Any] = {"id": None, "model": None}


@dataclass(frozen=True)
class MatterSuggestion:
    matter_code: str
    matter_name: str
    confidence: float
    confident: bool
    terms: list[str]
    bodies: list[dict[str, str]]


def active_version() -> ModelVersion | None:
    return ModelVersion.objects.filter(is_active=True).first()


# The prediction path asks for the active version on every request submitted without a matter: remembered for a
# few seconds there (core.memo; a model switched in predicts from at most ROUTING_CACHE_SECONDS later). The
# pages and the API ask active_version() itself.
_ACTIVE = Memo("ROUTING_CACHE_SECONDS", default_seconds=5, max_entries=4)


def active_model() -> tuple[ModelVersion | None, Any]:
    """The active model, loaded once per process and reloaded when another one is switched in.
    The engine (numpy, jieba) is imported on first use, so processes that never route stay small."""
    from .engine import RoutingModel

    version = _ACTIVE.get(("active",), active_version)
    if version is None:
        return None, None
    # The file's identity too, not only the row's id: ids of rolled-back rows are used again (tests), and a
    # model file written again under the same name must not be served from the old copy.
    try:
        stat = os.stat(version.path)
        key: Any = (version.pk, stat.st_mtime_ns, stat.st_size)
    except OSError:
        key = (version.pk, None, None)
    with _cache_lock:
        if _cache["id"] != key:
            _cache["model"] = RoutingModel.load(version.path)
            _cache["id"] = key
        return version, _cache["model"]


def suggest(text: str, *, k: int = 3, on: date | None = None) -> list[MatterSuggestion]:
    text = (text or "").strip()
    if not text:
        return []
    version, model = active_model()
    if model is None or version is None:
        return []
    from .engine import is_confident

    ranked = model.predict(text, k=k)
    on = on or timezone.localdate()
    release = releases_in_force_subquery(ListKind.RESPONSIBILITY, on)
    codes = [s.label for s in ranked]
    names = dict(Matter.objects.filter(release=release, code__in=codes).values_list("code", "name"))
    bodies: dict[str, list[dict[str, str]]] = {}
    for a in (
        Assignment.objects.filter(matter__release=release, matter__code__in=codes)
        .select_related("organisation", "matter")
        .order_by("-role", "organisation__code")
    ):
        bodies.setdefault(a.matter.code, []).append(
            {"code": a.body_code, "name": a.body_name, "role": a.role}
        )
    return [
        MatterSuggestion(
            s.label,
            names.get(s.label, s.label),
            round(s.confidence, 4),
            is_confident(s, version.threshold),
            s.terms,
            bodies.get(s.label, []),
        )
        for s in ranked
        if s.label in names  # a matter no longer on the list is never suggested
    ]


def default_threshold() -> float:
    return float(str(settings.TIAOKUAI.get("ROUTING_DEFAULT_THRESHOLD", 0.5)))


def routing_queue(viewer: Any, *, limit: int = 100, q: str = "") -> list[WorkItem]:
    """Work waiting for the establishment office to route it (not on the list), from every source: the oldest
    `limit`, those among them whose number, place or description holds `q`."""
    if not viewer.can_edit_registry:
        return []
    waiting = sources.waiting(viewer, limit)
    return [w for w in waiting if q in w.number or q in w.description or q in w.place] if q else waiting


def second_look(viewer: Any, *, limit: int = 50) -> list[tuple[WorkItem, list[MatterSuggestion]]]:
    """Open work whose routing the router doubts: its confident top suggestion names another matter than
    the one chosen, or it is not confident at all. A person decides; nothing changes here."""
    if not viewer.can_edit_registry or active_version() is None:
        return []
    rows = []
    for item in sources.routed(viewer, limit):
        suggestions = suggest(item.description)
        if not suggestions:
            continue
        top = suggestions[0]
        if not top.confident or top.matter_code != item.chosen_code:
            rows.append((item, suggestions))
    return rows


@dataclass(frozen=True)
class MatterVocabulary:
    matter_code: str
    matter_name: str
    list_keywords: str
    terms: list[MatterTerm]


def vocabulary(viewer: Any, *, on: date | None = None) -> list[MatterVocabulary]:
    """The matters of the list in force with the words the router was taught for each (list
    keywords, and the terms the establishment office added). Registry editors only."""
    if not viewer.can_edit_registry:
        raise NotFound(_("Not found."))
    release = release_in_force(ListKind.RESPONSIBILITY, on or timezone.localdate())
    if release is None:
        return []
    terms: dict[str, list[MatterTerm]] = {}
    for term in MatterTerm.objects.all():
        terms.setdefault(term.matter_code, []).append(term)
    return [
        MatterVocabulary(m.code, m.name, m.keywords, terms.get(m.code, []))
        for m in release.matters.order_by("code").only("code", "name", "keywords")
    ]
