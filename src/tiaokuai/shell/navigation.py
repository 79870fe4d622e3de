"""Left navigation by role, from the entries the apps register (tiaokuai.core.registry).
Entries whose page does not exist (app not installed) are skipped."""

from django.urls import NoReverseMatch, reverse

from tiaokuai.core.access import Viewer
from tiaokuai.core.registry import nav_entries


def nav_for(viewer: Viewer, current_path: str = "") -> list[dict]:
    """The viewer's entries by section. One entry is highlighted: the one whose page the current path is in, the
    most specific when several match (/whistles/inbox/ is the inbox, not the whistle list at /whistles/)."""
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
        section["items"].append({"label": item.label, "url": url, "active": False})
    entries = [entry for section in sections.values() for entry in section["items"]]
    matches = [e for e in entries if (e["url"] == current_path if e["url"] == "/" else current_path.startswith(e["url"]))]
    if matches:
        max(matches, key=lambda e: len(e["url"]))["active"] = True
    return list(sections.values())
