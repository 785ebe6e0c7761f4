"""The Django admin for billers, billing records and users."""

import pytest
from django.urls import reverse

from billfold.accounts.models import User
from billfold.audit.models import ActivityEvent
from billfold.billers.models import Biller
from billfold.servicing import models as sm

pytestmark = pytest.mark.django_db

MODELS = [
    Biller,
    sm.Customer,
    sm.Contact,
    sm.Contract,
    sm.Invoice,
    sm.Payment,
    sm.Credit,
    sm.ServiceVisit,
    sm.EmailIndex,
    User,
]


def inline_data(response) -> dict:
    """What a browser posts for the inlines of a change page (management form, ids)."""
    data = {}
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        for name, field in formset.management_form.fields.items():
            data[f"{formset.prefix}-{name}"] = formset.management_form[name].value()
        for form in formset.forms:
            for bound in form.hidden_fields():
                data[bound.html_name] = bound.value() or ""
    return data


def url(model, view, *args):
    return reverse(
        f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args
    )


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_changelist_and_change_form_load(model, demo_loaded, superuser_client):
    obj = model.objects.order_by("pk").first()
    assert obj is not None
    assert superuser_client.get(url(model, "changelist")).status_code == 200
    assert superuser_client.get(url(model, "change", obj.pk)).status_code == 200


@pytest.mark.parametrize(
    "model",
    [sm.Customer, sm.Contract, sm.Invoice, sm.Payment],
    ids=lambda m: m.__name__,
)
def test_changelist_filters_by_biller(model, demo_loaded, superuser_client):
    maple = Biller.objects.get(slug="maple-lease")
    response = superuser_client.get(
        url(model, "changelist"), {"biller__id__exact": maple.pk}
    )
    assert response.status_code == 200
    shown = response.context["cl"].result_list
    assert {o.biller_id for o in shown} == {maple.pk}


def test_customer_search_finds_by_number_name_and_email(demo_loaded, superuser_client):
    c = (
        sm.Customer.objects.filter(biller__slug="summit-leasing")
        .order_by("number")
        .first()
    )
    address = c.email_raw.split(";")[0].split(",")[0].strip()
    for query in (c.number, c.name, address):
        response = superuser_client.get(url(sm.Customer, "changelist"), {"q": query})
        assert c in response.context["cl"].result_list


def test_invoice_list_query_count_does_not_grow_with_rows(
    demo_loaded, superuser_client, django_assert_max_num_queries
):
    # 45 invoices in view: one query for the page, not one per row.
    superuser_client.get(url(sm.Invoice, "changelist"))
    with django_assert_max_num_queries(12):
        response = superuser_client.get(url(sm.Invoice, "changelist"))
    assert len(response.context["cl"].result_list) == 50


def test_editing_a_customer_email_goes_through_the_import(
    demo_loaded, superuser_client
):
    c = (
        sm.Customer.objects.filter(biller__slug="greenleaf-services")
        .order_by("number")
        .first()
    )
    page = superuser_client.get(url(sm.Customer, "change", c.pk))
    response = superuser_client.post(
        url(sm.Customer, "change", c.pk),
        {
            **inline_data(page),
            "name": c.name,
            "email_raw": "New.Address@Example.com; second@example.org",
            "phone": c.phone,
        },
    )
    assert response.status_code == 302, response.context["errors"]
    c.refresh_from_db()
    assert c.email_raw == "New.Address@Example.com; second@example.org"
    indexed = set(
        sm.EmailIndex.objects.filter(customer=c, source="customer").values_list(
            "address", flat=True
        )
    )
    assert indexed == {"new.address@example.com", "second@example.org"}
    event = ActivityEvent.objects.filter(action="import.run").order_by("-id").first()
    assert (
        event.actor_kind,
        event.actor_id,
        event.details["source"],
        event.details["updated"],
    ) == (
        "admin",
        str(superuser_client.user.pk),
        "admin",
        1,
    )


def test_a_bad_postal_code_is_shown_on_its_field_and_nothing_changes(
    demo_loaded, superuser_client
):
    contract = (
        sm.Contract.objects.filter(biller__slug="maple-lease")
        .order_by("number")
        .first()
    )
    before = contract.billing_postal_code
    data = {
        "customer": contract.customer_id,
        "status": contract.status,
        "in_service_approved": "on" if contract.in_service_approved else "",
        "in_service_date": contract.in_service_date.isoformat()
        if contract.in_service_date
        else "",
        "billing_address": contract.billing_address,
        "billing_country": "CA",
        "billing_postal_code": "12345",
        "bill_to_name": contract.bill_to_name,
        "bill_to_email_raw": contract.bill_to_email_raw,
    }
    response = superuser_client.post(url(sm.Contract, "change", contract.pk), data)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["billing_postal_code"] == [
        "is not a postal code of CA"
    ]
    contract.refresh_from_db()
    assert contract.billing_postal_code == before


def test_a_record_of_another_biller_cannot_be_linked(demo_loaded, superuser_client):
    contact = sm.Contact.objects.filter(biller__slug="summit-leasing").first()
    stranger = sm.Customer.objects.filter(biller__slug="maple-lease").first()
    response = superuser_client.post(
        url(sm.Contact, "change", contact.pk),
        {
            "customer": stranger.pk,
            "name": contact.name,
            "email_raw": contact.email_raw,
            "phone": "",
        },
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["customer"] == [
        "Choose a record of the same biller."
    ]
    contact.refresh_from_db()
    assert contact.customer.biller.slug == "summit-leasing"


def test_billing_records_cannot_be_deleted_from_the_admin(
    demo_loaded, superuser_client
):
    c = sm.Customer.objects.first()
    assert (
        superuser_client.post(
            url(sm.Customer, "delete", c.pk), {"post": "yes"}
        ).status_code
        == 403
    )
    assert sm.Customer.objects.filter(pk=c.pk).exists()


def test_payments_are_read_only(demo_loaded, superuser_client):
    payment = sm.Payment.objects.filter(allocations__isnull=False).first()
    response = superuser_client.get(url(sm.Payment, "change", payment.pk))
    body = response.content.decode()
    assert 'name="_save"' not in body
    assert payment.allocations.first().invoice.number in body
    assert superuser_client.get(url(sm.Payment, "add")).status_code == 403


def test_biller_change_is_saved_and_recorded(demo_loaded, superuser_client):
    from django.forms.models import model_to_dict

    biller = Biller.objects.get(slug="aguaclara-utility")
    data = {
        k: v
        for k, v in model_to_dict(biller).items()
        if v is not None and k not in {"id", "slug"}
    }
    data["tagline"] = "Agua limpia, cuentas claras"
    data["placeholder_emails"] = "nobody@aguaclara.example.com\n"
    response = superuser_client.post(url(Biller, "change", biller.pk), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    biller.refresh_from_db()
    assert (biller.tagline, biller.placeholder_emails, biller.languages) == (
        "Agua limpia, cuentas claras",
        ["nobody@aguaclara.example.com"],
        ["es", "en"],
    )
    event = (
        ActivityEvent.objects.filter(action="biller.updated").order_by("-id").first()
    )
    assert (event.actor_kind, event.details["fields"]) == (
        "admin",
        ["placeholder_emails", "tagline"],
    )


def test_biller_default_language_must_be_offered(demo_loaded, superuser_client):
    from django.forms.models import model_to_dict

    biller = Biller.objects.get(slug="summit-leasing")
    data = {
        k: v
        for k, v in model_to_dict(biller).items()
        if v is not None and k not in {"id", "slug"}
    }
    data["placeholder_emails"] = ""
    data["default_language"] = "es"
    response = superuser_client.post(url(Biller, "change", biller.pk), data)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["default_language"] == [
        "The default language must be one of the portal's languages."
    ]


def test_biller_form_groups_settings_and_names_enrollment_methods(
    demo_loaded, superuser_client
):
    biller = Biller.objects.get(slug="maple-lease")
    body = superuser_client.get(url(Biller, "change", biller.pk)).content.decode()
    for heading in (
        "Identity",
        "Branding",
        "Languages",
        "Enrollment",
        "Password policy",
        "Sessions",
        "Support",
    ):
        assert f">{heading}<" in body
    assert "Email, billing postal code and contract" in body


def test_user_admin_never_shows_the_password_hash(demo_loaded, superuser_client):
    admin = User.objects.get(username="admin")
    body = superuser_client.get(url(User, "change", admin.pk)).content.decode()
    assert admin.password not in body
    assert 'name="password"' not in body
    response = superuser_client.get(url(User, "changelist"), {"q": "admin"})
    assert admin in response.context["cl"].result_list


def test_admin_index_lists_billers_and_billing_records(demo_loaded, superuser_client):
    body = superuser_client.get(reverse("admin:index")).content.decode()
    assert "Billfold administration" in body
    for name in (
        "Billers",
        "Customers",
        "Contracts",
        "Invoices",
        "Payments",
        "Credits",
        "Service visits",
        "Email index",
        "Users",
    ):
        assert f">{name}</a>" in body


def test_anonymous_visitors_are_sent_to_the_admin_sign_in(demo_loaded, client):
    response = client.get(url(sm.Customer, "changelist"))
    assert (response.status_code, response["Location"].split("?")[0]) == (
        302,
        reverse("admin:login"),
    )
