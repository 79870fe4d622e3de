from django.contrib import admin

from .models import Assignment, Domain, ListRelease, Matter, ProcessStep


@admin.register(Domain)
class DomainAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "order"]
    search_fields = ["code", "name"]


@admin.register(ListRelease)
class ListReleaseAdmin(admin.ModelAdmin):
    """Read-only: releases change only through the services (drafts, publishing)."""

    list_display = ["kind", "number", "title", "status", "effective_from", "published_at"]
    list_filter = ["kind", "status"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class AssignmentInline(admin.TabularInline):
    model = Assignment
    extra = 0
    can_delete = False


class StepInline(admin.TabularInline):
    model = ProcessStep
    extra = 0
    can_delete = False


@admin.register(Matter)
class MatterAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "domain", "kind", "release"]
    list_filter = ["release", "domain", "kind"]
    search_fields = ["code", "name", "keywords"]
    inlines = [AssignmentInline, StepInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
