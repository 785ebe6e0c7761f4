"""``billfold demo``: five configured billers, records through the import, idempotent."""

import datetime
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from billfold.accounts.models import User
from billfold.audit.models import ActivityEvent
from billfold.billers import demo
from billfold.billers import demo_data as d
from billfold.billers.models import Biller
from billfold.servicing import models as sm
from billfold.servicing.normalize import postal_code, split_emails
from billfold.servicing.selectors import balance_summary
from tests.demo.conftest import TODAY

pytestmark = pytest.mark.django_db

SLUGS = [
    "summit-leasing",
    "maple-lease",
    "prairie-telco",
    "greenleaf-services",
    "aguaclara-utility",
]


def counts() -> dict[str, int]:
    models = [
        Biller,
        sm.Customer,
        sm.Contact,
        sm.Contract,
        sm.Invoice,
        sm.Payment,
        sm.PaymentAllocation,
        sm.Credit,
        sm.ServiceVisit,
        sm.EmailIndex,
    ]
    return {m.__name__: m.objects.count() for m in models}


def customer(slug: str, scenario: str) -> sm.Customer:
    spec = d.spec_get(slug)
    number = f"{spec.customer_prefix}{100001 + d.SCENARIOS.index(scenario):06d}"
    return sm.Customer.objects.get(biller__slug=slug, number=number)


def test_demo_creates_the_five_billers_as_their_documents_describe(run_demo):
    run_demo("--scale", "10")
    billers = {b.slug: b for b in Biller.objects.all()}
    assert sorted(billers) == sorted(SLUGS)
    summit, maple, telco, greenleaf, agua = (billers[s] for s in SLUGS)
    assert (
        summit.enrollment_methods,
        summit.password_min_length,
        summit.password_min_letters,
        summit.password_min_digits,
        summit.password_history,
        summit.security_question_count,
        summit.languages,
    ) == (["E1"], 8, 2, 2, 24, 3, ["en"])
    assert summit.terms_text != "" and summit.support_phone == "1-800-555-0142"
    assert (
        maple.country,
        maple.currency,
        maple.timezone,
        maple.enrollment_methods,
        maple.password_min_length,
        maple.security_question_count,
    ) == ("CA", "CAD", "America/Toronto", ["E2"], 15, 0)
    assert (
        telco.placeholder_emails,
        telco.security_question_count,
        telco.password_min_length,
        telco.password_min_letters,
        telco.password_min_digits,
    ) == (["blackhole@prairie-telco.example.com"], 3, 8, 2, 2)
    assert (greenleaf.enrollment_methods, greenleaf.security_question_count) == (
        ["E3"],
        0,
    )
    assert (agua.languages, agua.default_language, agua.enrollment_methods) == (
        ["es", "en"],
        "es",
        ["E4", "E5"],
    )
    assert agua.tagline == "Su cuenta de agua, en línea y en su idioma"


def test_demo_makes_the_default_forty_customers_per_biller_and_prints_counts(run_demo):
    out = run_demo()
    for slug in SLUGS:
        assert sm.Customer.objects.filter(biller__slug=slug).count() == 40
    summit = Biller.objects.get(slug="summit-leasing")
    invoices = sm.Invoice.objects.filter(biller=summit).count()
    assert "/b/summit-leasing/" in out
    assert f"{invoices:,}" in out
    assert f"password {demo.admin_password()}" in out


def test_running_demo_again_changes_nothing(run_demo):
    run_demo("--scale", "12")
    before = counts()
    events = ActivityEvent.objects.filter(action="import.run").count()
    run_demo("--scale", "12")
    assert counts() == before
    # Every import ran again and found every row unchanged.
    reruns = ActivityEvent.objects.filter(action="import.run").order_by("-id")[:events]
    assert {(e.details["inserted"], e.details["updated"]) for e in reruns} == {(0, 0)}


def test_demo_loads_exactly_the_generated_rows(run_demo):
    run_demo("--scale", "12")
    for spec in d.BILLERS:
        expected = {
            row["number"]: (row["amount"], row["due_date"], row["delivery_status"])
            for _l, row in d.records(spec, "invoices", customers=12, today=TODAY)
        }
        stored = {
            i.number: (f"{i.amount:.2f}", i.due_date.isoformat(), i.delivery_status)
            for i in sm.Invoice.objects.filter(biller__slug=spec.slug)
        }
        assert stored == expected


def test_scale_sets_customers_per_biller(run_demo):
    run_demo("--scale", "3")
    assert {
        s: sm.Customer.objects.filter(biller__slug=s).count() for s in SLUGS
    } == dict.fromkeys(SLUGS, 3)


def test_every_biller_has_unsent_past_due_and_paid_invoices(run_demo, frozen_now):
    run_demo("--scale", "12")
    for slug in SLUGS:
        invoices = sm.Invoice.objects.filter(biller__slug=slug)
        assert invoices.filter(delivery_status="unsent").exists(), slug
        assert invoices.filter(
            delivery_status="sent", open_balance__gt=0, due_date__lt=TODAY
        ).exists(), slug
        assert invoices.filter(open_balance=0, allocations__isnull=False).exists(), slug
        past_due = customer(slug, "past_due")
        summary = balance_summary(
            biller=past_due.biller, contracts=past_due.contracts.all()
        )
        assert summary.past_due is True
        unsent = past_due.contracts.get().invoices.get(delivery_status="unsent")
        assert summary.balance_due < sum(
            i.open_balance for i in past_due.contracts.get().invoices.all()
        )
        assert unsent.open_balance > 0


def test_every_biller_has_the_enrollment_and_support_cases(run_demo):
    run_demo("--scale", "12")
    for slug in SLUGS:
        waiting = customer(slug, "not_in_service").contracts.get()
        assert (
            waiting.status,
            waiting.in_service_approved,
            waiting.invoices.count(),
        ) == ("booked", False, 0)
        multi = customer(slug, "multi_email")
        addresses = split_emails(multi.email_raw).valid
        assert len(addresses) == 2
        indexed = set(
            sm.EmailIndex.objects.filter(
                biller=multi.biller, customer=multi
            ).values_list("source", "address")
        )
        contact = multi.contacts.get()
        bill_to = multi.contracts.get().bill_to_email_raw
        assert indexed == {("customer", a) for a in addresses} | {
            ("contact", contact.email_raw),
            ("bill_to", bill_to),
        }
        statuses = sorted(
            customer(slug, "pending_and_terminated").contracts.values_list(
                "status", flat=True
            )
        )
        assert statuses == ["pending", "terminated"]


def test_one_customer_per_biller_has_a_credit_larger_than_the_balance(
    run_demo, frozen_now
):
    run_demo("--scale", "9")
    for slug in SLUGS:
        c = customer(slug, "credit_over_balance")
        summary = balance_summary(biller=c.biller, contracts=c.contracts.all())
        open_invoices = sm.Invoice.objects.filter(
            contract__customer=c, delivery_status="sent", open_balance__gt=0
        )
        assert [i.open_balance for i in open_invoices] == [Decimal("40.00")]
        # The credit covers the whole balance and more: nothing is due.
        assert (summary.balance_due, summary.open_credit) == (
            Decimal("0.00"),
            Decimal("100.00"),
        )


def test_coop_placeholder_customers_are_not_in_the_email_index(run_demo):
    run_demo("--scale", "20")
    telco = Biller.objects.get(slug="prairie-telco")
    placeholder = "blackhole@prairie-telco.example.com"
    without_email = sm.Customer.objects.filter(biller=telco, email_raw=placeholder)
    assert without_email.count() >= 2
    assert not sm.EmailIndex.objects.filter(biller=telco, address=placeholder).exists()
    assert not sm.EmailIndex.objects.filter(
        customer__in=without_email, source="customer"
    ).exists()


def test_canadian_lessor_contracts_carry_canadian_postal_codes(run_demo):
    run_demo("--scale", "12")
    contracts = sm.Contract.objects.filter(biller__slug="maple-lease")
    assert set(contracts.values_list("billing_country", flat=True)) == {"CA"}
    raw = list(contracts.values_list("billing_postal_code", flat=True))
    normalised = [postal_code(code, "CA") for code in raw]
    assert all(
        len(code) == 6 and code[::2].isalpha() and code[1::2].isdigit()
        for code in normalised
    )
    assert any(code != code.upper() or " " not in code.strip() for code in raw)


def test_service_business_has_upcoming_and_past_visits_and_others_none(
    run_demo, frozen_now
):
    run_demo("--scale", "12")
    visits = sm.ServiceVisit.objects.filter(biller__slug="greenleaf-services")
    now = frozen_now
    assert visits.filter(status="scheduled", scheduled_for__gt=now).exists()
    assert visits.filter(status="completed", scheduled_for__lt=now).exists()
    assert visits.filter(status="cancelled").exists()
    assert (
        sm.ServiceVisit.objects.exclude(biller__slug="greenleaf-services").count() == 0
    )


def test_demo_makes_a_platform_superuser_with_the_printed_password(run_demo):
    run_demo("--scale", "2")
    admin = User.objects.get(username="admin")
    assert (admin.biller_id, admin.is_staff, admin.is_superuser) == (None, True, True)
    assert admin.check_password(demo.admin_password())


def test_demo_resets_a_changed_admin_password_to_the_printed_one(run_demo):
    run_demo("--scale", "2")
    admin = User.objects.get(username="admin")
    admin.set_password("something else entirely")
    admin.save()
    run_demo("--scale", "2")
    admin.refresh_from_db()
    assert admin.check_password(demo.admin_password())
    assert User.objects.filter(username__iexact="admin").count() == 1


def test_admin_password_is_made_once_per_installation(demo_var):
    first = demo.admin_password()
    assert demo.admin_password() == first
    assert len(first) >= 16
    assert (demo_var / "demo_admin_password").stat().st_mode & 0o077 == 0


def test_demo_refuses_when_the_demo_is_off(db, demo_var, settings):
    settings.BILLFOLD_DEMO = False
    with pytest.raises(CommandError):
        call_command("demo", "--scale", "1")
    assert Biller.objects.count() == 0


def test_demo_can_load_one_biller(run_demo):
    run_demo("--scale", "2", "--biller", "maple-lease")
    assert list(Biller.objects.values_list("slug", flat=True)) == ["maple-lease"]


def test_later_day_moves_dates_not_numbers(run_demo, frozen_now):
    import time_machine

    run_demo("--scale", "8")
    numbers = set(sm.Invoice.objects.values_list("number", flat=True))
    with time_machine.travel(frozen_now + datetime.timedelta(days=3), tick=False):
        run_demo("--scale", "8")
        assert set(sm.Invoice.objects.values_list("number", flat=True)) == numbers
        c = customer("summit-leasing", "past_due")
        assert (
            balance_summary(biller=c.biller, contracts=c.contracts.all()).past_due
            is True
        )
