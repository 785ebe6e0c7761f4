"""Failed sign-ins are limited per account and per client address, in windows."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from billfold.accounts.throttle import (
    client_key,
    login_key,
    throttle_hit,
    user_locked,
    user_unlock,
)
from billfold.audit.models import ActivityEvent
from tests.accounts.conftest import GOOD_PASSWORD, UserFactory, actions_on

pytestmark = pytest.mark.django_db

START = datetime.datetime(2026, 11, 2, 9, 0, tzinfo=datetime.UTC)


def sign_in(client, biller, login, password="Wrong-Password-42", **extra):
    return client.post(
        reverse("accounts:home", args=[biller.slug]),
        {"login": login, "password": password},
        **extra,
    )


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_login_key_ignores_case_and_surrounding_spaces(biller):
    assert login_key(biller, "JOHN") == login_key(biller, " john ")
    assert login_key(biller, "john") != login_key(biller, "jon")


def test_login_key_differs_per_biller(biller, other_biller):
    assert login_key(biller, "john") != login_key(other_biller, "john")


def test_five_failures_pause_the_account_across_case_variants(client, biller, user):
    name = user.username
    for login in (name.upper(), name, f" {name.title()} ", name.swapcase(), name):
        sign_in(client, biller, login)
    assert user_locked(user) is True
    sign_in(client, biller, name.upper(), GOOD_PASSWORD)
    assert signed_in(client) is False


def test_right_password_is_refused_while_paused(client, biller, user):
    for _ in range(5):
        sign_in(client, biller, user.username)
    response = sign_in(client, biller, user.username, GOOD_PASSWORD)
    assert response.status_code == 200
    assert signed_in(client) is False


def test_four_failures_do_not_pause(client, biller, user):
    for _ in range(4):
        sign_in(client, biller, user.username)
    sign_in(client, biller, user.username, GOOD_PASSWORD)
    assert signed_in(client) is True


def test_success_clears_the_account_counter(client, biller, user):
    for _ in range(4):
        sign_in(client, biller, user.username)
    sign_in(client, biller, user.username, GOOD_PASSWORD)
    client.logout()
    for _ in range(4):
        sign_in(client, biller, user.username)
    assert user_locked(user) is False


def test_pause_ends_when_the_window_closes(client, biller, user):
    with time_machine.travel(START, tick=False) as traveller:
        for _ in range(5):
            sign_in(client, biller, user.username)
        assert user_locked(user) is True
        traveller.shift(datetime.timedelta(minutes=14, seconds=59))
        assert user_locked(user) is True
        traveller.shift(datetime.timedelta(seconds=2))
        assert user_locked(user) is False
        sign_in(client, biller, user.username, GOOD_PASSWORD)
        assert signed_in(client) is True


def test_client_address_is_limited_across_accounts(client, biller, user):
    for n in range(20):
        sign_in(client, biller, f"someone{n}@example.com", REMOTE_ADDR="203.0.113.9")
    sign_in(client, biller, user.username, GOOD_PASSWORD, REMOTE_ADDR="203.0.113.9")
    assert signed_in(client) is False
    sign_in(client, biller, user.username, GOOD_PASSWORD, REMOTE_ADDR="203.0.113.10")
    assert signed_in(client) is True


@pytest.mark.parametrize(
    ("proxies", "remote_addr", "forwarded_for"),
    [
        pytest.param(0, "203.0.113.9", "198.51.100.{n}", id="without_proxies"),
        # The client writes the left part; the proxy appends the real address.
        pytest.param(
            1, "10.0.0.2", "198.51.100.{n}, 203.0.113.9", id="behind_one_proxy"
        ),
    ],
)
def test_spoofed_forwarded_for_does_not_dodge_the_limit(
    client, biller, user, settings, proxies, remote_addr, forwarded_for
):
    settings.BILLFOLD_TRUSTED_PROXIES = proxies
    for n in range(20):
        sign_in(
            client,
            biller,
            f"someone{n}@example.com",
            REMOTE_ADDR=remote_addr,
            HTTP_X_FORWARDED_FOR=forwarded_for.format(n=n),
        )
    sign_in(
        client,
        biller,
        user.username,
        GOOD_PASSWORD,
        REMOTE_ADDR=remote_addr,
        HTTP_X_FORWARDED_FOR=forwarded_for.format(n=200),
    )
    assert signed_in(client) is False


def test_client_key_uses_the_proxy_reported_address(rf, settings):
    settings.BILLFOLD_TRUSTED_PROXIES = 1
    request = rf.get(
        "/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.9"
    )
    assert client_key(request) == "ip:203.0.113.9"


def test_lock_event_is_written_once_and_throttled_attempts_are_recorded(
    client, biller, user
):
    for _ in range(7):
        sign_in(client, biller, user.username)
    actions = actions_on(user)
    assert actions == [
        *["signin.failure"] * 4,
        "signin.failure",
        "account.locked",
        "signin.throttled",
        "signin.throttled",
    ]


def test_unlock_clears_the_pause_and_is_recorded(client, biller, user):
    for _ in range(5):
        sign_in(client, biller, user.username)
    for _ in range(5):
        sign_in(client, biller, user.email.upper())
    assert user_locked(user) is True
    user_unlock(user=user, actor_kind="agent", actor_id=7)
    assert user_locked(user) is False
    event = ActivityEvent.objects.get(action="account.unlocked")
    assert (event.actor_kind, event.actor_id, event.target_id, event.details) == (
        "agent",
        "7",
        str(user.pk),
        {"was_locked": True},
    )
    sign_in(client, biller, user.username, GOOD_PASSWORD)
    assert signed_in(client) is True


def test_locked_state_is_seen_through_the_email_too(biller):
    person = UserFactory(biller=biller, username="jdoe", email="jdoe@example.com")
    for _ in range(5):
        throttle_hit("signin", login_key(biller, "JDOE@example.com"))
    assert user_locked(person) is True
