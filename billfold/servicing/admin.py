"""Billing records in the Django admin.

Billing records belong to the biller's servicing system, and the import is the
one path that writes them: it checks each row, keeps the email index that
enrollment reads, and records the change in the activity log. So an edit made
here is turned into an import row and goes through ``import_rows`` (checked
first, so a bad value is shown next to its field). Payments, their allocations
and the email index are shown read-only; nothing is deleted from here.

Lists stay fast at hundreds of thousands of rows: related records are joined in
the list query, foreign keys are entered by id, and the exact total is not
counted on every search.
"""

import copy
from typing import Any

from django import forms
from django.contrib import admin
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from billfold.servicing import models as sm
from billfold.servicing.importing import import_rows
from billfold.servicing.importing_records import SPECS, FieldInvalid


class ImportedRecordForm(forms.ModelForm):
    """Checks an edit exactly as the import would check the same row."""

    record_admin: "ImportedRecordAdmin | None" = None

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        record_admin = self.record_admin
        if record_admin is None or self.errors:
            return cleaned
        # The record as it would be saved, without touching the form's instance.
        obj = copy.copy(self.instance)
        for name, value in cleaned.items():
            setattr(obj, name, value)
        if obj.biller_id is None:
            return cleaned
        for name in record_admin.same_biller_fields:
            related = getattr(obj, name, None)
            if related is not None and related.biller_id != obj.biller_id:
                self.add_error(
                    name if name in self.fields else None,
                    gettext("Choose a record of the same biller."),
                )
        if self.errors:
            return cleaned
        spec = SPECS[record_admin.record_type]
        try:
            spec.parse(1, spec.row_of(obj), obj.biller)
        except FieldInvalid as exc:
            field = spec.model_field(exc.field)
            if field in self.fields:
                self.add_error(field, exc.reason)
            else:
                self.add_error(None, f"{exc.field}: {exc.reason}")
        return cleaned


class BillingRecordAdmin(admin.ModelAdmin):
    list_per_page = 50
    show_full_result_count = False
    list_select_related = ["biller"]
    readonly_fields = ["created_at", "updated_at"]

    def has_delete_permission(self, request, obj=None):
        return False


class ImportedRecordAdmin(BillingRecordAdmin):
    """Saves through the import, as the row the import's own spec makes of it."""

    form = ImportedRecordForm
    record_type = ""
    same_biller_fields: tuple[str, ...] = ()

    @property
    def key_field(self) -> str:
        return SPECS[self.record_type].key_column

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        form.record_admin = self
        return form

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None:
            # The natural key and the biller identify the record in the import.
            fields += ["biller", self.key_field]
        return fields

    def save_model(self, request, obj, form, change):
        import_rows(
            biller=obj.biller,
            record_type=self.record_type,
            rows=[(1, SPECS[self.record_type].row_of(obj))],
            actor_kind="admin",
            actor_id=str(request.user.pk),
            source="admin",
            request=request,
        )
        stored = self.model.objects.get(
            biller=obj.biller, **{self.key_field: getattr(obj, self.key_field)}
        )
        obj.pk = stored.pk
        obj.refresh_from_db()


class ReadOnlyInline(admin.TabularInline):
    """Related rows shown for reading; they are changed through their own page."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ContactInline(ReadOnlyInline):
    model = sm.Contact
    fk_name = "customer"
    fields = readonly_fields = ("external_id", "name", "email_raw", "phone")
    show_change_link = True


class ContractInline(ReadOnlyInline):
    model = sm.Contract
    fk_name = "customer"
    fields = readonly_fields = (
        "number",
        "status",
        "in_service_approved",
        "billing_postal_code",
    )
    show_change_link = True


@admin.register(sm.Customer)
class CustomerAdmin(ImportedRecordAdmin):
    record_type = "customers"
    list_display = ["number", "name", "email_raw", "phone", "biller"]
    list_filter = ["biller"]
    search_fields = ["number", "name", "email_raw", "phone"]
    search_help_text = _("Customer number, name, email or phone.")
    fields = [
        "biller",
        "number",
        "name",
        "email_raw",
        "phone",
        "created_at",
        "updated_at",
    ]
    inlines = [ContactInline, ContractInline]


@admin.register(sm.Contact)
class ContactAdmin(ImportedRecordAdmin):
    record_type = "contacts"
    same_biller_fields = ("customer",)
    list_display = ["external_id", "name", "email_raw", "customer", "biller"]
    list_filter = ["biller"]
    list_select_related = ["biller", "customer"]
    search_fields = ["external_id", "name", "email_raw", "customer__number"]
    search_help_text = _("Contact id, name, email or customer number.")
    raw_id_fields = ["customer"]
    fields = ["biller", "external_id", "customer", "name", "email_raw", "phone"]


@admin.register(sm.Contract)
class ContractAdmin(ImportedRecordAdmin):
    record_type = "contracts"
    same_biller_fields = ("customer",)
    list_display = [
        "number",
        "customer",
        "status",
        "in_service_approved",
        "billing_postal_code",
        "paperless",
        "biller",
    ]
    list_filter = ["biller", "status", "in_service_approved", "paperless"]
    list_select_related = ["biller", "customer"]
    search_fields = [
        "number",
        "customer__number",
        "customer__name",
        "bill_to_email_raw",
    ]
    search_help_text = _("Contract number, customer number or name, bill-to email.")
    raw_id_fields = ["customer"]
    fieldsets = [
        (None, {"fields": ["biller", "number", "customer", "status"]}),
        (_("In service"), {"fields": ["in_service_approved", "in_service_date"]}),
        (
            _("Billing address"),
            {"fields": ["billing_address", "billing_country", "billing_postal_code"]},
        ),
        (
            _("Bill-to location"),
            {"fields": ["bill_to_name", "bill_to_email_raw", "paperless"]},
        ),
        (None, {"fields": ["created_at", "updated_at"]}),
    ]


@admin.register(sm.Invoice)
class InvoiceAdmin(ImportedRecordAdmin):
    record_type = "invoices"
    same_biller_fields = ("contract",)
    list_display = [
        "number",
        "contract",
        "issue_date",
        "due_date",
        "amount",
        "open_balance",
        "delivery_status",
        "biller",
    ]
    list_filter = ["biller", "delivery_status"]
    list_select_related = ["biller", "contract"]
    search_fields = ["number", "contract__number"]
    search_help_text = _("Invoice number or contract number.")
    raw_id_fields = ["contract"]
    fields = [
        "biller",
        "number",
        "contract",
        "issue_date",
        "due_date",
        "amount",
        "open_balance",
        "delivery_status",
        "lines",
        "created_at",
        "updated_at",
    ]


class PaymentAllocationInline(ReadOnlyInline):
    model = sm.PaymentAllocation
    fk_name = "payment"
    fields = readonly_fields = ("invoice", "amount")


@admin.register(sm.Payment)
class PaymentAdmin(BillingRecordAdmin):
    """Payments are money received: recorded by the import or the portal, never edited."""

    list_display = [
        "reference",
        "contract",
        "received_on",
        "amount",
        "method",
        "biller",
    ]
    list_filter = ["biller", "method"]
    list_select_related = ["biller", "contract"]
    search_fields = ["reference", "contract__number"]
    search_help_text = _("Payment reference or contract number.")
    raw_id_fields = ["contract"]
    fields = ["biller", "reference", "contract", "received_on", "amount", "method"]
    inlines = [PaymentAllocationInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(sm.Credit)
class CreditAdmin(ImportedRecordAdmin):
    record_type = "credits"
    same_biller_fields = ("contract",)
    list_display = [
        "reference",
        "contract",
        "issued_on",
        "amount",
        "open_amount",
        "biller",
    ]
    list_filter = ["biller"]
    list_select_related = ["biller", "contract"]
    search_fields = ["reference", "contract__number"]
    search_help_text = _("Credit reference or contract number.")
    raw_id_fields = ["contract"]
    fields = [
        "biller",
        "reference",
        "contract",
        "issued_on",
        "amount",
        "open_amount",
        "reason",
        "created_at",
        "updated_at",
    ]


@admin.register(sm.ServiceVisit)
class ServiceVisitAdmin(ImportedRecordAdmin):
    record_type = "service-visits"
    same_biller_fields = ("contract",)
    list_display = [
        "reference",
        "contract",
        "scheduled_for",
        "status",
        "service",
        "biller",
    ]
    list_filter = ["biller", "status"]
    list_select_related = ["biller", "contract"]
    search_fields = ["reference", "contract__number", "service"]
    search_help_text = _("Visit reference, contract number or service.")
    raw_id_fields = ["contract"]
    fields = [
        "biller",
        "reference",
        "contract",
        "scheduled_for",
        "status",
        "service",
        "notes",
        "created_at",
        "updated_at",
    ]


@admin.register(sm.EmailIndex)
class EmailIndexAdmin(admin.ModelAdmin):
    """What enrollment matches against; kept by the import, read-only here."""

    list_display = ["address", "source", "customer", "contact", "contract", "biller"]
    list_filter = ["biller", "source"]
    list_select_related = ["biller", "customer", "contact", "contract"]
    search_fields = ["^address", "customer__number"]
    search_help_text = _("Start of the address, or customer number.")
    list_per_page = 50
    show_full_result_count = False
    fields = readonly_fields = (
        "biller",
        "address",
        "source",
        "customer",
        "contact",
        "contract",
    )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
