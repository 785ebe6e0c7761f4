"""customer_required: only a set-up customer of this biller reaches the page."""

import pytest
from django.http import HttpResponse
from django.urls import include, path, reverse

from billfold.accounts.decorators import customer_required
from tests.accounts.conftest import GOOD_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


@customer_required
def secret_page(request, biller_slug):
    return HttpResponse(f"secret of {request.user.pk}")


def _register(request, biller_slug):
    return HttpResponse("register")


enrollment_patterns = (
    [path("b/<slug:biller_slug>/register/", _register, name="e1")],
    "enrollment",
)
urlpatterns = [
    path("b/<slug:biller_slug>/secret/", secret_page, name="secret"),
    path("", include(enrollment_patterns)),
    path("", include("billfold.urls")),
]


@pytest.fixture(autouse=True)
def _urls(settings):
    settings.ROOT_URLCONF = __name__


def secret_url(biller) -> str:
    return f"/b/{biller.slug}/secret/"


def sign_in(client, biller, user):
    client.post(
        reverse("accounts:home", args=[biller.slug]),
        {"login": user.username, "password": GOOD_PASSWORD},
    )


def test_anonymous_visitor_is_sent_to_sign_in_and_back(client, biller):
    response = client.get(secret_url(biller))
    assert response.status_code == 302
    assert (
        response["Location"]
        == f"/b/{biller.slug}/?next=%2Fb%2F{biller.slug}%2Fsecret%2F"
    )


def test_customer_of_this_biller_gets_the_page_uncached(client, biller, user):
    sign_in(client, biller, user)
    response = client.get(secret_url(biller))
    assert response.content.decode() == f"secret of {user.pk}"
    assert "no-store" in response["Cache-Control"]


def test_customer_of_another_biller_is_sent_to_sign_in(client, biller, other_user):
    sign_in(client, other_user.biller, other_user)
    response = client.get(secret_url(biller))
    assert response.status_code == 302
    assert response["Location"].startswith(f"/b/{biller.slug}/?next=")


def test_customer_with_setup_pending_is_sent_to_the_setup_steps(client, biller):
    pending = UserFactory(biller=biller, setup_required=True)
    sign_in(client, biller, pending)
    response = client.get(secret_url(biller))
    assert response["Location"] == reverse("accounts:setup", args=[biller.slug])


def test_sign_in_follows_next_to_the_page(client, biller, user):
    response = client.post(
        reverse("accounts:home", args=[biller.slug]),
        {"login": user.username, "password": GOOD_PASSWORD, "next": secret_url(biller)},
    )
    assert response["Location"] == secret_url(biller)


def test_register_link_shows_for_an_enabled_method_with_a_page(client, biller):
    biller.enrollment_methods = ["E1", "E2"]
    biller.save()
    body = client.get(reverse("accounts:home", args=[biller.slug])).content.decode()
    assert (
        f'<li><a href="/b/{biller.slug}/register/">'
        "Register: Agreement, invoice and ZIP code</a></li>"
    ) in body
    assert "Register: Email, billing postal code and contract" not in body


def test_no_register_link_when_the_method_is_not_enabled(client, biller):
    biller.enrollment_methods = []
    biller.save()
    body = client.get(reverse("accounts:home", args=[biller.slug])).content.decode()
    assert "Register:" not in body
