"""The biller (tenant) and its portal settings."""

import zoneinfo

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class Country(models.TextChoices):
    US = "US", _("United States")
    CA = "CA", _("Canada")


class EnrollmentMethod(models.TextChoices):
    E1_AGREEMENT_INVOICE_ZIP = "E1", _("Agreement, invoice and ZIP code")
    E2_EMAIL_POSTAL_CONTRACT = "E2", _("Email, billing postal code and contract")
    E3_EMAIL_LINK = "E3", _("Email sign-up link")
    E4_ACCOUNT_LOCATOR = "E4", _("Account locator")
    E5_AFTER_PAYMENT = "E5", _("Register after a one-time payment")


LANGUAGE_CHOICES = [("en", "English"), ("es", "Español")]


def validate_timezone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(
            _("%(value)s is not a known time zone."), params={"value": value}
        )


def validate_languages(value) -> None:
    codes = {code for code, _name in LANGUAGE_CHOICES}
    if not isinstance(value, list) or not value or any(v not in codes for v in value):
        raise ValidationError(_("Choose one or more of: en, es."))


def validate_methods(value) -> None:
    if not isinstance(value, list) or any(
        v not in EnrollmentMethod.values for v in value
    ):
        raise ValidationError(_("Unknown enrollment method."))


def validate_email_list(value) -> None:
    if not isinstance(value, list) or any(
        not isinstance(v, str) or "@" not in v for v in value
    ):
        raise ValidationError(_("Give a list of email addresses."))


def default_languages() -> list[str]:
    return ["en"]


class Biller(models.Model):
    slug = models.SlugField(_("slug"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    country = models.CharField(
        _("country"), max_length=2, choices=Country.choices, default=Country.US
    )
    currency = models.CharField(_("currency"), max_length=3, default="USD")
    timezone = models.CharField(
        _("time zone"),
        max_length=64,
        default="America/New_York",
        validators=[validate_timezone],
    )
    languages = models.JSONField(
        _("languages"), default=default_languages, validators=[validate_languages]
    )
    default_language = models.CharField(
        _("default language"), max_length=5, choices=LANGUAGE_CHOICES, default="en"
    )
    brand_color = models.CharField(
        _("brand colour"),
        max_length=7,
        default="#1f4e79",
        validators=[
            RegexValidator(r"^#[0-9a-fA-F]{6}$", _("Use a colour like #1f4e79."))
        ],
    )
    tagline = models.CharField(_("tagline"), max_length=200, blank=True)
    enrollment_methods = models.JSONField(
        _("enrollment methods"), default=list, blank=True, validators=[validate_methods]
    )
    # Password policy. The default is NIST SP 800-63B style: long, no composition rules.
    password_min_length = models.PositiveSmallIntegerField(
        _("minimum password length"),
        default=15,
        validators=[MinValueValidator(8), MaxValueValidator(64)],
    )
    password_max_length = models.PositiveSmallIntegerField(
        _("maximum password length"),
        default=128,
        validators=[MinValueValidator(64), MaxValueValidator(1024)],
    )
    password_min_letters = models.PositiveSmallIntegerField(
        _("minimum letters"), default=0
    )
    password_min_digits = models.PositiveSmallIntegerField(
        _("minimum digits"), default=0
    )
    password_history = models.PositiveSmallIntegerField(
        _("previous passwords that may not be reused"),
        default=0,
        validators=[MaxValueValidator(24)],
    )
    security_question_count = models.PositiveSmallIntegerField(
        _("security questions"), default=0, validators=[MaxValueValidator(3)]
    )
    temporary_password_hours = models.PositiveSmallIntegerField(
        _("temporary password lifetime (hours)"),
        default=72,
        validators=[MinValueValidator(1)],
    )
    session_idle_minutes = models.PositiveSmallIntegerField(
        _("sign out after idle (minutes)"),
        default=30,
        validators=[MinValueValidator(5)],
    )
    session_absolute_hours = models.PositiveSmallIntegerField(
        _("sign out after (hours)"), default=12, validators=[MinValueValidator(1)]
    )
    terms_version = models.CharField(
        _("terms and conditions version"), max_length=40, default="1"
    )
    terms_text = models.TextField(_("terms and conditions"), blank=True)
    contact_email = models.EmailField(_("contact-us address"), blank=True)
    support_phone = models.CharField(_("support phone"), max_length=40, blank=True)
    support_hours = models.CharField(_("support hours"), max_length=200, blank=True)
    placeholder_emails = models.JSONField(
        _("placeholder emails"),
        default=list,
        blank=True,
        validators=[validate_email_list],
        help_text=_(
            "Filler addresses in the billing system; they never match and never receive mail."
        ),
    )
    require_address_of_record = models.BooleanField(
        _("enrollment email must be an address of record"), default=True
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("biller")
        verbose_name_plural = _("billers")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(security_question_count__lte=3),
                name="biller_security_questions_0_3",
            ),
            models.CheckConstraint(
                condition=models.Q(password_max_length__gte=64),
                name="biller_password_max_at_least_64",
            ),
            models.CheckConstraint(
                condition=models.Q(password_min_length__gte=8)
                & models.Q(password_min_length__lte=models.F("password_max_length")),
                name="biller_password_min_length_sane",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def tzinfo(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)

    @property
    def placeholder_set(self) -> frozenset[str]:
        return frozenset(e.strip().lower() for e in self.placeholder_emails)
