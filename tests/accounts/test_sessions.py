"""Sessions: key rotation, server-side sign-out, replay, timeouts, biller binding."""

import datetime

import pytest
import time_machine
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from billfold.accounts.models import UserSession
from billfold.accounts.services import sessions_end_all
from billfold.audit.models import ActivityEvent
from tests.accounts.conftest import GOOD_PASSWORD

pytestmark = pytest.mark.django_db

START = datetime.datetime(2026, 11, 2, 9, 0, tzinfo=datetime.UTC)


def home_url(biller) -> str:
    return reverse("accounts:home", args=[biller.slug])


def sign_in(client, biller, user, **extra):
    response = client.post(
        home_url(biller), {"login": user.username, "password": GOOD_PASSWORD}, **extra
    )
    assert response.status_code == 302
    return client.cookies["sessionid"].value


def signed_in_at(client, biller) -> bool:
    return client.get(home_url(biller), follow=True).context["user"].is_authenticated


def replay(cookie: str) -> Client:
    intruder = Client()
    intruder.cookies["sessionid"] = cookie
    return intruder


def test_session_key_changes_at_sign_in(client, biller, user):
    session = client.session
    session["planted"] = "by someone else"
    session.save()
    planted = session.session_key
    client.cookies["sessionid"] = planted
    new_key = sign_in(client, biller, user)
    assert new_key != planted
    assert Session.objects.filter(session_key=planted).exists() is False
    assert Session.objects.filter(session_key=new_key).exists() is True


def test_sign_in_records_the_session_with_address_and_device(client, biller, user):
    key = sign_in(
        client, biller, user, REMOTE_ADDR="203.0.113.5", HTTP_USER_AGENT="Phone/1.0"
    )
    row = UserSession.objects.get(user=user)
    assert (row.session_key, row.ip, row.user_agent, row.ended_at) == (
        key,
        "203.0.113.5",
        "Phone/1.0",
        None,
    )


def test_session_cookie_is_httponly_and_samesite_lax(client, biller, user):
    response = client.post(
        home_url(biller), {"login": user.username, "password": GOOD_PASSWORD}
    )
    cookie = response.cookies["sessionid"]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"


def test_cookie_replayed_after_sign_out_is_refused(client, biller, user):
    cookie = sign_in(client, biller, user)
    assert signed_in_at(replay(cookie), biller) is True
    client.post(reverse("accounts:signout", args=[biller.slug]))
    assert Session.objects.filter(session_key=cookie).exists() is False
    assert signed_in_at(replay(cookie), biller) is False
    row = UserSession.objects.get(session_key=cookie)
    assert row.ended_at is not None


def test_end_all_refuses_the_other_sessions_and_keeps_this_one(biller, user):
    here, phone, laptop = Client(), Client(), Client()
    keep = sign_in(here, biller, user)
    phone_cookie = sign_in(phone, biller, user)
    laptop_cookie = sign_in(laptop, biller, user)
    ended = sessions_end_all(
        user=user,
        except_session_key=keep,
        actor_kind="customer",
        actor_id=user.pk,
        reason="password_change",
    )
    assert ended == 2
    assert signed_in_at(replay(phone_cookie), biller) is False
    assert signed_in_at(replay(laptop_cookie), biller) is False
    assert signed_in_at(here, biller) is True
    assert list(
        UserSession.objects.filter(user=user, ended_at__isnull=True).values_list(
            "session_key", flat=True
        )
    ) == [keep]
    event = ActivityEvent.objects.get(action="session.end_all")
    assert event.details == {"reason": "password_change", "ended": 2}


def test_end_all_without_exception_ends_every_session(biller, user):
    first, second = Client(), Client()
    sign_in(first, biller, user)
    sign_in(second, biller, user)
    ended = sessions_end_all(user=user, actor_kind="agent", actor_id=3, reason="agent")
    assert ended == 2
    assert signed_in_at(first, biller) is False
    assert signed_in_at(second, biller) is False


def test_idle_session_expires_with_a_message(client, biller, user):
    biller.session_idle_minutes = 30
    biller.save()
    with time_machine.travel(START, tick=False) as traveller:
        key = sign_in(client, biller, user)
        traveller.shift(datetime.timedelta(minutes=29))
        assert signed_in_at(client, biller) is True
        traveller.shift(datetime.timedelta(minutes=29))
        assert signed_in_at(client, biller) is True
        traveller.shift(datetime.timedelta(minutes=30, seconds=1))
        response = client.get(home_url(biller), follow=True)
        assert response.redirect_chain == [(home_url(biller), 302)]
        assert (
            "Your session has ended. Please sign in again." in response.content.decode()
        )
        assert response.context["user"].is_authenticated is False
    assert Session.objects.filter(session_key=key).exists() is False
    assert UserSession.objects.get(session_key=key).ended_at is not None
    assert (
        ActivityEvent.objects.filter(
            action="session.expired", target_id=str(user.pk)
        ).count()
        == 1
    )


def test_session_expires_after_the_absolute_limit_even_when_busy(client, biller, user):
    biller.session_idle_minutes = 30
    biller.session_absolute_hours = 1
    biller.save()
    with time_machine.travel(START, tick=False) as traveller:
        sign_in(client, biller, user)
        for _ in range(3):
            traveller.shift(datetime.timedelta(minutes=20))
            assert signed_in_at(client, biller) is True
        traveller.shift(datetime.timedelta(minutes=1))
        response = client.get(home_url(biller))
        assert response.status_code == 302
        assert signed_in_at(client, biller) is False


def test_last_seen_is_updated_at_most_once_a_minute(client, biller, user):
    with time_machine.travel(START, tick=False) as traveller:
        sign_in(client, biller, user)
        traveller.shift(datetime.timedelta(seconds=30))
        client.get(home_url(biller))
        assert UserSession.objects.get(user=user).last_seen_at == START
        traveller.shift(datetime.timedelta(seconds=31))
        client.get(home_url(biller))
        assert UserSession.objects.get(
            user=user
        ).last_seen_at == START + datetime.timedelta(seconds=61)


def test_session_of_one_biller_is_not_signed_in_at_another(
    client, biller, other_biller, user
):
    sign_in(client, biller, user)
    assert signed_in_at(client, other_biller) is False
    assert signed_in_at(client, biller) is True


def test_sign_out_at_another_biller_leaves_the_session_alone(
    client, biller, other_biller, user
):
    cookie = sign_in(client, biller, user)
    response = client.post(reverse("accounts:signout", args=[other_biller.slug]))
    assert response["Location"] == home_url(other_biller)
    assert Session.objects.filter(session_key=cookie).exists() is True
    assert signed_in_at(client, biller) is True


def test_portal_home_is_never_cached(client, biller, user):
    sign_in(client, biller, user)
    response = client.get(home_url(biller))
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


def test_signing_in_as_someone_else_ends_the_earlier_session(
    client, biller, other_biller, user, other_user
):
    first = sign_in(client, biller, user)
    second = sign_in(client, other_biller, other_user)
    assert first != second
    assert Session.objects.filter(session_key=first).exists() is False
    assert UserSession.objects.get(session_key=first).ended_at is not None
    assert UserSession.objects.get(session_key=second).ended_at is None


def test_session_signed_in_by_another_path_starts_its_clocks_at_first_use(
    client, biller, user
):
    biller.session_idle_minutes = 30
    biller.save()
    with time_machine.travel(START, tick=False) as traveller:
        client.force_login(user)
        assert signed_in_at(client, biller) is True
        traveller.shift(datetime.timedelta(minutes=31))
        assert signed_in_at(client, biller) is False
