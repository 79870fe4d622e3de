from django.contrib import admin, messages
from django.utils.translation import gettext as _

from . import services
from .models import Open311Client, Request


@admin.register(Open311Client)
class Open311ClientAdmin(admin.ModelAdmin):
    """Admins add a client here; its key is shown once, in the message after saving."""

    list_display = ("name", "key_prefix", "rate_per_minute", "is_active", "created_at")
    fields = ("name", "rate_per_minute", "is_active")

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        client, key = services.new_open311_client(actor=request.user, name=obj.name,
                                                  rate_per_minute=obj.rate_per_minute)
        obj.pk = client.pk
        messages.warning(request, _("The Open311 key of %(name)s (shown only now): %(key)s") % {
            "name": client.name, "key": key})


@admin.register(Request)
class RequestAdmin(admin.ModelAdmin):
    list_display = ("number", "channel", "status", "township", "submitted_at")
    list_filter = ("status", "channel")
    search_fields = ("number",)
    exclude = ("citizen_name", "citizen_phone")

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False
