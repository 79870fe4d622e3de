from django.db import models
from django.utils.translation import gettext_lazy as _


class DivisionLevel(models.TextChoices):
    COUNTY = "county", _("County")
    TOWNSHIP = "township", _("Township")
    VILLAGE = "village", _("Village / community")
    GRID = "grid", _("Grid")


# Parent level each level hangs under.
PARENT_LEVEL = {
    DivisionLevel.TOWNSHIP: DivisionLevel.COUNTY,
    DivisionLevel.VILLAGE: DivisionLevel.TOWNSHIP,
    DivisionLevel.GRID: DivisionLevel.VILLAGE,
}


class DivisionKind(models.TextChoices):
    COUNTY = "county", _("County")
    TOWN = "town", _("Town (镇)")
    TOWNSHIP = "township", _("Township (乡)")
    SUBDISTRICT = "subdistrict", _("Subdistrict (街道)")
    VILLAGE = "village", _("Village (村)")
    COMMUNITY = "community", _("Community (社区)")
    GRID = "grid", _("Grid")


class OrganisationKind(models.TextChoices):
    COUNTY_DEPARTMENT = "county_department", _("County department")
    TOWNSHIP = "township", _("Township government")
    TOWNSHIP_OFFICE = "township_office", _("Township internal office")
    PUBLIC_INSTITUTION = "public_institution", _("Public institution")
    STATIONED_AGENCY = "stationed_agency", _("Stationed agency")


# The bodies a township's staff work for: the township government and its internal offices.
TOWNSHIP_BODY_KINDS = (OrganisationKind.TOWNSHIP, OrganisationKind.TOWNSHIP_OFFICE)


class EstablishmentKind(models.TextChoices):
    ADMINISTRATIVE = "administrative", _("Administrative establishment")
    INSTITUTION = "institution", _("Public-institution establishment")
    SUPPORT = "support", _("Support staff establishment")


class Role(models.TextChoices):
    ESTABLISHMENT_OFFICE = "establishment_office", _("Establishment office")
    DEPARTMENT = "department", _("County department staff")
    TOWNSHIP = "township", _("Township staff")
    OFFICER = "officer", _("Enforcement officer")
    GRID_WORKER = "grid_worker", _("Grid worker")
    PROXY_AGENT = "proxy_agent", _("Proxy agent")
    LEADER = "leader", _("Leader / command centre")
    HOTLINE = "hotline", _("Hotline operator")
    SUPERVISION = "supervision", _("Supervision office")
    CITIZEN = "citizen", _("Citizen")


# Roles that see the whole county.
COUNTY_WIDE_ROLES = {Role.ESTABLISHMENT_OFFICE, Role.LEADER, Role.SUPERVISION}
# Roles whose scope is a division (a township, a village, a grid) rather than their organisation.
DIVISION_ROLES = {Role.TOWNSHIP, Role.GRID_WORKER, Role.PROXY_AGENT}


class StaffingState(models.TextChoices):
    OK = "ok", _("Within establishment")
    VACANT = "vacant", _("Vacancies")
    OVER = "over", _("Over establishment")


class CertificateState(models.TextChoices):
    VALID = "valid", _("Valid")
    EXPIRING = "expiring", _("Expiring soon")
    EXPIRED = "expired", _("Expired")
    REVOKED = "revoked", _("Revoked")


# A certificate expiring within this many days is "expiring soon".
CERTIFICATE_EXPIRING_DAYS = 90

# Status tag CSS classes (static/css/tiaokuai.css), the same colours everywhere:
# over-establishment and expired red, vacancies and expiring amber, fine green.
STATE_BADGE = {
    StaffingState.OK: "status-done",
    StaffingState.VACANT: "status-due-soon",
    StaffingState.OVER: "status-overdue",
    CertificateState.VALID: "status-done",
    CertificateState.EXPIRING: "status-due-soon",
    CertificateState.EXPIRED: "status-overdue",
    CertificateState.REVOKED: "status-muted",
}

# Which organisation kinds may hang under which parent kind (None: no parent).
ALLOWED_PARENT_KINDS: dict[str, set[str | None]] = {
    OrganisationKind.COUNTY_DEPARTMENT: {None},
    OrganisationKind.TOWNSHIP: {None},
    OrganisationKind.TOWNSHIP_OFFICE: {OrganisationKind.TOWNSHIP},
    OrganisationKind.PUBLIC_INSTITUTION: {None, OrganisationKind.TOWNSHIP, OrganisationKind.COUNTY_DEPARTMENT},
    OrganisationKind.STATIONED_AGENCY: {OrganisationKind.COUNTY_DEPARTMENT},
}

# Which division level an organisation of each kind serves.
ALLOWED_DIVISION_LEVELS: dict[str, set[str]] = {
    OrganisationKind.COUNTY_DEPARTMENT: {DivisionLevel.COUNTY},
    OrganisationKind.TOWNSHIP: {DivisionLevel.TOWNSHIP},
    OrganisationKind.TOWNSHIP_OFFICE: {DivisionLevel.TOWNSHIP},
    OrganisationKind.PUBLIC_INSTITUTION: {DivisionLevel.COUNTY, DivisionLevel.TOWNSHIP},
    OrganisationKind.STATIONED_AGENCY: {DivisionLevel.TOWNSHIP},
}
