"""Reads of the organisation registry, scoped to what the viewer may see."""

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Case, CharField, Count, Prefetch, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from tiaokuai.core.access import Viewer
from tiaokuai.core.errors import NotFound
from tiaokuai.core.models import AuditEvent
from tiaokuai.core.personal import mask_id_number, mask_phone

from .access import may_see_township, sees_personal_data, staffing_scope_q
from .choices import (
    CERTIFICATE_EXPIRING_DAYS,
    CertificateState,
    DivisionLevel,
    EstablishmentKind,
    OrganisationKind,
    StaffingState,
)
from .models import (
    Certificate,
    Division,
    EstablishmentQuota,
    Membership,
    Organisation,
    Person,
    StaffAssignment,
)

# --------------------------------------------------------------------------- divisions


def visible_divisions(viewer: Viewer) -> QuerySet[Division]:
    """Geography is shared: every signed-in unit may see the county's divisions."""
    if not viewer.is_authenticated:
        return Division.objects.none()
    return Division.objects.select_related("parent")


def divisions(viewer: Viewer, *, level: str | None = None, within: str | None = None) -> QuerySet[Division]:
    qs = visible_divisions(viewer)
    if level:
        qs = qs.filter(level=level)
    if within:
        root = visible_divisions(viewer).filter(code=within).first()
        if root is None:
            raise NotFound(_("No such division."))
        if root.level == DivisionLevel.COUNTY:
            pass
        elif root.level == DivisionLevel.TOWNSHIP:
            qs = qs.filter(Q(township=root) | Q(pk=root.pk))
        elif root.level == DivisionLevel.VILLAGE:
            qs = qs.filter(Q(parent=root) | Q(pk=root.pk))
        else:
            qs = qs.filter(pk=root.pk)
    return qs.order_by("code")


def division_detail(viewer: Viewer, code: str) -> Division:
    division = visible_divisions(viewer).filter(code=code).first()
    if division is None:
        raise NotFound(_("No such division."))
    return division


def division_ancestors(division: Division) -> list[Division]:
    """From the county down to the division's parent (at most three short queries)."""
    chain: list[Division] = []
    node = division.parent
    while node is not None:
        chain.append(node)
        node = node.parent
    return list(reversed(chain))


def division_drilldown(viewer: Viewer, *, within: str | None = None) -> dict[str, Any]:
    """One level of the division tree: the root (or the counties), its children with their child counts."""
    if not viewer.is_authenticated:
        raise NotFound(_("No such division."))
    root = division_detail(viewer, within) if within else None
    children = visible_divisions(viewer).annotate(child_count=Count("children"))
    children = children.filter(parent=root) if root is not None else children.filter(parent__isnull=True)
    organisations: list[Organisation] = []
    if root is not None and root.level == DivisionLevel.TOWNSHIP:
        organisations = list(visible_organisations(viewer).filter(division=root).order_by("kind", "code"))
    return {
        "root": root,
        "ancestors": division_ancestors(root) if root is not None else [],
        "children": list(children.order_by("code")),
        "organisations": organisations,
    }


def township_of(division: Division | None) -> Division | None:
    if division is None:
        return None
    if division.level == DivisionLevel.TOWNSHIP:
        return division
    if division.level in (DivisionLevel.VILLAGE, DivisionLevel.GRID):
        return division.township
    return None


# --------------------------------------------------------------------------- organisations


def visible_organisations(viewer: Viewer) -> QuerySet[Organisation]:
    """The directory of units. County departments are public counterparts: every signed-in unit may
    see who they are (whistles are dispatched to them). Their staffing and people are not public:
    see `staffed_organisations`."""
    qs = Organisation.objects.select_related("division", "parent")
    if not viewer.is_authenticated:
        return qs.none()
    if viewer.county_wide:
        return qs
    return qs.filter(
        Q(pk__in=viewer.organisation_ids)
        | Q(division_id__in=viewer.township_ids)
        | Q(division__township_id__in=viewer.township_ids)
        | Q(kind=OrganisationKind.COUNTY_DEPARTMENT)
    )


def staffed_organisations(viewer: Viewer) -> QuerySet[Organisation]:
    """Units whose establishment, staff and memberships the viewer may see."""
    qs = Organisation.objects.select_related("division", "parent")
    if not viewer.is_authenticated:
        return qs.none()
    scope = staffing_scope_q(viewer)
    return qs if scope is None else qs.filter(scope)


def may_see_staffing(viewer: Viewer, organisation: Organisation) -> bool:
    return staffed_organisations(viewer).filter(pk=organisation.pk).exists()


def organisations(
    viewer: Viewer, *, kind: str | None = None, within: str | None = None, township: str | None = None,
    q: str | None = None, active: bool | None = None,
) -> QuerySet[Organisation]:
    qs = visible_organisations(viewer)
    if kind:
        qs = qs.filter(kind=kind)
    for code in (within, township):
        if not code:
            continue
        root = visible_divisions(viewer).filter(code=code).first()
        if root is None:
            raise NotFound(_("No such division."))
        if root.level == DivisionLevel.TOWNSHIP:
            qs = qs.filter(Q(division=root) | Q(division__township=root))
        elif root.level != DivisionLevel.COUNTY:
            qs = qs.filter(division=root)
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(short_name__icontains=q) | Q(code__icontains=q))
    if active is not None:
        qs = qs.filter(is_active=active)
    return qs.order_by("code")


@dataclass
class OrgNode:
    organisation: Organisation
    children: list["OrgNode"]
    match: bool = True  # False: shown only as a unit above a match (organisation_path_forest)

    @property
    def size(self) -> int:
        """This unit and every unit under it."""
        return 1 + sum(c.size for c in self.children)


def organisation_forest(orgs: list[Organisation]) -> list[OrgNode]:
    """The organisations given as a forest (parents not among them: their units at the top), by code."""
    ids = {o.pk for o in orgs}
    nodes = {o.pk: OrgNode(o, []) for o in sorted(orgs, key=lambda x: x.code)}
    roots: list[OrgNode] = []
    for node in nodes.values():
        parent = node.organisation.parent_id
        (nodes[parent].children if parent in ids else roots).append(node)
    return roots


def organisation_path_forest(viewer: Viewer, matches: list[Organisation]) -> list[OrgNode]:
    """A search on the tree: the matching units with the units above them (those the viewer may see), so each
    match shows where it sits; the units above are marked `match=False`. One query per level climbed."""
    have = {o.pk: o for o in matches}
    wanted = {o.parent_id for o in matches if o.parent_id and o.parent_id not in have}
    above: set[int] = set()
    while wanted:
        found = list(visible_organisations(viewer).filter(pk__in=wanted))
        for o in found:
            have[o.pk] = o
            above.add(o.pk)
        wanted = {o.parent_id for o in found if o.parent_id and o.parent_id not in have}
    forest = organisation_forest(list(have.values()))
    stack = list(forest)
    while stack:
        node = stack.pop()
        node.match = node.organisation.pk not in above
        stack.extend(node.children)
    return forest


def organisation_detail(viewer: Viewer, code: str) -> Organisation:
    org = visible_organisations(viewer).filter(code=code).first()
    if org is None:
        raise NotFound(_("No such organisation."))
    return org


def organisation_page(viewer: Viewer, code: str) -> dict[str, Any]:
    """Everything the organisation page and `GET /organisations/{code}` show."""
    org = organisation_detail(viewer, code)
    children = list(visible_organisations(viewer).filter(parent=org).order_by("code"))
    staffing = may_see_staffing(viewer, org)
    data: dict[str, Any] = {"organisation": org, "children": children, "can_see_staffing": staffing,
                            "staffing": None, "staff": [], "memberships": [], "quotas": []}
    if staffing:
        data["staffing"] = unit_staffing([org])[0]
        data["quotas"] = list(org.quotas.order_by("kind"))
        data["staff"] = list(
            org.assignments.filter(ended_on__isnull=True).select_related("person").order_by("-is_leadership", "kind",
                                                                                               "person__name")
        )
        data["memberships"] = list(org.memberships.select_related("person", "division").order_by("role",
                                                                                                  "person__name"))
    return data


def organisation_timeline(org: Organisation) -> QuerySet[AuditEvent]:
    """Changes to the unit, its quotas and its staff assignments, oldest first."""
    quota_ids = [str(pk) for pk in org.quotas.values_list("pk", flat=True)]
    assignment_ids = [str(pk) for pk in org.assignments.values_list("pk", flat=True)]
    return (
        AuditEvent.objects.filter(
            Q(object_type="org.organisation", object_id=str(org.pk))
            | Q(object_type="org.establishmentquota", object_id__in=quota_ids)
            | Q(object_type="org.staffassignment", object_id__in=assignment_ids)
        )
        .select_related("actor__person")
        .order_by("at", "id")
    )


# --------------------------------------------------------------------------- staffing


@dataclass
class Figures:
    approved: int = 0
    actual: int = 0
    vacancy: int = 0
    over: int = 0

    @classmethod
    def of(cls, approved: int, actual: int) -> "Figures":
        return cls(approved, actual, max(approved - actual, 0), max(actual - approved, 0))

    def add(self, other: "Figures") -> None:
        self.approved += other.approved
        self.actual += other.actual
        self.vacancy += other.vacancy
        self.over += other.over

    @property
    def state(self) -> str:
        if self.over:
            return StaffingState.OVER
        if self.vacancy:
            return StaffingState.VACANT
        return StaffingState.OK

    def as_dict(self) -> dict[str, Any]:
        return {"approved": self.approved, "actual": self.actual, "vacancy": self.vacancy, "over": self.over,
                "state": str(self.state)}


KINDS = [str(k) for k in EstablishmentKind.values]


@dataclass
class Staffing:
    """Approved vs actual per establishment kind, leadership posts, and the total over kinds.
    Rolled-up vacancy/over are sums over units (an over-establishment in one unit is not hidden
    by a vacancy in another)."""

    kinds: dict[str, Figures] = field(default_factory=lambda: {k: Figures() for k in KINDS})
    leadership: Figures = field(default_factory=Figures)
    total: Figures = field(default_factory=Figures)

    def add(self, other: "Staffing") -> None:
        for k in KINDS:
            self.kinds[k].add(other.kinds[k])
        self.leadership.add(other.leadership)
        self.total.add(other.total)

    @property
    def rows(self) -> list[tuple[str, str, Figures]]:
        labels = dict(EstablishmentKind.choices)
        return [(k, str(labels[k]), self.kinds[k]) for k in KINDS]

    @property
    def state(self) -> str:
        if self.total.over or self.leadership.over:
            return StaffingState.OVER
        if self.total.vacancy or self.leadership.vacancy:
            return StaffingState.VACANT
        return StaffingState.OK

    def as_dict(self) -> dict[str, Any]:
        return {"kinds": {k: v.as_dict() for k, v in self.kinds.items()}, "leadership": self.leadership.as_dict(),
                "total": self.total.as_dict(), "state": str(self.state)}


@dataclass
class UnitStaffing:
    organisation: Organisation
    staffing: Staffing


@dataclass
class Rollup:
    key: str
    name: str
    division: Division | None
    units: list[UnitStaffing] = field(default_factory=list)
    staffing: Staffing = field(default_factory=Staffing)


def unit_staffing(orgs: list[Organisation] | QuerySet[Organisation]) -> list[UnitStaffing]:
    """Approved vs actual for each unit: two aggregate queries whatever the number of units."""
    orgs = list(orgs)
    ids = [o.pk for o in orgs]
    approved: dict[tuple[int, str], tuple[int, int]] = {}
    for org_id, kind, n, lead in EstablishmentQuota.objects.filter(organisation_id__in=ids).values_list(
        "organisation_id", "kind", "approved", "leadership_posts"
    ):
        approved[(org_id, kind)] = (n, lead)
    actual: dict[tuple[int, str], tuple[int, int]] = {}
    for row in (
        StaffAssignment.objects.filter(organisation_id__in=ids, ended_on__isnull=True)
        .values("organisation_id", "kind")
        .annotate(n=Count("id"), lead=Count("id", filter=Q(is_leadership=True)))
        .order_by()
    ):
        actual[(row["organisation_id"], row["kind"])] = (row["n"], row["lead"])
    out = []
    for o in orgs:
        s = Staffing()
        lead_approved = lead_actual = 0
        for k in KINDS:
            a, la = approved.get((o.pk, k), (0, 0))
            n, ln = actual.get((o.pk, k), (0, 0))
            s.kinds[k] = Figures.of(a, n)
            s.total.add(s.kinds[k])
            lead_approved += la
            lead_actual += ln
        s.leadership = Figures.of(lead_approved, lead_actual)
        out.append(UnitStaffing(o, s))
    return out


@dataclass
class StaffingReport:
    scope: str
    division: Division | None
    units: list[UnitStaffing]
    groups: list[Rollup]
    totals: Staffing
    institutions: dict[str, Any] | None
    county_wide: bool

    def as_dict(self) -> dict[str, Any]:
        return {
            "scope": self.scope,
            "code": self.division.code if self.division else None,
            "name": self.division.name if self.division else None,
            "totals": self.totals.as_dict(),
            "groups": [
                {"code": g.key, "name": g.name, "staffing": g.staffing.as_dict(),
                 "units": [u.organisation.code for u in g.units]}
                for g in self.groups
            ],
            "units": [
                {"code": u.organisation.code, "name": u.organisation.name, "kind": u.organisation.kind,
                 "staffing": u.staffing.as_dict()}
                for u in self.units
            ],
            "institutions": self.institutions,
        }


def _group_key(org: Organisation) -> tuple[str, str, Division | None]:
    d = org.division
    township = township_of(d)
    if township is not None:
        return township.code, township.name, township
    return "", str(_("County level")), None


def staffing_report(viewer: Viewer, *, scope: str = "county", code: str | None = None) -> StaffingReport:
    """Per unit and rolled up per township (its government, offices, public institutions and the
    stationed agencies serving it) and for the county. Non-county-wide viewers see only their units."""
    if not viewer.is_authenticated:
        raise NotFound(_("No such division."))
    units_qs = staffed_organisations(viewer).filter(is_active=True).select_related("division__township")
    division: Division | None = None
    if scope == "township":
        division = Division.objects.filter(code=code or "", level=DivisionLevel.TOWNSHIP).first()
        if division is None or not may_see_township(viewer, division.pk):
            raise NotFound(_("No such township."))
        units_qs = units_qs.filter(Q(division=division) | Q(division__township=division))
    elif scope == "county":
        if code:
            division = Division.objects.filter(code=code, level=DivisionLevel.COUNTY).first()
            if division is None:
                raise NotFound(_("No such division."))
        else:
            division = Division.objects.filter(level=DivisionLevel.COUNTY).order_by("code").first()
    else:
        raise NotFound(_("No such scope."))
    units = unit_staffing(units_qs.order_by("code"))
    groups: dict[str, Rollup] = {}
    totals = Staffing()
    for u in units:
        key, name, township = _group_key(u.organisation)
        group = groups.setdefault(key, Rollup(key, name, township))
        group.units.append(u)
        group.staffing.add(u.staffing)
        totals.add(u.staffing)
    institutions = None
    if scope == "county" and viewer.county_wide:
        institutions = institution_count(division)
    ordered = sorted(groups.values(), key=lambda g: (g.key != "", g.key))
    return StaffingReport(scope, division, units, ordered, totals, institutions, viewer.county_wide)


def institution_count(county: Division | None) -> dict[str, Any]:
    count = Organisation.objects.filter(counts_toward_limit=True, is_active=True).count()
    limit = county.institution_limit if county is not None else None
    return {"count": count, "limit": limit, "over": limit is not None and count > limit,
            "remaining": (limit - count) if limit is not None else None}


# --------------------------------------------------------------------------- people


def visible_people(viewer: Viewer) -> QuerySet[Person]:
    if not viewer.is_authenticated:
        return Person.objects.none()
    if viewer.county_wide:
        return Person.objects.all()
    scope = staffing_scope_q(viewer, prefix="organisation__")
    assert scope is not None
    member_ids = Membership.objects.filter(scope).values("person_id")
    staff_ids = StaffAssignment.objects.filter(scope, ended_on__isnull=True).values("person_id")
    return Person.objects.filter(Q(pk__in=member_ids) | Q(pk__in=staff_ids) | Q(pk=viewer.person_id or 0))


def people(viewer: Viewer, *, q: str | None = None, organisation: str | None = None) -> QuerySet[Person]:
    qs = visible_people(viewer)
    if q:
        qs = qs.filter(name__icontains=q)
    if organisation:
        qs = qs.filter(Q(memberships__organisation__code=organisation)
                       | Q(assignments__organisation__code=organisation, assignments__ended_on__isnull=True))
    current = StaffAssignment.objects.filter(ended_on__isnull=True).select_related("organisation")
    return qs.distinct().prefetch_related(
        Prefetch("assignments", queryset=current, to_attr="current_assignments")
    ).order_by("name", "id")


def person_detail(viewer: Viewer, person_id: int) -> Person:
    person = visible_people(viewer).filter(pk=person_id).first()
    if person is None:
        raise NotFound(_("No such person."))
    return person


def personal_data(viewer: Viewer, person: Person, *, reveal: bool = False) -> dict[str, Any]:
    """ID number and phone: masked by default for everyone (lists, API, pages); unmasked only when a role that
    needs them (the establishment office) asks to reveal this one record — the caller then audits the reveal
    with its purpose (services.person_personal_data_viewed)."""
    if reveal and sees_personal_data(viewer):
        return {"id_number": person.id_number, "phone": person.phone, "masked": False}
    return masked_personal_data(person.id_number, person.phone)


def masked_personal_data(id_number: str, phone: str) -> dict[str, Any]:
    return {"id_number": mask_id_number(id_number), "phone": mask_phone(phone), "masked": True}


def people_values(qs: QuerySet[Person]) -> QuerySet[Person, Any]:
    """people() as plain rows (id, name, id_number, phone; the list's order and keyset kept), for the API."""
    return qs.prefetch_related(None).values("id", "name", "id_number", "phone")


def current_slots(person_ids: list[int]) -> dict[int, dict[str, Any]]:
    """person id → a current staff assignment (the first the database gives, as people()'s prefetch), as the API
    shows it (one query)."""
    out: dict[int, dict[str, Any]] = {}
    if person_ids:
        for a in (StaffAssignment.objects.filter(ended_on__isnull=True, person_id__in=person_ids)
                  .values("person_id", "pk", "organisation__code", "organisation__name", "kind", "post",
                          "is_leadership")):
            out.setdefault(a["person_id"], {
                "assignment_id": a["pk"], "organisation": a["organisation__code"],
                "organisation_name": a["organisation__name"], "kind": a["kind"], "post": a["post"],
                "is_leadership": a["is_leadership"]})
    return out


def person_page(viewer: Viewer, person_id: int, *, reveal: bool = False) -> dict[str, Any]:
    person = person_detail(viewer, person_id)
    return {
        "person": person,
        "personal": personal_data(viewer, person, reveal=reveal),
        "can_reveal": sees_personal_data(viewer),
        "memberships": list(person.memberships.select_related("organisation", "division").order_by("role")),
        "assignments": list(person.assignments.select_related("organisation").order_by("-started_on", "-id")),
        "certificates": list(with_state(person.certificates.prefetch_related("domains")).order_by("-expires_on")),
    }


# --------------------------------------------------------------------------- certificates


def certificate_state(cert: Certificate, today: dt.date | None = None) -> str:
    today = today or timezone.localdate()
    if cert.revoked_on is not None:
        return CertificateState.REVOKED
    if cert.expires_on < today:
        return CertificateState.EXPIRED
    if cert.expires_on <= today + dt.timedelta(days=CERTIFICATE_EXPIRING_DAYS):
        return CertificateState.EXPIRING
    return CertificateState.VALID


def with_state(qs: QuerySet[Certificate], today: dt.date | None = None) -> QuerySet[Certificate]:
    today = today or timezone.localdate()
    soon = today + dt.timedelta(days=CERTIFICATE_EXPIRING_DAYS)
    return qs.annotate(
        state=Case(
            When(revoked_on__isnull=False, then=Value(CertificateState.REVOKED.value)),
            When(expires_on__lt=today, then=Value(CertificateState.EXPIRED.value)),
            When(expires_on__lte=soon, then=Value(CertificateState.EXPIRING.value)),
            default=Value(CertificateState.VALID.value),
            output_field=CharField(),
        )
    )


def visible_certificates(viewer: Viewer) -> QuerySet[Certificate]:
    qs = Certificate.objects.select_related("holder")
    if not viewer.is_authenticated:
        return qs.none()
    if not viewer.county_wide:
        qs = qs.filter(holder__in=visible_people(viewer))
    return qs


def certificates(
    viewer: Viewer, *, state: str | None = None, domain: str | None = None, q: str | None = None,
    today: dt.date | None = None,
) -> QuerySet[Certificate]:
    qs = with_state(visible_certificates(viewer), today)
    if state:
        qs = qs.filter(**{"state": state})  # the annotation from with_state()
    if domain:
        qs = qs.filter(domains__code=domain)
    if q:
        qs = qs.filter(Q(number__icontains=q) | Q(holder__name__icontains=q))
    return qs.prefetch_related("domains").distinct().order_by("expires_on", "id")


def certificate_detail(viewer: Viewer, certificate_id: int) -> Certificate:
    cert = with_state(visible_certificates(viewer)).filter(pk=certificate_id).first()
    if cert is None:
        raise NotFound(_("No such certificate."))
    return cert


def holds_valid_certificate(person_id: int, domain_code: str | None = None, on: dt.date | None = None) -> bool:
    """For enforcement: does the person hold an unrevoked, unexpired certificate (for the domain)?"""
    on = on or timezone.localdate()
    qs = Certificate.objects.filter(holder_id=person_id, revoked_on__isnull=True, issued_on__lte=on,
                                    expires_on__gte=on)
    if domain_code:
        qs = qs.filter(domains__code=domain_code)
    return qs.exists()


# --------------------------------------------------------------------------- home


def home_cards(viewer: Viewer) -> list[dict[str, Any]]:
    if not viewer.is_authenticated:
        return []
    cards: list[dict[str, Any]] = [
        {"label": _("Organisations"), "value": visible_organisations(viewer).count(), "url_name": "org:organisations"},
    ]
    if viewer.county_wide:
        report = staffing_report(viewer)
        over_units = sum(1 for u in report.units if u.staffing.state == StaffingState.OVER)
        cards.append({"label": _("Units over establishment"), "value": over_units, "url_name": "org:staffing"})
        expiring = certificates(viewer, state=CertificateState.EXPIRING).count()
        cards.append({"label": _("Certificates expiring within 90 days"), "value": expiring,
                      "url_name": "org:certificates"})
    return cards


CERTIFICATE_FIELDS = ("id", "number", "holder_id", "holder__name", "issued_on", "expires_on", "revoked_on", "issuer",
                      "state")


def certificate_values(qs: QuerySet[Certificate]) -> QuerySet[Certificate, Any]:
    """certificates() as plain rows (CERTIFICATE_FIELDS; the list's order and keyset kept), for the API."""
    return qs.prefetch_related(None).values(*CERTIFICATE_FIELDS)


def certificate_domain_codes(ids: list[int]) -> dict[int, list[str]]:
    """certificate id → its domains' codes, sorted (one query)."""
    out: dict[int, list[str]] = {pk: [] for pk in ids}
    if ids:
        for cert_id, code in (Certificate.domains.through.objects.filter(certificate_id__in=ids)
                              .values_list("certificate_id", "domain__code")):
            out[cert_id].append(code)
    for codes in out.values():
        codes.sort()
    return out
