"""The demo out-box page: platform staff only, demo only, 404 for everyone else."""

import pytest
from django.urls import reverse

from billfold.notifications.models import OutboxMessage
from billfold.notifications.services import email_enqueue
from tests.factories import BillerFactory
from tests.notifications.factories import CustomerUserFactory, StaffUserFactory

LIST_URL = "/outbox/"


@pytest.fixture
def message(acme):
    return email_enqueue(
        biller=acme,
        to="ana@example.com",
        kind="recovery_code",
        context={"code": "730155", "minutes_valid": 15},
    )


@pytest.fixture
def staff_client(client, db):
    client.force_login(StaffUserFactory())
    return client


def test_urls_are_named():
    assert reverse("notifications:outbox_list") == "/outbox/"
    assert reverse("notifications:outbox_detail", args=[7]) == "/outbox/7/"


@pytest.mark.parametrize("url", [LIST_URL, "detail"])
def test_anonymous_gets_404(client, message, url):
    url = f"/outbox/{message.pk}/" if url == "detail" else url
    response = client.get(url)
    assert response.status_code == 404
    assert b"730155" not in response.content


@pytest.mark.parametrize("url", [LIST_URL, "detail"])
def test_customer_gets_404(client, acme, message, url):
    url = f"/outbox/{message.pk}/" if url == "detail" else url
    client.force_login(CustomerUserFactory(biller=acme))
    response = client.get(url)
    assert response.status_code == 404
    assert b"730155" not in response.content


def test_staff_flag_on_a_billers_user_is_not_enough(client, acme, message):
    client.force_login(CustomerUserFactory(biller=acme, is_staff=True))
    assert client.get(LIST_URL).status_code == 404


def test_inactive_staff_gets_404(client, message):
    client.force_login(StaffUserFactory(is_active=False))
    assert client.get(LIST_URL).status_code == 404


@pytest.mark.parametrize("url", [LIST_URL, "detail"])
def test_staff_gets_404_when_the_demo_is_off(staff_client, settings, message, url):
    url = f"/outbox/{message.pk}/" if url == "detail" else url
    settings.BILLFOLD_DEMO = False
    response = staff_client.get(url)
    assert response.status_code == 404
    assert b"730155" not in response.content


def test_staff_sees_the_message_listed(staff_client, message):
    response = staff_client.get(LIST_URL)
    assert response.status_code == 200
    assert response["Cache-Control"] == (
        "max-age=0, no-cache, no-store, must-revalidate, private"
    )
    body = response.content.decode()
    assert (
        f'href="/outbox/{message.pk}/">Your password recovery code for Acme Leasing</a>'
        in body
    )
    assert "<dd>ana@example.com</dd>" in body
    assert "<dd>Acme Leasing</dd>" in body
    assert "<dd><code>recovery_code</code></dd>" in body
    assert '<dd class="status-queued">Queued</dd>' in body


def test_list_filters_by_biller_and_address(staff_client, acme, message):
    other = BillerFactory(name="Zenith Water")
    email_enqueue(
        biller=other,
        to="ana@example.com",
        kind="verification_code",
        context={"code": "1", "minutes_valid": 15},
    )
    email_enqueue(
        biller=acme,
        to="bob@example.com",
        kind="verification_code",
        context={"code": "2", "minutes_valid": 15},
    )

    def listed(query):
        response = staff_client.get(LIST_URL, query)
        assert response.status_code == 200
        return [
            m.to_address + "/" + m.biller.slug
            for m in response.context["outbox_messages"]
        ]

    assert listed({"biller": "acme"}) == [
        "bob@example.com/acme",
        "ana@example.com/acme",
    ]
    assert listed({"address": "ANA@"}) == [
        f"ana@example.com/{other.slug}",
        "ana@example.com/acme",
    ]
    assert listed({"biller": "acme", "address": "ana"}) == ["ana@example.com/acme"]
    assert listed({"address": "nobody"}) == []
    assert (
        "No messages match."
        in staff_client.get(LIST_URL, {"address": "nobody"}).content.decode()
    )


def test_filter_form_has_labels_and_keeps_the_choice(staff_client, message):
    body = staff_client.get(
        LIST_URL, {"biller": "acme", "address": "ana"}
    ).content.decode()
    assert '<label for="outbox-biller">Biller</label>' in body
    assert '<label for="outbox-address">Address contains</label>' in body
    assert '<option value="acme" selected>Acme Leasing</option>' in body
    assert 'name="address" value="ana"' in body


def test_detail_shows_text_and_sandboxed_html(staff_client, message):
    response = staff_client.get(f"/outbox/{message.pk}/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "<h1>Your password recovery code for Acme Leasing</h1>" in body
    assert "    730155\n" in body
    assert (
        '<iframe class="message-html" sandbox="" referrerpolicy="no-referrer"' in body
    )
    assert 'srcdoc="&lt;!doctype html&gt;' in body


def test_detail_never_lets_message_html_run(staff_client, message):
    OutboxMessage.objects.filter(pk=message.pk).update(
        body_html='<p>hi</p><script>alert("x")</script>'
    )
    body = staff_client.get(f"/outbox/{message.pk}/").content.decode()
    assert "<script>" not in body
    assert 'srcdoc="&lt;p&gt;hi&lt;/p&gt;&lt;script&gt;alert(&quot;x&quot;)' in body


def test_detail_of_unknown_message_is_404(staff_client, db):
    assert staff_client.get("/outbox/999999/").status_code == 404


def test_page_is_in_spanish(staff_client, message):
    response = staff_client.get(LIST_URL, headers={"accept-language": "es"})
    body = response.content.decode()
    assert '<html lang="es">' in body
    assert "<h1>Bandeja de salida</h1>" in body
    assert '<label for="outbox-address">La dirección contiene</label>' in body
    assert '<button type="submit">Filtrar</button>' in body
    assert '<dd class="status-queued">En cola</dd>' in body
    detail = staff_client.get(
        f"/outbox/{message.pk}/", headers={"accept-language": "es"}
    ).content.decode()
    assert "<h2>Texto sin formato</h2>" in detail
    assert "Volver a la bandeja de salida" in detail
