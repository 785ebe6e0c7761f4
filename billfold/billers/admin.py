"""Biller settings in the Django admin, grouped as a biller administrator thinks of them."""

from django import forms
from django.contrib import admin
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from billfold.audit.services import event_record
from billfold.billers.models import LANGUAGE_CHOICES, Biller, EnrollmentMethod

admin.site.site_header = _("Billfold administration")
admin.site.site_title = _("Billfold administration")
admin.site.index_title = _("Billers, billing records and accounts")


class BillerAdminForm(forms.ModelForm):
    languages = forms.MultipleChoiceField(
        label=_("Languages"),
        choices=LANGUAGE_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The portal is offered in these languages."),
    )
    enrollment_methods = forms.MultipleChoiceField(
        label=_("Enrollment methods"),
        choices=EnrollmentMethod.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_(
            "How customers register online. With none, portal access is set up "
            "by the billing office."
        ),
    )
    placeholder_emails = forms.CharField(
        label=_("Placeholder emails"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_(
            "One address per line: filler addresses in the billing system. They "
            "never match a customer and never receive mail."
        ),
    )

    class Meta:
        model = Biller
        fields = [
            "slug",
            "name",
            "country",
            "currency",
            "timezone",
            "brand_color",
            "tagline",
            "languages",
            "default_language",
            "enrollment_methods",
            "require_address_of_record",
            "terms_version",
            "terms_text",
            "password_min_length",
            "password_max_length",
            "password_min_letters",
            "password_min_digits",
            "password_history",
            "security_question_count",
            "temporary_password_hours",
            "session_idle_minutes",
            "session_absolute_hours",
            "contact_email",
            "support_phone",
            "support_hours",
            "placeholder_emails",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["placeholder_emails"] = "\n".join(
                self.instance.placeholder_emails or []
            )

    def clean_placeholder_emails(self) -> list[str]:
        addresses: list[str] = []
        for line in self.cleaned_data["placeholder_emails"].splitlines():
            address = line.strip()
            if not address:
                continue
            try:
                validate_email(address)
            except forms.ValidationError:
                raise forms.ValidationError(
                    gettext("%(address)s is not an email address."),
                    params={"address": address},
                    code="invalid",
                ) from None
            if address.lower() not in (a.lower() for a in addresses):
                addresses.append(address)
        return addresses

    def clean(self):
        cleaned = super().clean()
        languages = cleaned.get("languages") or []
        default = cleaned.get("default_language")
        if languages and default and default not in languages:
            self.add_error(
                "default_language",
                gettext("The default language must be one of the portal's languages."),
            )
        return cleaned


@admin.register(Biller)
class BillerAdmin(admin.ModelAdmin):
    form = BillerAdminForm
    list_display = [
        "name",
        "slug",
        "country",
        "currency",
        "default_language",
        "security_question_count",
        "password_min_length",
    ]
    list_filter = ["country", "default_language", "security_question_count"]
    search_fields = ["name", "slug"]
    readonly_fields = ["created_at"]
    fieldsets = [
        (
            _("Identity"),
            {"fields": ["slug", "name", "country", "currency", "timezone"]},
        ),
        (_("Branding"), {"fields": ["brand_color", "tagline"]}),
        (_("Languages"), {"fields": ["languages", "default_language"]}),
        (
            _("Enrollment"),
            {
                "fields": [
                    "enrollment_methods",
                    "require_address_of_record",
                    "terms_version",
                    "terms_text",
                ]
            },
        ),
        (
            _("Password policy"),
            {
                "fields": [
                    "password_min_length",
                    "password_max_length",
                    "password_min_letters",
                    "password_min_digits",
                    "password_history",
                    "security_question_count",
                    "temporary_password_hours",
                ]
            },
        ),
        (_("Sessions"), {"fields": ["session_idle_minutes", "session_absolute_hours"]}),
        (
            _("Support"),
            {
                "fields": [
                    "contact_email",
                    "support_phone",
                    "support_hours",
                    "placeholder_emails",
                    "created_at",
                ]
            },
        ),
    ]

    def get_readonly_fields(self, request, obj=None):
        # The slug is in every portal address and sign-in: fixed once made.
        if obj is not None:
            return [*self.readonly_fields, "slug"]
        return self.readonly_fields

    def save_model(self, request, obj, form, change):
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            event_record(
                biller=obj,
                actor_kind="admin",
                actor_id=request.user.pk,
                action="biller.updated" if change else "biller.created",
                target=obj,
                request=request,
                details={"fields": sorted(form.changed_data)},
            )

    def has_delete_permission(self, request, obj=None):
        # Billing records, users and the activity log all hang on the biller.
        return False
