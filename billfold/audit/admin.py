from django.contrib import admin

from billfold.audit.models import ActivityEvent


@admin.register(ActivityEvent)
class ActivityEventAdmin(admin.ModelAdmin):
    list_display = [
        "created_at",
        "biller",
        "actor_kind",
        "actor_id",
        "action",
        "outcome",
        "target_type",
        "target_id",
    ]
    list_filter = ["biller", "actor_kind", "outcome", "action"]
    search_fields = ["action", "actor_id", "target_id"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
