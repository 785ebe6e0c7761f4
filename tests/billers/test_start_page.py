"""The start page: every biller, its settings in words and its exact counts."""

import re

import pytest

from billfold.billers.models import Biller
from billfold.billers.selectors import biller_list_with_counts
from billfold.servicing import models as sm

pytestmark = pytest.mark.django_db


def card(body: str, slug: str) -> str:
    match = re.search(
        rf'<li class="card">\s*<h2><a href="/b/{slug}/">.*?</li>\s*(?=<li class="card">|</ul>\s*(?:<p|$))',
        body,
        re.S,
    )
    assert match, slug
    return match.group(0)


def count_in(card_html: str, name: str) -> int:
    return int(re.search(rf'data-count="{name}">(\d+)<', card_html).group(1))


def test_start_page_lists_five_demo_billers_with_exact_counts(demo_loaded, client):
    body = client.get("/").content.decode()
    billers = list(Biller.objects.order_by("name"))
    assert len(billers) == 5
    for biller in billers:
        html = card(body, biller.slug)
        assert biller.name.replace("&", "&amp;") in html
        assert (
            count_in(html, "customers")
            == sm.Customer.objects.filter(biller=biller).count()
            == 9
        )
        assert (
            count_in(html, "contracts")
            == sm.Contract.objects.filter(biller=biller).count()
        )
        assert (
            count_in(html, "invoices")
            == sm.Invoice.objects.filter(biller=biller).count()
        )


def test_start_page_names_settings_in_words(demo_loaded, client):
    body = client.get("/").content.decode()
    summit = card(body, "summit-leasing")
    assert "<li>Agreement, invoice and ZIP code</li>" in summit
    assert (
        "At least 8 characters, 2 letters and 2 digits; the last 24 passwords may not be reused"
        in summit
    )
    assert "<dt>Security questions</dt><dd>3</dd>" in summit
    assert "Set up by the billing office" in card(body, "prairie-telco")
    agua = card(body, "aguaclara-utility")
    assert "<dd>Spanish, English</dd>" in agua
    assert "<li>Account locator</li><li>Register after a one-time payment</li>" in agua
    maple = card(body, "maple-lease")
    assert "<dd>Canada (CAD)</dd>" in maple
    assert "<dd>At least 15 characters</dd>" in maple


def test_counts_come_from_one_query(demo_loaded, django_assert_num_queries):
    with django_assert_num_queries(1):
        rows = [
            (b.slug, b.customer_count, b.contract_count, b.invoice_count)
            for b in biller_list_with_counts()
        ]
    assert len(rows) == 5


def test_start_page_without_billers_says_how_to_load_them(db, client):
    body = client.get("/").content.decode()
    assert "Run “billfold demo” to load the demo billers." in body


def test_start_page_in_spanish(demo_loaded, client):
    client.cookies["django_language"] = "es"
    body = client.get("/").content.decode()
    assert '<html lang="es">' in body
    assert "<dt>Clientes</dt>" in body
    assert "Configurado por la oficina de facturación" in body
    assert "<dd>Español, Inglés</dd>" in body
    assert (
        "Al menos 8 caracteres, 2 letras y 2 dígitos; no se pueden reutilizar las últimas 24 contraseñas"
        in body
    )
