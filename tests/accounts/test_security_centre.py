"""The security centre: who may see it, and every change it offers."""

import re
from unittest import mock

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from billfold.accounts.hashers import FastArgon2PasswordHasher
from billfold.accounts.models import SecurityAnswer, UserSession
from billfold.audit.models import ActivityEvent
from billfold.audit.services import event_record
from billfold.notifications.models import OutboxMessage
from tests.accounts.conftest import GOOD_PASSWORD, UserFactory
from tests.factories import BillerFactory

pytestmark = pytest.mark.django_db


NEW_PASSWORD = "Quiet-Copper-Kettle-58"
HASHER_VERIFY = FastArgon2PasswordHasher.verify
NO_STORE = "max-age=0, no-cache, no-store, must-revalidate, private"


def url(name: str, biller) -> str:
    return reverse(f"accounts:{name}", args=[biller.slug])


def sign_in(biller, user, *, ip="198.51.100.7", agent="Phone browser 1.0") -> Client:
    client = Client(REMOTE_ADDR=ip, HTTP_USER_AGENT=agent)
    response = client.post(
        url("home", biller), {"login": user.username, "password": GOOD_PASSWORD}
    )
    assert response.status_code == 302
    return client


def signed_in_at(client, biller) -> bool:
    return client.get(url("security_overview", biller)).status_code == 200


PAGES = [
    "security_overview",
    "security_password",
    "security_username",
    "security_email",
    "security_email_confirm",
    "security_questions",
]


# --- who may see it ------------------------------------------------------------


@pytest.mark.parametrize("name", PAGES)
def test_anonymous_visitor_is_sent_to_the_sign_in_page(client, biller, name):
    response = client.get(url(name, biller))
    assert response.status_code == 302
    assert (
        response["Location"]
        == f"{url('home', biller)}?next={url(name, biller).replace('/', '%2F')}"
    )


@pytest.mark.parametrize("name", PAGES)
def test_customer_of_another_biller_is_not_let_in(biller, other_user, name):
    other = sign_in(other_user.biller, other_user)
    response = other.get(url(name, biller))
    assert response.status_code == 302
    assert response["Location"].startswith(url("home", biller) + "?next=")


def test_changes_by_a_customer_of_another_biller_change_nothing(
    biller, user, other_user
):
    other = sign_in(other_user.biller, other_user)
    response = other.post(
        url("security_username", biller),
        {"current_password": GOOD_PASSWORD, "new_username": "taken-over"},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    other_user.refresh_from_db()
    assert "taken-over" not in (user.username, other_user.username)
    assert ActivityEvent.objects.filter(action="username.change").count() == 0


@pytest.mark.parametrize(
    "name",
    ["security_overview", "security_password", "security_username", "security_email"],
)
def test_pages_are_never_cached(biller, user, name):
    client = sign_in(biller, user)
    response = client.get(url(name, biller))
    assert response.status_code == 200
    assert response["Cache-Control"] == NO_STORE


# --- overview: sessions and recent sign-ins ---------------------------------------


def test_overview_lists_links_sessions_and_recent_sign_ins(biller, user):
    failed = Client(REMOTE_ADDR="192.0.2.66", HTTP_USER_AGENT="Strange bot")
    failed.post(
        url("home", biller), {"login": user.username, "password": "Wrong-Wrong-11"}
    )
    laptop = sign_in(biller, user, ip="198.51.100.8", agent="Laptop browser 2.0")
    phone = sign_in(biller, user, ip="198.51.100.7", agent="Phone browser 1.0")
    body = phone.get(url("security_overview", biller)).content.decode()
    assert f'<a href="{url("security_password", biller)}">Change password</a>' in body
    assert f'<a href="{url("security_username", biller)}">Change username</a>' in body
    assert f'<a href="{url("security_email", biller)}">Change email address</a>' in body
    assert f'<a href="{url("mfa_overview", biller)}">Two-step sign-in</a>' in body
    assert "Security questions" not in body  # the biller uses none
    assert body.count('<tr aria-current="true">') == 1
    assert "(this device)</strong></td>" in body
    assert "Laptop browser 2.0" in body
    assert body.count("<td>198.51.100.8</td>") == 2  # its session and its sign-in
    assert "<td><strong>Failed</strong></td>" in body
    assert "<td>192.0.2.66</td>" in body
    assert "Strange bot" in body
    assert body.count("<td>Signed in</td>") == 2
    assert signed_in_at(laptop, biller)


def test_recent_sign_ins_are_shown_in_the_billers_time_zone(biller, user):
    biller.timezone = "America/Los_Angeles"
    biller.save()
    client = sign_in(biller, user)
    response = client.get(url("security_overview", biller))
    event = ActivityEvent.objects.get(action="signin.success")
    local = timezone.localtime(event.created_at, biller.tzinfo)
    assert response.context["signins"] == [event]
    assert (
        "Times are in the America/Los_Angeles time zone." in response.content.decode()
    )
    assert f"{local:%-I:%M}" in response.content.decode()


def test_recent_sign_ins_are_the_newest_twenty_of_this_user_only(biller, user):
    someone = UserFactory(biller=biller)
    for target in [user] * 22 + [someone]:
        event_record(
            biller=biller,
            actor_kind="anonymous",
            action="signin.failure",
            outcome="failure",
            target=target,
        )
    client = sign_in(biller, user)
    signins = client.get(url("security_overview", biller)).context["signins"]
    assert len(signins) == 20
    assert signins[0].action == "signin.success"
    assert {e.target_id for e in signins} == {str(user.pk)}


def test_sign_out_everywhere_else_ends_the_other_sessions(biller, user):
    laptop = sign_in(biller, user, agent="Laptop")
    phone = sign_in(biller, user, agent="Phone")
    laptop_cookie = laptop.cookies["sessionid"].value
    response = phone.post(url("security_sessions_end_others", biller))
    assert response.status_code == 302
    assert response["Location"] == url("security_overview", biller)
    page = phone.get(response["Location"]).content.decode()
    assert "You have been signed out everywhere else (1 session ended)." in page
    assert not signed_in_at(laptop, biller)
    # The copied cookie is refused too: the session is gone on the server.
    replay = Client()
    replay.cookies["sessionid"] = laptop_cookie
    assert not signed_in_at(replay, biller)
    assert signed_in_at(phone, biller)
    assert UserSession.objects.filter(user=user, ended_at__isnull=True).count() == 1
    event = ActivityEvent.objects.get(action="session.end_all")
    assert event.details == {"reason": "end_others", "ended": 1}


def test_sign_out_everywhere_else_needs_a_post(biller, user):
    client = sign_in(biller, user)
    assert client.get(url("security_sessions_end_others", biller)).status_code == 405


# --- password ------------------------------------------------------------------------


def change_password(
    client, biller, current=GOOD_PASSWORD, new=NEW_PASSWORD, confirm=None
):
    return client.post(
        url("security_password", biller),
        {
            "current_password": current,
            "new_password1": new,
            "new_password2": new if confirm is None else confirm,
        },
    )


def test_password_change_page_has_the_fields_and_the_checklist(biller, user):
    body = sign_in(biller, user).get(url("security_password", biller)).content.decode()
    assert '<label for="id_current_password">Current password</label>' in body
    assert 'autocomplete="current-password"' in body
    assert '<label for="id_new_password1">New password</label>' in body
    assert '<label for="id_new_password2">Confirm new password</label>' in body
    assert '<li data-rule="min_length" data-count="15">' in body
    assert '<button type="submit">Change password</button>' in body


def test_password_change_ends_other_sessions_records_and_notifies(biller, user):
    other = sign_in(biller, user, agent="Laptop")
    client = sign_in(biller, user)
    response = change_password(client, biller)
    assert response.status_code == 302
    assert response["Location"] == url("security_overview", biller)
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert signed_in_at(client, biller)
    assert not signed_in_at(other, biller)
    event = ActivityEvent.objects.get(action="password.change")
    assert (event.actor_kind, event.actor_id, event.details) == (
        "customer",
        str(user.pk),
        {"reason": "change"},
    )
    assert ActivityEvent.objects.get(action="session.end_all").details == {
        "reason": "password_change",
        "ended": 1,
    }
    notice = OutboxMessage.objects.get(kind="password_changed")
    assert notice.to_address == user.email


def test_wrong_current_password_changes_nothing(biller, user):
    client = sign_in(biller, user)
    response = change_password(client, biller, current="Not-My-Password-1")
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "current_password": ["That is not your current password."]
    }
    user.refresh_from_db()
    assert user.check_password(GOOD_PASSWORD)
    assert OutboxMessage.objects.filter(kind="password_changed").count() == 0


def test_re_authentication_is_throttled_before_the_password_is_checked(biller, user):
    client = sign_in(biller, user)
    for _n in range(5):
        change_password(client, biller, current="Not-My-Password-1")
    response = change_password(client, biller)
    assert response.context["form"].errors["current_password"] == [
        "Too many wrong passwords. Wait 15 minutes and try again."
    ]
    user.refresh_from_db()
    assert user.check_password(GOOD_PASSWORD)


def test_password_change_shows_policy_problems_and_mismatch(biller, user):
    client = sign_in(biller, user)
    response = change_password(client, biller, new="password123", confirm="password124")
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "new_password1": [
            "Use at least 15 characters.",
            "This password is too common or is known from a data breach. Choose another.",
        ]
    }
    response = change_password(client, biller, confirm="Quiet-Copper-Kettle-59")
    assert response.context["form"].errors == {
        "new_password2": ["The two passwords do not match."]
    }


def test_password_reuse_is_refused_on_the_page(user):
    biller = user.biller
    biller.password_history = 2
    biller.save()
    client = sign_in(biller, user)
    response = change_password(client, biller, new=GOOD_PASSWORD)
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "new_password1": [
            "You have used this password before. Choose one you have not used."
        ]
    }


# --- username ------------------------------------------------------------------------


def change_username(client, biller, new, current=GOOD_PASSWORD):
    return client.post(
        url("security_username", biller),
        {"current_password": current, "new_username": new},
    )


def test_username_change_records_and_notifies_the_email_of_record(biller, user):
    old = user.username
    client = sign_in(biller, user)
    response = change_username(client, biller, "river.otter")
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.username == "river.otter"
    event = ActivityEvent.objects.get(action="username.change")
    assert (event.outcome, event.details) == ("success", {})
    notice = OutboxMessage.objects.get(kind="username_changed")
    assert notice.to_address == user.email
    assert old in notice.body_text and "river.otter" in notice.body_text
    # The new username signs in.
    assert sign_in(biller, user)


def test_username_change_answers_the_same_for_a_taken_and_a_free_name(biller, user):
    UserFactory(biller=biller, username="heron")
    UserFactory(biller=BillerFactory(), username="egret")  # another biller: free here
    client = sign_in(biller, user)
    with mock.patch.object(
        FastArgon2PasswordHasher, "verify", autospec=True, side_effect=HASHER_VERIFY
    ) as verify:
        taken = change_username(client, biller, "HERON")
        hashes_taken = verify.call_count
        free = change_username(client, biller, "egret")
        hashes_free = verify.call_count - hashes_taken
    assert hashes_taken == hashes_free == 1
    assert (taken.status_code, taken["Location"], taken.content) == (
        free.status_code,
        free["Location"],
        free.content,
    )
    assert taken.status_code == 302
    assert taken["Location"] == url("security_overview", biller)
    user.refresh_from_db()
    assert user.username == "egret"
    outcomes = list(
        ActivityEvent.objects.filter(action="username.change")
        .order_by("id")
        .values_list("outcome", "details")
    )
    assert outcomes == [("failure", {"reason": "unavailable"}), ("success", {})]
    assert OutboxMessage.objects.filter(kind="username_changed").count() == 1
    # Only the email of record learns that the name was taken.
    unavailable = OutboxMessage.objects.get(kind="username_unavailable")
    assert (unavailable.to_address, unavailable.user_id) == (user.email, user.pk)
    assert (
        f"You asked to change the username of your {biller.name} account to HERON, "
        "but another account already uses that name." in unavailable.body_text
    )


def test_username_may_not_be_another_accounts_email(biller, user):
    UserFactory(biller=biller, username="kingfisher", email="kingfisher@example.org")
    client = sign_in(biller, user)
    change_username(client, biller, "kingfisher@example.org")
    user.refresh_from_db()
    assert user.username != "kingfisher@example.org"


@pytest.mark.parametrize(
    ("new", "error"),
    [
        ("ab", "Ensure this value has at least 3 characters (it has 2)."),
        ("river otter", "Use only letters, digits and . - _ @ +."),
        (
            "otter@elsewhere.example",
            "A username with @ must be your own email address.",
        ),
    ],
)
def test_username_rules_are_explained_on_the_field(biller, user, new, error):
    client = sign_in(biller, user)
    response = change_username(client, biller, new)
    assert response.status_code == 200
    assert response.context["form"].errors == {"new_username": [error]}


def test_username_change_needs_the_current_password(biller, user):
    client = sign_in(biller, user)
    response = change_username(client, biller, "river.otter", current="Wrong-Pass-99")
    assert response.context["form"].errors == {
        "current_password": ["That is not your current password."]
    }
    user.refresh_from_db()
    assert user.username != "river.otter"


# --- email ---------------------------------------------------------------------------


def code_sent_to(address: str) -> str:
    message = OutboxMessage.objects.filter(
        kind="verification_code", to_address=address
    ).latest("id")
    return re.search(r"\b(\d{8})\b", message.body_text).group(1)


def start_email_change(client, biller, new, current=GOOD_PASSWORD):
    return client.post(
        url("security_email", biller), {"current_password": current, "new_email": new}
    )


def test_email_change_verifies_the_new_address_and_notifies_the_old(biller, user):
    old = user.email
    client = sign_in(biller, user)
    response = start_email_change(client, biller, "New.Address@Example.net")
    assert response.status_code == 302
    assert response["Location"] == url("security_email_confirm", biller)
    user.refresh_from_db()
    assert user.email == old  # nothing changes before the code comes back
    page = client.get(url("security_email_confirm", biller)).content.decode()
    assert "<strong>new.address@example.net</strong>" in page
    code = code_sent_to("new.address@example.net")
    response = client.post(url("security_email_confirm", biller), {"code": code})
    assert response.status_code == 302
    assert response["Location"] == url("security_overview", biller)
    user.refresh_from_db()
    assert (user.email, user.email_verified) == ("new.address@example.net", True)
    # The username was the old address; it follows the email.
    assert user.username == "new.address@example.net"
    event = ActivityEvent.objects.get(action="email.change")
    assert event.details == {"username_followed": True}
    notice = OutboxMessage.objects.get(kind="email_changed")
    assert notice.to_address == old


def test_email_change_keeps_a_chosen_username(biller, user):
    user.username = "river.otter"
    user.save()
    client = sign_in(biller, user)
    start_email_change(client, biller, "otter@example.net")
    client.post(
        url("security_email_confirm", biller),
        {"code": code_sent_to("otter@example.net")},
    )
    user.refresh_from_db()
    assert (user.username, user.email) == ("river.otter", "otter@example.net")


def test_wrong_code_changes_nothing(biller, user):
    old = user.email
    client = sign_in(biller, user)
    start_email_change(client, biller, "otter@example.net")
    response = client.post(url("security_email_confirm", biller), {"code": "00000000"})
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "code": ["That code is not right, or it has expired."]
    }
    user.refresh_from_db()
    assert user.email == old
    assert OutboxMessage.objects.filter(kind="email_changed").count() == 0


def test_new_code_for_the_same_change_keeps_the_failures(biller, user):
    client = sign_in(biller, user)
    start_email_change(client, biller, "otter@example.net")
    for _n in range(5):
        client.post(url("security_email_confirm", biller), {"code": "00000000"})
    client.post(url("security_email_confirm", biller), {"resend": "1"})
    response = client.post(
        url("security_email_confirm", biller),
        {"code": code_sent_to("otter@example.net")},
    )
    assert response.status_code == 200
    user.refresh_from_db()
    assert user.email != "otter@example.net"


def test_address_taken_meanwhile_is_refused_at_the_code(biller, user):
    client = sign_in(biller, user)
    start_email_change(client, biller, "otter@example.net")
    UserFactory(biller=biller, username="otter@example.net")
    response = client.post(
        url("security_email_confirm", biller),
        {"code": code_sent_to("otter@example.net")},
    )
    assert response.context["form"].errors == {
        "code": ["This address cannot be used for your account."]
    }


def test_placeholder_address_is_refused(user):
    biller = user.biller
    biller.placeholder_emails = ["blackhole@biller.example"]
    biller.save()
    client = sign_in(biller, user)
    response = start_email_change(client, biller, "Blackhole@biller.example")
    assert response.context["form"].errors == {
        "new_email": ["This address cannot receive email."]
    }
    assert OutboxMessage.objects.filter(kind="verification_code").count() == 0


def test_code_page_without_a_pending_change_goes_back_to_the_form(biller, user):
    client = sign_in(biller, user)
    response = client.get(url("security_email_confirm", biller))
    assert response.status_code == 302
    assert response["Location"] == url("security_email", biller)


# --- security questions -------------------------------------------------------------


def test_questions_page_is_absent_when_the_biller_uses_none(biller, user):
    client = sign_in(biller, user)
    assert client.get(url("security_questions", biller)).status_code == 404


def test_questions_are_replaced_after_re_authentication(user):
    biller = user.biller
    biller.security_question_count = 2
    biller.save()
    for question in ("first_pet", "birth_city"):
        SecurityAnswer.objects.create(user=user, question=question, answer="x")
    client = sign_in(biller, user)
    assert f'<a href="{url("security_questions", biller)}">Security questions</a>' in (
        client.get(url("security_overview", biller)).content.decode()
    )
    answers = {
        "question_1": "first_car",
        "answer_1": "Volvo",
        "question_2": "first_job",
        "answer_2": "Acme Mills",
    }
    refused = client.post(
        url("security_questions", biller), {"current_password": "Wrong-1", **answers}
    )
    assert refused.status_code == 200
    assert set(
        SecurityAnswer.objects.filter(user=user).values_list("question", flat=True)
    ) == {
        "first_pet",
        "birth_city",
    }
    response = client.post(
        url("security_questions", biller),
        {"current_password": GOOD_PASSWORD, **answers},
    )
    assert response.status_code == 302
    assert set(
        SecurityAnswer.objects.filter(user=user).values_list("question", flat=True)
    ) == {
        "first_car",
        "first_job",
    }


# --- language ------------------------------------------------------------------------


def test_security_centre_is_in_spanish(biller, user):
    client = sign_in(biller, user)
    body = client.get(
        url("security_password", biller), headers={"accept-language": "es"}
    ).content.decode()
    assert "<h1>Cambiar su contraseña</h1>" in body
    assert '<label for="id_new_password1">Contraseña nueva</label>' in body
    assert "Al menos 15 caracteres" in body
    assert "(se comprueba al enviar)" in body


def test_codes_for_email_changes_are_limited_per_user(biller, user):
    client = sign_in(biller, user)
    for n in range(5):
        response = start_email_change(client, biller, f"otter{n}@example.net")
        assert response.status_code == 302
    response = start_email_change(client, biller, "otter9@example.net")
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "new_email": ["Too many codes sent. Wait 15 minutes and try again."]
    }
    assert OutboxMessage.objects.filter(kind="verification_code").count() == 5
    # A new code for the pending change is refused too, and the change stays.
    response = client.post(url("security_email_confirm", biller), {"resend": "1"})
    assert response["Location"] == url("security_email_confirm", biller)
    assert OutboxMessage.objects.filter(kind="verification_code").count() == 5
    response = client.post(
        url("security_email_confirm", biller),
        {"code": code_sent_to("otter4@example.net")},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.email == "otter4@example.net"
