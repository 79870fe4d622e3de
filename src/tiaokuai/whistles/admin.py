from django.contrib import admin

from .models import Attachment, Dispatch, DispatchNote, Dispute, Escalation, Rating, Whistle, WhistleItem


@admin.register(WhistleItem)
class WhistleItemAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "domain", "whistle_class", "matter_code", "release"]
    list_filter = ["release", "domain", "whistle_class"]
    search_fields = ["code", "name", "matter_code"]


class DispatchInline(admin.TabularInline):
    model = Dispatch
    extra = 0
    fields = ["organisation", "role", "status", "outcome", "respond_by", "arrive_by", "resolve_by",
              "escalation_level", "next_check_at"]
    readonly_fields = fields
    can_delete = False


@admin.register(Whistle)
class WhistleAdmin(admin.ModelAdmin):
    """Read-only for superusers: every change goes through the services (and the audit log)."""

    list_display = ["number", "status", "item", "township", "village", "urgency", "raised_at"]
    list_filter = ["status", "urgency", "township"]
    search_fields = ["number", "description"]
    inlines = [DispatchInline]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


for model in (Dispatch, DispatchNote, Attachment, Dispute, Rating, Escalation):
    admin.site.register(model, type(f"{model.__name__}Admin", (admin.ModelAdmin,), {
        "has_change_permission": lambda self, request, obj=None: False,
        "has_add_permission": lambda self, request: False,
    }))
