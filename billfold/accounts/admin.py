"""Portal users and platform staff in the Django admin.

Accounts are made by enrollment (customers) or ``createsuperuser`` (staff), so
the admin lists, searches and edits them but does not add them. The password
hash is never shown; passwords change through the account's own flows.
"""

from django.contrib import admin
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from billfold.accounts.models import User
from billfold.audit.services import event_record


@admin.register(User)
class UserAdmin(admin.ModelAdmin):
    list_display = [
        "username",
        "email",
        "biller",
        "email_verified",
        "is_active",
        "is_staff",
        "last_login",
        "date_joined",
    ]
    list_filter = [
        "biller",
        "is_active",
        "is_staff",
        "email_verified",
        "setup_required",
    ]
    list_select_related = ["biller"]
    search_fields = ["username", "email", "first_name", "last_name", "customer__number"]
    search_help_text = _("Username, email, name or customer number.")
    raw_id_fields = ["customer"]
    filter_horizontal = ["groups", "user_permissions"]
    exclude = ["password"]
    readonly_fields = ["last_login", "date_joined", "password_changed_at"]
    list_per_page = 50
    show_full_result_count = False

    def get_readonly_fields(self, request, obj=None):
        fields = list(self.readonly_fields)
        if obj is not None:
            # A user belongs to one biller for life: usernames are unique per biller.
            fields.append("biller")
        return fields

    def has_add_permission(self, request):
        return False

    def save_model(self, request, obj, form, change):
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            event_record(
                biller=obj.biller,
                actor_kind="admin",
                actor_id=request.user.pk,
                action="account.admin_changed",
                target=obj,
                request=request,
                details={"fields": sorted(form.changed_data)},
            )
