"""Left navigation by role. Entries whose page does not exist (app not installed) are skipped."""

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from tiaokuai.org.choices import Role

from .access import Viewer

ALL = frozenset(Role.values) - {Role.CITIZEN}
COUNTY = frozenset({Role.ESTABLISHMENT_OFFICE, Role.LEADER, Role.SUPERVISION})


@dataclass(frozen=True)
class NavItem:
    section: str | Promise
    label: str | Promise
    url_name: str
    roles: frozenset[str]
    icon: str = "•"


NAV: list[NavItem] = [
    NavItem(_("Overview"), _("Home"), "home", ALL | {Role.CITIZEN}),
    NavItem(_("Whistles"), _("Raise a whistle"), "whistles:raise", frozenset({Role.TOWNSHIP})),
    NavItem(_("Whistles"), _("Dispatch inbox"), "whistles:inbox", frozenset({Role.DEPARTMENT})),
    NavItem(_("Whistles"), _("Whistles"), "whistles:list", ALL),
    NavItem(_("Whistles"), _("County board"), "whistles:board", COUNTY | {Role.DEPARTMENT, Role.TOWNSHIP}),
    NavItem(_("Whistles"), _("Disputes"), "whistles:disputes", frozenset({Role.ESTABLISHMENT_OFFICE})),
    NavItem(_("Whistles"), _("Routing queue"), "routing:queue", frozenset({Role.ESTABLISHMENT_OFFICE})),
    NavItem(_("Whistles"), _("Figures"), "whistles:figures", COUNTY | {Role.DEPARTMENT, Role.TOWNSHIP}),
    NavItem(_("Lists"), _("Responsibility list"), "duties:in_force", ALL),
    NavItem(_("Lists"), _("List versions"), "duties:releases", ALL),
    NavItem(_("Lists"), _("Whistle list"), "whistles:items", ALL),
    NavItem(_("Registry"), _("Organisations"), "org:organisations", ALL),
    NavItem(_("Registry"), _("Divisions"), "org:divisions", ALL),
    NavItem(_("Registry"), _("Staffing"), "org:staffing", COUNTY | {Role.DEPARTMENT, Role.TOWNSHIP}),
    NavItem(_("Registry"), _("Enforcement certificates"), "org:certificates", COUNTY | {Role.DEPARTMENT, Role.TOWNSHIP, Role.OFFICER}),
    NavItem(_("System"), _("Notifications"), "core:inbox", ALL),
    NavItem(_("System"), _("Outbox"), "core:outbox", frozenset({Role.ESTABLISHMENT_OFFICE})),
    NavItem(_("System"), _("Working calendar"), "core:calendar", frozenset({Role.ESTABLISHMENT_OFFICE})),
]


def nav_for(viewer: Viewer, current_path: str = "") -> list[dict]:
    sections: dict[str, dict] = {}
    for item in NAV:
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
