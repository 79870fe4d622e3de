"""Django admin for superusers. Day-to-day registry writes go through the pages (services + audit)."""

from django.contrib import admin

from .models import (
    Certificate,
    Division,
    EstablishmentQuota,
    Membership,
    Organisation,
    Person,
    StaffAssignment,
)


@admin.register(Division)
class DivisionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "level", "kind", "parent"]
    list_filter = ["level", "kind"]
    search_fields = ["code", "name"]
    raw_id_fields = ["parent", "township"]


class QuotaInline(admin.TabularInline):
    model = EstablishmentQuota
    extra = 0


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "parent", "division", "counts_toward_limit", "is_active"]
    list_filter = ["kind", "counts_toward_limit", "is_active"]
    search_fields = ["code", "name", "short_name"]
    raw_id_fields = ["parent", "division"]
    inlines = [QuotaInline]


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    raw_id_fields = ["organisation", "division"]


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ["name", "user"]
    search_fields = ["name"]
    raw_id_fields = ["user"]
    inlines = [MembershipInline]


@admin.register(StaffAssignment)
class StaffAssignmentAdmin(admin.ModelAdmin):
    list_display = ["person", "organisation", "kind", "post", "is_leadership", "started_on", "ended_on"]
    list_filter = ["kind", "is_leadership"]
    search_fields = ["person__name", "organisation__name", "post"]
    raw_id_fields = ["person", "organisation"]


@admin.register(Certificate)
class CertificateAdmin(admin.ModelAdmin):
    list_display = ["number", "holder", "issued_on", "expires_on", "revoked_on"]
    search_fields = ["number", "holder__name"]
    raw_id_fields = ["holder"]
    filter_horizontal = ["domains"]
