"""Ready-made sign-ins and enrollment details printed by ``billfold serve_demo``.

Each entry is ``(label, text)``: who or what it is for and what to type. Apps
that create demo sign-ins offer a ``demo_sign_ins()`` function in a module listed
in ``PROVIDERS``; adding one is one line here.
"""

import importlib
import importlib.util
import sys

from billfold.billers import demo_data
from billfold.billers.models import Biller, EnrollmentMethod

# Modules with a ``demo_sign_ins() -> list[tuple[str, str]]`` function.
PROVIDERS = ("billfold.accounts.demo",)


def demo_logins(base_url: str | None = None) -> list[tuple[str, str]]:
    logins: list[tuple[str, str]] = []
    for name in PROVIDERS:
        # A provider that is not written yet is skipped; one that is written
        # but broken raises, so its error is seen rather than hidden.
        try:
            found = name in sys.modules or importlib.util.find_spec(name) is not None
        except ModuleNotFoundError:
            found = False
        if found:
            logins.extend(
                importlib.import_module(name).demo_sign_ins(base_url=base_url)
            )
    return logins


def enrollment_hints() -> list[tuple[str, str]]:
    """What to type to enroll the first scripted customer of each demo biller."""
    from billfold.servicing.models import Contract, Customer, DeliveryStatus
    from billfold.servicing.normalize import postal_code, split_emails

    hints = []
    billers = {
        b.slug: b
        for b in Biller.objects.filter(slug__in=[s.slug for s in demo_data.BILLERS])
    }
    for spec in demo_data.BILLERS:
        biller = billers.get(spec.slug)
        if biller is None:
            continue
        number = f"{spec.customer_prefix}{100001:06d}"
        customer = Customer.objects.filter(biller=biller, number=number).first()
        contract = (
            Contract.objects.filter(biller=biller, customer=customer, status="booked")
            .order_by("number")
            .first()
        )
        if customer is None or contract is None:
            continue
        invoice = (
            contract.invoices.filter(delivery_status=DeliveryStatus.SENT)
            .order_by("-issue_date")
            .first()
        )
        emails = split_emails(customer.email_raw).valid
        email = emails[0] if emails else ""
        code = postal_code(contract.billing_postal_code, contract.billing_country)
        details = {
            EnrollmentMethod.E1_AGREEMENT_INVOICE_ZIP: invoice
            and f"agreement {contract.number}, invoice {invoice.number}, ZIP {code}",
            EnrollmentMethod.E2_EMAIL_POSTAL_CONTRACT: email
            and f"email {email}, postal code {contract.billing_postal_code.strip()}, "
            f"contract {contract.number}",
            EnrollmentMethod.E3_EMAIL_LINK: email and f"email {email}",
            EnrollmentMethod.E4_ACCOUNT_LOCATOR: invoice
            and f"account {contract.number} with invoice amount {invoice.amount} "
            f"or ZIP {code}",
            EnrollmentMethod.E5_AFTER_PAYMENT: invoice
            and f"pay invoice {invoice.number} of account {contract.number} as a guest",
        }
        for method in biller.enrollment_methods:
            text = details.get(method)
            # Only methods whose registration page exists in this installation.
            if text and _enrollment_page_exists(method, biller.slug):
                label = f"{biller.name} ({EnrollmentMethod(method).label})"
                hints.append((label, text))
    return hints


def _enrollment_page_exists(method: str, slug: str) -> bool:
    from django.urls import NoReverseMatch, reverse

    try:
        reverse(f"enrollment:{method.lower()}", args=[slug])
    except NoReverseMatch:
        return False
    return True
