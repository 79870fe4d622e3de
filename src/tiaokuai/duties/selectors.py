"""Reads of the lists. "Which body was primary for matter M on date D?" is one query."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Q, QuerySet, Subquery
from django.utils.translation import gettext as _

from tiaokuai.core.access import Viewer
from tiaokuai.core.memo import Keep
from tiaokuai.org.choices import OrganisationKind
from tiaokuai.org.models import Organisation

from .choices import BodyKind, DutyRole, ListKind, ReleaseStatus
from .models import Assignment, Domain, ListRelease, Matter, ProcessStep


def releases_in_force_subquery(kind: str, on: date) -> Subquery:
    return Subquery(
        ListRelease.objects.filter(kind=kind, status=ReleaseStatus.PUBLISHED, effective_from__lte=on)
        .order_by("-effective_from")
        .values("pk")[:1]
    )


def release_in_force(kind: str, on: date) -> ListRelease | None:
    return (
        ListRelease.objects.filter(kind=kind, status=ReleaseStatus.PUBLISHED, effective_from__lte=on)
        .order_by("-effective_from")
        .first()
    )


def assignments_in_force(matter_code: str, on: date, *, kind: str = ListKind.RESPONSIBILITY) -> QuerySet[Assignment]:
    """The bodies responsible for a matter on a date, from the version in force that day."""
    return (
        Assignment.objects.filter(matter__code=matter_code, matter__release=releases_in_force_subquery(kind, on))
        .select_related("organisation", "matter", "matter__release")
        .order_by("-role", "body_kind", "organisation__code")
    )


def primary_body_on(matter_code: str, on: date) -> Assignment | None:
    return assignments_in_force(matter_code, on).filter(role=DutyRole.PRIMARY).first()


# ---------------------------------------------------------------- the territorial role (属地乡镇（街道）)

def township_governments(township_ids: Iterable[int]) -> dict[int, Organisation]:
    """township division id → its government (乡镇人民政府 / 街道办事处): the active organisation of kind
    "township" whose division is that township (the lowest code when a registry holds more than one) — one query."""
    out: dict[int, Organisation] = {}
    for org in (Organisation.objects.filter(kind=OrganisationKind.TOWNSHIP, is_active=True,
                                            division_id__in=list(township_ids)).order_by("code", "pk")):
        out.setdefault(org.division_id, org)
    return out


def township_government(township_id: int | None) -> Organisation | None:
    """The government of one township, or None (no township, or none registered)."""
    if township_id is None:
        return None
    return township_governments([township_id]).get(township_id)


def resolve_body(body_kind: str, organisation: Organisation | None, township_id: int | None) -> Organisation | None:
    """The organisation a list row names for a case located in `township_id`: a named body is itself; the
    territorial role 属地乡镇（街道） is the government of that township (None when it has none)."""
    if body_kind == BodyKind.TERRITORIAL_TOWNSHIP:
        return township_government(township_id)
    return organisation


def resolve_bodies(assignments: Iterable[Assignment], township_id: int | None) -> list[tuple[Assignment, Organisation]]:
    """(assignment, the organisation that answers for it where the case is) in the given order; assignments
    that resolve to nothing (no township government, inactive body) are left out. One query at most."""
    assignments = list(assignments)
    governments = (township_governments([township_id]) if township_id is not None
                   and any(a.body_kind == BodyKind.TERRITORIAL_TOWNSHIP for a in assignments) else {})
    out = []
    for a in assignments:
        org = governments.get(township_id) if a.is_territorial else a.organisation  # type: ignore[arg-type]
        if org is not None and org.is_active:
            out.append((a, org))
    return out


def matters_of(release: ListRelease) -> QuerySet[Matter]:
    return release.matters.select_related("domain").prefetch_related("assignments__organisation", "steps__organisation")


def home_cards(viewer: Viewer) -> list[dict[str, Any]]:
    from django.utils import timezone

    release = release_in_force(ListKind.RESPONSIBILITY, timezone.localdate())
    if release is None or not viewer.is_authenticated:
        return []
    return [{"label": _("Matters in the list in force"), "value": release.matters.count(), "url_name": "duties:in_force"}]


def visible_releases(viewer: Viewer, kind: str = ListKind.RESPONSIBILITY) -> QuerySet[ListRelease]:
    qs = ListRelease.objects.filter(kind=kind)
    if not viewer.can_edit_registry:
        qs = qs.filter(status=ReleaseStatus.PUBLISHED)
    return qs.order_by("-number")


# ---------------------------------------------------------------- releases

def latest_published(kind: str = ListKind.RESPONSIBILITY) -> ListRelease | None:
    """The published version with the latest effective date (in force now or later)."""
    return (ListRelease.objects.filter(kind=kind, status=ReleaseStatus.PUBLISHED)
            .order_by("-effective_from", "-number").first())


def draft_of(kind: str = ListKind.RESPONSIBILITY) -> ListRelease | None:
    return ListRelease.objects.filter(kind=kind, status=ReleaseStatus.DRAFT).first()


def release_for(viewer: Viewer, release_id: Any) -> ListRelease | None:
    """One release if the viewer may see it (published: any signed-in user; draft: the office)."""
    try:
        pk = int(release_id)
    except (TypeError, ValueError):
        return None
    return visible_releases_all(viewer).filter(pk=pk).first()


def visible_releases_all(viewer: Viewer) -> QuerySet[ListRelease]:
    if not viewer.is_authenticated:
        return ListRelease.objects.none()
    qs = ListRelease.objects.all()
    if not viewer.can_edit_registry:
        qs = qs.filter(status=ReleaseStatus.PUBLISHED)
    return qs


def releases_with_counts(viewer: Viewer, kind: str = ListKind.RESPONSIBILITY) -> QuerySet[ListRelease]:
    from django.db.models import Count

    return visible_releases_all(viewer).filter(kind=kind).annotate(matter_count=Count("matters")).order_by("-number")


def in_force_release_ids(kind: str) -> dict[int, str]:
    """{release id: "in_force" | "superseded" | "scheduled"} for the published versions of a list."""
    from django.utils import timezone

    today = timezone.localdate()
    current = release_in_force(kind, today)
    out: dict[int, str] = {}
    for pk, eff in ListRelease.objects.filter(kind=kind, status=ReleaseStatus.PUBLISHED).values_list(
            "pk", "effective_from"):
        if current is not None and pk == current.pk:
            out[pk] = "in_force"
        elif eff and eff > today:
            out[pk] = "scheduled"
        else:
            out[pk] = "superseded"
    return out


# ---------------------------------------------------------------- matters

def search_matters(qs: QuerySet[Matter], *, q: str = "", domain: str = "") -> QuerySet[Matter]:
    """Filter matters by text (code, name, keywords, body names) and by domain (code or id)."""
    q = (q or "").strip()
    if domain:
        by_domain = Q(domain__code=domain)
        if domain.isdigit():
            by_domain |= Q(domain__pk=int(domain))
        qs = qs.filter(by_domain)
    if q:
        ids = Matter.objects.filter(
            Q(code__icontains=q) | Q(name__icontains=q) | Q(keywords__icontains=q)
            | Q(assignments__organisation__name__icontains=q) | Q(assignments__organisation__short_name__icontains=q)
            | (Q(assignments__body_kind=BodyKind.TERRITORIAL_TOWNSHIP) if _names_territorial(q) else Q(pk__in=[]))
        ).values("pk")
        qs = qs.filter(pk__in=ids)
    return qs


def _names_territorial(q: str) -> bool:
    """Whether a search text names the territorial role (属地, 乡镇, 街道 … or its label)."""
    return len(q) >= 2 and (q in "属地乡镇（街道）" or q in str(BodyKind.TERRITORIAL_TOWNSHIP.label))


def release_matters(release: ListRelease, *, q: str = "", domain: str = "") -> QuerySet[Matter]:
    return search_matters(matters_of(release), q=q, domain=domain).order_by("domain__order", "domain__code", "code")


def matters_in_force(on: date, *, kind: str = ListKind.RESPONSIBILITY, q: str = "", domain: str = "",
                     ) -> QuerySet[Matter]:
    """The matters of the version in force on a date (one query for the release, one for the rows)."""
    qs = (Matter.objects.filter(release=releases_in_force_subquery(kind, on))
          .select_related("domain", "release").prefetch_related("assignments__organisation", "steps__organisation"))
    return search_matters(qs, q=q, domain=domain).order_by("domain__order", "domain__code", "code")


def release_matter_ids(release: ListRelease, *, q: str = "", domain: str = "") -> QuerySet[Matter, int]:
    """The ids of release_matters() (same search, same order), for matter_rows()."""
    return search_matters(release.matters.all(), q=q, domain=domain).order_by(
        "domain__order", "domain__code", "code").values_list("pk", flat=True)


# ---------------------------------------------------------------- a release's rows as plain data

@dataclass(frozen=True)
class ReleaseRows:
    """A release's own rows (matters with their assignments and steps), bodies and domains by id: what a
    published release holds for ever (ADR 0002). The registry's part (unit codes and names, domain codes and
    names) is read per request (`registry_names`), since a unit or a domain may be renamed."""

    matters: dict[int, dict[str, Any]]
    organisation_ids: frozenset[int]
    domain_ids: frozenset[int]


@dataclass(frozen=True)
class RegistryNames:
    organisations: dict[int, tuple[str, str]]  # id → (code, name)
    domains: dict[int, tuple[str, str]]  # id → (code, name)

    def key(self) -> tuple:
        """Everything of the registry a rendering of the rows shows (for a cache key)."""
        return tuple(self.organisations.items()), tuple(sorted(self.domains.items()))


_PUBLISHED_ROWS = Keep(max_entries=8)


def _read_release_rows(release: ListRelease) -> ReleaseRows:
    """Three queries: matters, assignments, steps (plain values, no model instances)."""
    matters: dict[int, dict[str, Any]] = {}
    for values in (Matter.objects.filter(release=release).order_by()
                   .values("pk", "code", "name", "domain_id", "kind", "legal_basis", "description", "keywords")):
        row: dict[str, Any] = dict(values)
        row["assignments"], row["steps"] = [], []
        matters[row["pk"]] = row
    orgs: set[int] = set()
    for a in (Assignment.objects.filter(matter__release=release).order_by()
              .values("matter_id", "body_kind", "organisation_id", "role", "duty")):
        matters[a["matter_id"]]["assignments"].append(a)
        if a["organisation_id"] is not None:
            orgs.add(a["organisation_id"])
    for s in (ProcessStep.objects.filter(matter__release=release).order_by("matter_id", "order")
              .values("matter_id", "order", "body_kind", "organisation_id", "action", "time_limit_days")):
        matters[s["matter_id"]]["steps"].append(s)
        if s["organisation_id"] is not None:
            orgs.add(s["organisation_id"])
    return ReleaseRows(matters, frozenset(orgs), frozenset(m["domain_id"] for m in matters.values()))


def release_rows(release: ListRelease, ids: Iterable[int] = ()) -> ReleaseRows:
    """The release's rows: a published release's are read once per process (it never changes; the key holds
    its publication time as well as its id), a draft's on every call. Rows that lack one of `ids` (a matter
    added behind the services' back, by a data fix) are read again."""
    if release.status != ReleaseStatus.PUBLISHED:
        return _read_release_rows(release)
    key = (release.pk, release.published_at)
    rows: ReleaseRows = _PUBLISHED_ROWS.get(key, lambda: _read_release_rows(release))
    if any(pk not in rows.matters for pk in ids):
        rows = _PUBLISHED_ROWS.set(key, _read_release_rows(release))
    return rows


def registry_names(rows: ReleaseRows) -> RegistryNames:
    """The current codes and names of the units and domains the rows name (two queries, none when empty)."""
    orgs = ({pk: (code, name) for pk, code, name in
             Organisation.objects.filter(pk__in=rows.organisation_ids).order_by("code", "pk")
             .values_list("pk", "code", "name")}
            if rows.organisation_ids else {})  # in the database's order of codes (matters_page: the bodies' order)
    domains = ({pk: (code, name) for pk, code, name in
                Domain.objects.filter(pk__in=rows.domain_ids).order_by().values_list("pk", "code", "name")}
               if rows.domain_ids else {})
    return RegistryNames(orgs, domains)


def matter_rows(release: ListRelease, ids: Iterable[int], names: RegistryNames | None = None,
                rows: ReleaseRows | None = None) -> list[dict[str, Any]]:
    """The matters `ids` of a release, in that order, as the API shows a matter (api.MatterOut: matter_dump()
    plus id, release and domain_name) — from release_rows() and the registry's current names."""
    ids = list(ids)
    rows = rows or release_rows(release, ids)
    names = names or registry_names(rows)
    territorial = BodyKind.TERRITORIAL_TOWNSHIP.value
    territorial_name = str(BodyKind.TERRITORIAL_TOWNSHIP.label)
    orgs, domains = names.organisations, names.domains

    def body(row: dict[str, Any]) -> tuple[str, str]:
        if row["body_kind"] == territorial:
            return territorial, territorial_name
        return orgs.get(row["organisation_id"], ("", "")) if row["organisation_id"] is not None else ("", "")

    out = []
    for pk in ids:
        m = rows.matters[pk]
        assignments = []
        for a in m["assignments"]:
            code, name = body(a)
            assignments.append({"organisation": code, "organisation_name": name, "role": a["role"], "duty": a["duty"]})
        assignments.sort(key=lambda a: (a["role"] != DutyRole.PRIMARY, a["organisation"]))
        steps = []
        for s in m["steps"]:
            code = body(s)[0]
            steps.append({"order": s["order"], "organisation": code or None, "action": s["action"],
                          "time_limit_days": s["time_limit_days"]})
        domain_code, domain_name = domains[m["domain_id"]]
        out.append({"id": pk, "release": release.pk, "code": m["code"], "name": m["name"], "domain": domain_code,
                    "domain_name": domain_name, "kind": m["kind"], "legal_basis": m["legal_basis"],
                    "description": m["description"], "keywords": m["keywords"], "assignments": assignments,
                    "steps": steps})
    return out


class Rows(list):  # type: ignore[type-arg]
    """A list a template reads like a related manager (`matter.assignments.all`)."""

    def all(self) -> "Rows":
        return self


@dataclass
class MattersPage:
    """Some matters of a release (ids in the list's order) for a page: `key()` is everything their rendering
    shows except the language — the release (a published one never changes), the ids and the registry's
    current names — so a rendering may be kept by it; `groups()` the plain rows by domain."""

    release: ListRelease
    ids: list[int]
    rows: ReleaseRows
    names: RegistryNames

    def key(self) -> tuple:
        return self.release.pk, self.release.published_at, tuple(self.ids), self.names.key()

    def groups(self) -> list[dict[str, Any]]:
        """[{"grouper": {"code", "name"}, "list": [matter…]}] by domain, as `{% regroup %}` gives them; a matter
        reads like a Matter (code, name, get_kind_display, legal_basis, keywords, assignments.all, steps.all),
        its assignments in the model's order (primary first, named units by code, then the territorial role)."""
        territorial = BodyKind.TERRITORIAL_TOWNSHIP.value
        territorial_name = str(BodyKind.TERRITORIAL_TOWNSHIP.label)
        kinds = {k: str(v) for k, v in Matter._meta.get_field("kind").flatchoices}  # type: ignore[union-attr]
        roles = {k: str(v) for k, v in Assignment._meta.get_field("role").flatchoices}  # type: ignore[union-attr]
        orgs = self.names.organisations
        rank = {pk: i for i, pk in enumerate(orgs)}

        def body_name(row: dict[str, Any]) -> str:
            if row["body_kind"] == territorial:
                return territorial_name
            org = orgs.get(row["organisation_id"]) if row["organisation_id"] is not None else None
            return org[1] if org else ""

        groups: list[dict[str, Any]] = []
        for pk in self.ids:
            m = self.rows.matters[pk]
            ordered = sorted(m["assignments"], key=lambda a: (a["body_kind"], rank.get(a["organisation_id"], -1)))
            ordered.sort(key=lambda a: a["role"], reverse=True)
            assignments = Rows({"role": a["role"], "get_role_display": roles.get(a["role"], a["role"]),
                                "body_name": body_name(a), "duty": a["duty"]} for a in ordered)
            steps = Rows({"order": s["order"], "body_name": body_name(s), "action": s["action"],
                          "time_limit_days": s["time_limit_days"]} for s in m["steps"])
            row = {"pk": pk, "code": m["code"], "name": m["name"], "get_kind_display": kinds.get(m["kind"], m["kind"]),
                   "legal_basis": m["legal_basis"], "keywords": m["keywords"], "assignments": assignments,
                   "steps": steps}
            if not groups or groups[-1]["domain_id"] != m["domain_id"]:
                code, name = self.names.domains[m["domain_id"]]
                groups.append({"domain_id": m["domain_id"], "grouper": {"code": code, "name": name}, "list": []})
            groups[-1]["list"].append(row)
        return groups


def matters_page(release: ListRelease, *, q: str = "", domain: str = "") -> MattersPage:
    """The matters of a release a search finds, for a page (release_matters() as plain rows): the ids (one
    query), the release's rows (release_rows()) and the registry's names (two queries)."""
    ids = list(release_matter_ids(release, q=q, domain=domain))
    rows = release_rows(release, ids)
    return MattersPage(release, ids, rows, registry_names(rows))


def domains_of(release: ListRelease | None) -> QuerySet[Domain]:
    if release is None:
        return Domain.objects.none()
    return Domain.objects.filter(matters__release=release).distinct().order_by("order", "code")


def matter_for(viewer: Viewer, matter_id: Any) -> Matter | None:
    try:
        pk = int(matter_id)
    except (TypeError, ValueError):
        return None
    return (Matter.objects.filter(pk=pk, release__in=visible_releases_all(viewer))
            .select_related("domain", "release")
            .prefetch_related("assignments__organisation", "steps__organisation").first())


def matter_versions(viewer: Viewer, matter: Matter) -> QuerySet[Matter]:
    """The same matter (by code) in every version of its list the viewer may see."""
    return (Matter.objects.filter(code=matter.code, release__kind=matter.release.kind,
                                  release__in=visible_releases_all(viewer))
            .select_related("release", "domain").order_by("-release__number"))


# ---------------------------------------------------------------- canonical dump and diff

def matter_dump(matter: Matter) -> dict[str, Any]:
    """A plain, ordered view of one matter: what the diff and the spreadsheet round trip compare."""
    assignments = sorted(matter.assignments.all(), key=lambda a: (a.role != DutyRole.PRIMARY, a.body_code))
    steps = sorted(matter.steps.all(), key=lambda s: s.order)
    return {
        "code": matter.code, "name": matter.name, "domain": matter.domain.code, "kind": matter.kind,
        "legal_basis": matter.legal_basis, "description": matter.description, "keywords": matter.keywords,
        # "organisation": the unit code, or "territorial_township" for the role 属地乡镇（街道）.
        "assignments": [{"organisation": a.body_code, "organisation_name": a.body_name,
                         "role": a.role, "duty": a.duty} for a in assignments],
        "steps": [{"order": s.order, "organisation": s.body_code or None,
                   "action": s.action, "time_limit_days": s.time_limit_days} for s in steps],
    }


def release_dump(release: ListRelease) -> list[dict[str, Any]]:
    qs = release.matters.select_related("domain").prefetch_related("assignments__organisation",
                                                                     "steps__organisation").order_by("code")
    return [matter_dump(m) for m in qs]


DIFF_FIELDS = ["name", "domain", "kind", "legal_basis", "description", "keywords"]


def _steps_text(steps: list[dict[str, Any]], names: dict[str, str] | None = None) -> str:
    """Process steps as a clerk reads them: "1. 县公安局（331122-GAJ） 受理，时限 30 个工作日"."""
    names = names or {}
    lines = []
    for s in steps:
        line = f"{s['order']}. {_step_body(s['organisation'], names)} {s['action']}"
        if s["time_limit_days"] is not None:
            line += _("; time limit %(days)s working days") % {"days": s["time_limit_days"]}
        lines.append(line)
    return "\n".join(lines)


def _step_body(code: str | None, names: dict[str, str] | None = None) -> str:
    if code == BodyKind.TERRITORIAL_TOWNSHIP:
        return str(BodyKind.TERRITORIAL_TOWNSHIP.label)
    if not code:
        return "-"
    name = (names or {}).get(code)
    return f"{name}（{code}）" if name else code


def _step_names(*dumps: list[dict[str, Any]]) -> dict[str, str]:
    """Names of the units the process steps of these matters name, in one query."""
    codes = {s["organisation"] for dump in dumps for m in dump for s in m["steps"]
             if s["organisation"] and s["organisation"] != BodyKind.TERRITORIAL_TOWNSHIP}
    return dict(Organisation.objects.filter(code__in=codes).values_list("code", "name")) if codes else {}


def _field_label(name: str) -> str:
    return str(getattr(Matter._meta.get_field(name), "verbose_name", name))


def diff_dumps(old: list[dict[str, Any]], new: list[dict[str, Any]]) -> dict[str, Any]:
    """Added, removed and changed matters (field by field) and added/removed/changed assignments."""
    old_by, new_by = {m["code"]: m for m in old}, {m["code"]: m for m in new}
    added = [new_by[c] for c in sorted(new_by.keys() - old_by.keys())]
    removed = [old_by[c] for c in sorted(old_by.keys() - new_by.keys())]
    changed = []
    names: dict[str, str] | None = None
    for code in sorted(old_by.keys() & new_by.keys()):
        before, after = old_by[code], new_by[code]
        fields = []
        for name in DIFF_FIELDS:
            if before[name] != after[name]:
                fields.append({"field": name, "label": _field_label(name),
                               "before": before[name], "after": after[name]})
        if before["steps"] != after["steps"]:
            if names is None:
                names = _step_names(old, new)
            fields.append({"field": "steps", "label": _("process steps"),
                           "before": _steps_text(before["steps"], names), "after": _steps_text(after["steps"], names)})
        a_old = {a["organisation"]: a for a in before["assignments"]}
        a_new = {a["organisation"]: a for a in after["assignments"]}
        assignments = {
            "added": [a_new[o] for o in sorted(a_new.keys() - a_old.keys())],
            "removed": [a_old[o] for o in sorted(a_old.keys() - a_new.keys())],
            "changed": [
                {"organisation": o, "organisation_name": a_new[o]["organisation_name"],
                 "before": {"role": a_old[o]["role"], "duty": a_old[o]["duty"]},
                 "after": {"role": a_new[o]["role"], "duty": a_new[o]["duty"]}}
                for o in sorted(a_old.keys() & a_new.keys())
                if (a_old[o]["role"], a_old[o]["duty"]) != (a_new[o]["role"], a_new[o]["duty"])
            ],
        }
        if fields or any(assignments.values()):
            changed.append({"code": code, "name": after["name"], "fields": fields, "assignments": assignments})
    return {"added": added, "removed": removed, "changed": changed,
            "unchanged": len(old_by.keys() & new_by.keys()) - len(changed)}


def release_diff(old: ListRelease, new: ListRelease) -> dict[str, Any]:
    return diff_dumps(release_dump(old), release_dump(new))
