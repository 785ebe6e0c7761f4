"""Sign-in page, sign-in rules, sign-out and the portal home."""

import pytest
from django.urls import reverse

from billfold.accounts.views import signin_failure_message
from billfold.audit.models import ActivityEvent
from tests.accounts.conftest import GOOD_PASSWORD, UserFactory
from tests.factories import ContractFactory

pytestmark = pytest.mark.django_db


def home_url(biller) -> str:
    return reverse("accounts:home", args=[biller.slug])


def sign_in(client, biller, login, password=GOOD_PASSWORD, **extra):
    return client.post(
        home_url(biller), {"login": login, "password": password}, **extra
    )


def test_sign_in_page_has_labelled_fields_and_button(client, biller):
    response = client.get(home_url(biller))
    body = response.content.decode()
    assert response.status_code == 200
    assert '<label for="id_login">Username or email</label>' in body
    assert '<label for="id_password">Password</label>' in body
    assert '<button type="submit">Sign in</button>' in body
    assert "Contact us" in body
    assert (
        response["Cache-Control"]
        == "max-age=0, no-cache, no-store, must-revalidate, private"
    )


def test_sign_in_page_links_to_forgot_password(client, biller):
    body = client.get(home_url(biller)).content.decode()
    recover = reverse("accounts:recover_start", args=[biller.slug])
    assert f'<a href="{recover}">Forgot your password?</a>' in body


def test_register_link_is_left_out_while_enrollment_has_no_page(client, biller):
    biller.enrollment_methods = ["E1", "E2"]
    biller.save()
    body = client.get(home_url(biller)).content.decode()
    assert "Register" not in body


def test_sign_in_page_is_in_spanish_when_chosen(client, biller):
    response = client.get(home_url(biller), headers={"accept-language": "es"})
    body = response.content.decode()
    assert '<html lang="es">' in body
    assert (
        '<label for="id_login">Nombre de usuario o correo electrónico</label>' in body
    )
    assert '<button type="submit">Iniciar sesión</button>' in body
    assert "¿Olvidó su contraseña?" in body


def test_failure_message_is_in_spanish_too(client, biller, user):
    response = client.post(
        home_url(biller),
        {"login": user.username, "password": "Not-The-Password-11"},
        headers={"accept-language": "es"},
    )
    assert (
        "El nombre de usuario o la contraseña no son correctos"
        in response.content.decode()
    )


def test_right_password_signs_in_and_shows_the_portal_home(client, biller, user):
    ContractFactory(customer=user.customer)
    ContractFactory(customer=user.customer)
    response = sign_in(client, biller, user.username)
    assert response.status_code == 302
    assert response["Location"] == home_url(biller)
    page = client.get(home_url(biller))
    body = page.content.decode()
    assert page.context["user"] == user
    assert f"<dd>{user.customer.name}</dd>" in body
    assert "<dt>Contracts</dt><dd>2</dd>" in body
    assert 'action="' + reverse("accounts:signout", args=[biller.slug]) + '"' in body


def test_email_in_any_case_with_spaces_signs_in(client, biller, user):
    response = sign_in(client, biller, f"  {user.email.upper()} ")
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def test_wrong_password_shows_the_generic_message(client, biller, user):
    response = sign_in(client, biller, user.username, "Not-The-Password-11")
    assert response.status_code == 200
    assert signin_failure_message() in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_inactive_user_cannot_sign_in(client, biller, user):
    user.is_active = False
    user.save()
    response = sign_in(client, biller, user.username)
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_same_email_at_two_billers_is_two_accounts(client, biller, other_biller, user):
    twin = UserFactory(
        biller=other_biller, username=user.username, password="Other-Biller-Secret-77"
    )
    assert twin.pk != user.pk
    refused = sign_in(client, biller, user.username, "Other-Biller-Secret-77")
    assert refused.status_code == 200
    assert "_auth_user_id" not in client.session
    accepted = sign_in(client, other_biller, user.username, "Other-Biller-Secret-77")
    assert accepted.status_code == 302
    assert client.session["_auth_user_id"] == str(twin.pk)


def test_user_of_another_biller_cannot_sign_in_here(client, biller, other_user):
    response = sign_in(client, biller, other_user.username)
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_next_within_the_biller_is_followed(client, biller, user):
    target = home_url(biller) + "security/"
    response = client.post(
        home_url(biller),
        {"login": user.username, "password": GOOD_PASSWORD, "next": target},
    )
    assert response["Location"] == target


def test_next_outside_the_biller_is_ignored(client, biller, other_biller, user):
    response = client.post(
        home_url(biller),
        {
            "login": user.username,
            "password": GOOD_PASSWORD,
            "next": "https://evil.example/",
        },
    )
    assert response["Location"] == home_url(biller)
    response = client.post(
        home_url(biller),
        {
            "login": user.username,
            "password": GOOD_PASSWORD,
            "next": home_url(other_biller),
        },
    )
    assert response["Location"] == home_url(biller)


def test_events_record_success_and_failure_without_the_password(client, biller, user):
    sign_in(client, biller, user.username, "Not-The-Password-11")
    sign_in(client, biller, "nobody@example.com", "Not-The-Password-11")
    sign_in(client, biller, user.username)
    events = list(
        ActivityEvent.objects.filter(biller=biller)
        .order_by("id")
        .values_list("action", "outcome", "target_id", "details")
    )
    assert events == [
        ("signin.failure", "failure", str(user.pk), {}),
        ("signin.failure", "failure", "", {}),
        ("signin.success", "success", str(user.pk), {"method": "password"}),
    ]
    text = str(list(ActivityEvent.objects.values()))
    assert "Not-The-Password-11" not in text
    assert "nobody@example.com" not in text


def test_sign_out_needs_post(client, biller, user):
    client.force_login(user)
    response = client.get(reverse("accounts:signout", args=[biller.slug]))
    assert response.status_code == 405


def test_sign_out_returns_to_sign_in_with_a_message(client, biller, user):
    sign_in(client, biller, user.username)
    response = client.post(reverse("accounts:signout", args=[biller.slug]), follow=True)
    assert response.redirect_chain == [(home_url(biller), 302)]
    body = response.content.decode()
    assert "You have signed out." in body
    assert '<label for="id_login">Username or email</label>' in body
    assert "_auth_user_id" not in client.session
    assert (
        ActivityEvent.objects.filter(
            action="session.end", target_id=str(user.pk)
        ).count()
        == 1
    )


def test_portal_home_of_a_user_of_another_biller_is_the_sign_in_page(
    client, biller, other_user
):
    sign_in(client, other_user.biller, other_user.username)
    response = client.get(home_url(biller))
    assert response.status_code == 200
    assert (
        '<label for="id_login">Username or email</label>' in response.content.decode()
    )
    assert response.context["user"].is_authenticated is False


def test_anonymous_visitor_gets_the_sign_in_page(client, biller):
    response = client.get(home_url(biller))
    assert response.context["form"].fields["login"].label == "Username or email"
    assert response.context["user"].is_authenticated is False


def test_unknown_biller_is_not_found(client):
    assert client.get("/b/no-such-biller/").status_code == 404


def test_language_switch_is_remembered_for_a_signed_in_user(client, biller, user):
    sign_in(client, biller, user.username)
    response = client.post(
        reverse("set_language"), {"language": "es", "next": home_url(biller)}
    )
    assert response.status_code == 302
    assert response.cookies["django_language"].value == "es"
    user.refresh_from_db()
    assert user.language == "es"


def test_language_switch_refuses_unknown_codes_for_the_user(client, biller, user):
    sign_in(client, biller, user.username)
    client.post(reverse("set_language"), {"language": "xx", "next": home_url(biller)})
    user.refresh_from_db()
    assert user.language == "en"


def test_user_with_a_second_factor_goes_to_the_second_step(client, biller, user):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.objects.create(user=user, name="Phone", confirmed=True)
    response = sign_in(client, biller, user.username)
    assert response["Location"] == reverse("accounts:mfa_challenge", args=[biller.slug])
    pending = client.session["bf_mfa_pending"]
    assert (pending["user"], pending["biller"]) == (user.pk, biller.pk)
    assert "_auth_user_id" not in client.session
    assert ActivityEvent.objects.filter(action="signin.success").count() == 0


def test_wrong_password_of_a_user_with_a_second_factor_is_refused_first(
    client, biller, user
):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.objects.create(user=user, name="Phone", confirmed=True)
    response = sign_in(client, biller, user.username, "Not-The-Password-11")
    assert response.status_code == 200
    assert "bf_mfa_pending" not in client.session


def test_language_chosen_before_sign_in_becomes_the_users(client, biller, user):
    client.post(reverse("set_language"), {"language": "es", "next": home_url(biller)})
    sign_in(client, biller, user.username)
    user.refresh_from_db()
    assert user.language == "es"


def test_language_the_biller_does_not_offer_is_not_taken(client, biller, user):
    biller.languages = ["en"]
    biller.save()
    client.post(reverse("set_language"), {"language": "es", "next": home_url(biller)})
    sign_in(client, biller, user.username)
    user.refresh_from_db()
    assert user.language == "en"
