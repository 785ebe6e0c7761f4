import pytest


@pytest.mark.django_db
def test_start_page_lists_billers_with_counts(client):
    from tests.factories import BillerFactory, InvoiceFactory

    biller = BillerFactory(name="Acme Leasing")
    InvoiceFactory.create_batch(3, contract__customer__biller=biller, biller=biller)
    response = client.get("/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Acme Leasing" in body
    assert f'href="/b/{biller.slug}/"' in body
