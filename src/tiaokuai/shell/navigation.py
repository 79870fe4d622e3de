"""Left navigation by role, from the entries the apps register (tiaokuai.core.registry).
Entries whose page does not exist (app not installed) are skipped."""

from django.urls import NoReverseMatch, reverse

from tiaokuai.core.access import Viewer
from tiaokuai.core.registry import nav_entries


def nav_for(viewer: Viewer, current_path: str = "") -> list[dict]:
    sections: dict[str, dict] = {}
    for item in nav_entries():
        if not (viewer.is_superuser or viewer.roles & item.roles):
            continue
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue
        key = str(item.section)
        section = sections.setdefault(key, {"title": item.section, "items": []})
        active = url == current_path if url == "/" else current_path.startswith(url)
        section["items"].append({"label": item.label, "url": url, "active": active})
    return list(sections.values())
