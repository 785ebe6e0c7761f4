"""Billing records pushed by the biller's servicing system.

Every row carries ``biller``; natural keys are unique per biller. Foreign keys
between billing records are declared without Django's constraint and guarded
in the database by ``SameBillerForeignKey`` (see the migrations), so that a row
can never point at a record of another biller.
"""

from decimal import Decimal

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

MONEY = {"max_digits": 14, "decimal_places": 2}
ZERO = Decimal("0.00")


def _fk(to: str, related_name: str, verbose_name, **kwargs) -> models.ForeignKey:
    return models.ForeignKey(
        to,
        on_delete=models.PROTECT,
        related_name=related_name,
        db_constraint=False,
        verbose_name=verbose_name,
        **kwargs,
    )


def _biller_fk(**kwargs) -> models.ForeignKey:
    """The biller of a record.

    No index of its own (every table's natural-key index starts with it) and,
    below the customer, no foreign key of its own either: the same-biller key
    to the parent row implies it. Each costs a bulk import about a tenth.
    """
    kwargs.setdefault("db_constraint", False)
    return models.ForeignKey(
        "billers.Biller",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("biller"),
        db_index=False,
        **kwargs,
    )


class BillerScoped(models.Model):
    biller = _biller_fk()
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        abstract = True


class Customer(BillerScoped):
    biller = _biller_fk(db_constraint=True)
    number = models.CharField(_("customer number"), max_length=40)
    name = models.CharField(_("name"), max_length=200)
    email_raw = models.CharField(
        _("email"),
        max_length=500,
        blank=True,
        help_text=_("As in the billing system; may hold several addresses."),
    )
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    # CPNI verification secret (PIN or passphrase), hashed like a password.
    cpni_secret_hash = models.CharField(
        _("CPNI secret (hashed)"), max_length=200, blank=True
    )

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        constraints = [
            models.UniqueConstraint(
                fields=["biller", "number"], name="customer_number_per_biller"
            ),
            models.UniqueConstraint(fields=["id", "biller"], name="customer_id_biller"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.name}"


class Contact(BillerScoped):
    customer = _fk("servicing.Customer", "contacts", _("customer"))
    external_id = models.CharField(_("contact id"), max_length=40)
    name = models.CharField(_("name"), max_length=200, blank=True)
    email_raw = models.CharField(_("email"), max_length=500, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        constraints = [
            models.UniqueConstraint(
                fields=["biller", "external_id"], name="contact_id_per_biller"
            ),
            models.UniqueConstraint(fields=["id", "biller"], name="contact_id_biller"),
        ]

    def __str__(self) -> str:
        return self.name or self.external_id


class ContractStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    BOOKED = "booked", _("Booked")
    TERMINATED = "terminated", _("Terminated")


class Contract(BillerScoped):
    customer = _fk("servicing.Customer", "contracts", _("customer"))
    number = models.CharField(_("contract number"), max_length=40)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=ContractStatus.choices,
        default=ContractStatus.PENDING,
    )
    in_service_approved = models.BooleanField(_("in-service approved"), default=False)
    in_service_date = models.DateField(_("in-service date"), null=True, blank=True)
    billing_address = models.CharField(_("billing address"), max_length=300, blank=True)
    billing_country = models.CharField(_("billing country"), max_length=2, default="US")
    billing_postal_code = models.CharField(
        _("billing postal code"), max_length=20, blank=True
    )
    bill_to_name = models.CharField(_("bill-to location"), max_length=200, blank=True)
    bill_to_email_raw = models.CharField(_("bill-to email"), max_length=500, blank=True)
    paperless = models.BooleanField(_("paperless"), default=False)

    class Meta:
        verbose_name = _("contract")
        verbose_name_plural = _("contracts")
        constraints = [
            models.UniqueConstraint(
                fields=["biller", "number"], name="contract_number_per_biller"
            ),
            models.UniqueConstraint(fields=["id", "biller"], name="contract_id_biller"),
            models.CheckConstraint(
                condition=Q(in_service_approved=False)
                | Q(in_service_date__isnull=False),
                name="contract_in_service_has_date",
            ),
        ]

    def __str__(self) -> str:
        return self.number


class DeliveryStatus(models.TextChoices):
    UNSENT = "unsent", _("Unsent")
    SENT = "sent", _("Sent")


class Invoice(BillerScoped):
    # Indexed by invoice_contract_status_idx, whose first column it is.
    contract = _fk("servicing.Contract", "invoices", _("contract"), db_index=False)
    number = models.CharField(_("invoice number"), max_length=40)
    issue_date = models.DateField(_("issue date"))
    due_date = models.DateField(_("due date"))
    amount = models.DecimalField(_("amount"), **MONEY)
    open_balance = models.DecimalField(_("open balance"), **MONEY)
    delivery_status = models.CharField(
        _("delivery status"),
        max_length=8,
        choices=DeliveryStatus.choices,
        default=DeliveryStatus.UNSENT,
    )
    lines = models.JSONField(_("lines"), default=list, blank=True)
    # Fingerprint of the import line this row was last written from; NULL when
    # it was written any other way. A re-run skips checking lines that match.
    import_digest = models.BinaryField(null=True, editable=False)

    class Meta:
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        constraints = [
            models.UniqueConstraint(
                fields=["biller", "number"], name="invoice_number_per_biller"
            ),
            models.UniqueConstraint(fields=["id", "biller"], name="invoice_id_biller"),
            models.CheckConstraint(
                condition=Q(amount__gte=0), name="invoice_amount_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(open_balance__gte=0),
                name="invoice_open_balance_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(due_date__gte=F("issue_date")),
                name="invoice_due_after_issue",
            ),
        ]
        indexes = [
            models.Index(
                fields=["contract", "delivery_status"],
                name="invoice_contract_status_idx",
            )
        ]

    def __str__(self) -> str:
        return self.number


class Payment(BillerScoped):
    contract = _fk("servicing.Contract", "payments", _("contract"))
    reference = models.CharField(_("payment reference"), max_length=64)
    received_on = models.DateField(_("received on"))
    amount = models.DecimalField(_("amount"), **MONEY)
    method = models.CharField(_("method"), max_length=32, blank=True)

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        constraints = [
            models.UniqueConstraint(
                fields=["biller", "reference"], name="payment_reference_per_biller"
            ),
            models.UniqueConstraint(fields=["id", "biller"], name="payment_id_biller"),
            models.CheckConstraint(
                condition=Q(amount__gt=0), name="payment_amount_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.reference


class PaymentAllocation(models.Model):
    """Part of a payment applied to one invoice; the total never exceeds the payment."""

    biller = _biller_fk()
    payment = _fk("servicing.Payment", "allocations", _("payment"))
    invoice = _fk("servicing.Invoice", "allocations", _("invoice"))
    amount = models.DecimalField(_("amount"), **MONEY)

    class Meta:
        verbose_name = _("payment allocation")
        verbose_name_plural = _("payment allocations")
        constraints = [
            models.UniqueConstraint(
                fields=["payment", "invoice"], name="allocation_once_per_invoice"
            ),
            models.CheckConstraint(
                condition=Q(amount__gt=0), name="allocation_amount_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.amount} of {self.payment_id} to {self.invoice_id}"


class Credit(BillerScoped):
    contract = _fk("servicing.Contract", "credits", _("contract"))
    reference = models.CharField(_("credit reference"), max_length=64)
    issued_on = models.DateField(_("issued on"))
    amount = models.DecimalField(_("amount"), **MONEY)
    open_amount = models.DecimalField(_("unapplied amount"), **MONEY)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    # Fingerprint of the import line this row was last written from; NULL when
    # it was written any other way. A re-run skips checking lines that match.
    import_digest = models.BinaryField(null=True, editable=False)

    class Meta:
        verbose_name = _("credit")
        verbose_name_plural = _("credits")
        constraints = [
            models.UniqueConstraint(
                fields=["biller", "reference"], name="credit_reference_per_biller"
            ),
            models.CheckConstraint(
                condition=Q(amount__gt=0), name="credit_amount_positive"
            ),
            models.CheckConstraint(
                condition=Q(open_amount__gte=0) & Q(open_amount__lte=F("amount")),
                name="credit_open_within_amount",
            ),
        ]

    def __str__(self) -> str:
        return self.reference


class VisitStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")


class ServiceVisit(BillerScoped):
    contract = _fk("servicing.Contract", "visits", _("contract"))
    reference = models.CharField(_("visit reference"), max_length=64)
    scheduled_for = models.DateTimeField(_("scheduled for"))
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=VisitStatus.choices,
        default=VisitStatus.SCHEDULED,
    )
    service = models.CharField(_("service"), max_length=200)
    notes = models.CharField(_("notes"), max_length=500, blank=True)
    # Fingerprint of the import line this row was last written from; NULL when
    # it was written any other way. A re-run skips checking lines that match.
    import_digest = models.BinaryField(null=True, editable=False)

    class Meta:
        verbose_name = _("service visit")
        verbose_name_plural = _("service visits")
        constraints = [
            models.UniqueConstraint(
                fields=["biller", "reference"], name="visit_reference_per_biller"
            ),
        ]

    def __str__(self) -> str:
        return self.reference


class EmailSource(models.TextChoices):
    CUSTOMER = "customer", _("Customer")
    CONTACT = "contact", _("Contact")
    BILL_TO = "bill_to", _("Contract bill-to location")


class EmailIndex(models.Model):
    """Normalised address → customer, maintained by the import (never scanned)."""

    biller = _biller_fk()
    address = models.CharField(_("address"), max_length=254)
    customer = _fk("servicing.Customer", "email_index", _("customer"))
    source = models.CharField(_("source"), max_length=8, choices=EmailSource.choices)
    contact = _fk("servicing.Contact", "+", _("contact"), null=True, blank=True)
    contract = _fk("servicing.Contract", "+", _("contract"), null=True, blank=True)

    class Meta:
        verbose_name = _("email index entry")
        verbose_name_plural = _("email index")
        indexes = [
            models.Index(fields=["biller", "address"], name="email_index_lookup"),
            models.Index(
                fields=["biller", "source", "customer"], name="email_index_customer"
            ),
            models.Index(fields=["contact"], name="email_index_contact"),
            models.Index(fields=["contract"], name="email_index_contract"),
        ]

    def __str__(self) -> str:
        return self.address
