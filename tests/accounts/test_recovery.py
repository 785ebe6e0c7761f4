"""Forgot password (seed 002): email + ALTCHA → send code → code → question → password."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from billfold.accounts.models import OneTimeCode
from billfold.accounts.questions import security_answers_set
from billfold.accounts.recovery.services import SESSION_KEY
from billfold.audit.models import ActivityEvent
from billfold.notifications.models import OutboxMessage
from tests.accounts.conftest import actions_on
from tests.accounts.test_recovery_support import (
    NEW_PASSWORD,
    OLD_PASSWORD,
    altcha_solve,
    choose,
    code_from_outbox,
    enter_code,
    new_password_set,
    pass_the_code_step,
    recovery_biller,
    recovery_user,
    start,
    url,
    wrong,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("small_altcha")]


@pytest.fixture
def rbiller():
    return recovery_biller()


@pytest.fixture
def ruser(rbiller):
    user = recovery_user(rbiller)
    security_answers_set(
        user=user,
        answers={"first_pet": "Fluffy"},
        actor_kind="customer",
        actor_id=user.pk,
    )
    return user


def signed_in_client(biller, user) -> Client:
    """A browser signed in through the real sign-in page."""
    other = Client()
    response = other.post(
        url("home", biller), {"login": user.username, "password": OLD_PASSWORD}
    )
    assert response.status_code == 302
    assert other.get(url("home", biller)).context["user"] == user
    return other


def test_start_page_has_the_email_field_the_widget_and_a_no_script_notice(
    client, rbiller
):
    response = client.get(url("recover_start", rbiller))

    body = response.content.decode()
    assert response.status_code == 200
    assert response["Cache-Control"].count("no-store") == 1
    assert '<label for="id_email">Email address</label>' in body
    assert "<altcha-widget" in body
    assert "altcha-3.2.2.min.js" in body
    assert "This check needs JavaScript. If you cannot use it, call 555-0100." in body


def test_whole_flow_changes_the_password_and_ends_every_session(client, rbiller, ruser):
    other_browser = signed_in_client(rbiller, ruser)

    response = start(client, rbiller, "John@Example.com")
    assert response.status_code == 302
    assert response["Location"] == url("recover_choose", rbiller)

    page = client.get(url("recover_choose", rbiller))
    assert "no-store" in page["Cache-Control"]
    assert "j***@e******.com" in page.content.decode()
    assert "Where should we send your recovery code?" in page.content.decode()

    response = choose(client, rbiller)
    assert response["Location"] == url("recover_code", rbiller)
    code = code_from_outbox("john@example.com")

    response = enter_code(client, rbiller, code)
    assert response["Location"] == url("recover_question", rbiller)

    page = client.get(url("recover_question", rbiller))
    assert "no-store" in page["Cache-Control"]
    assert "What was the name of your first pet?" in page.content.decode()
    response = client.post(url("recover_question", rbiller), {"answer": " fluffy! "})
    assert response["Location"] == url("recover_password", rbiller)

    response = new_password_set(client, rbiller)
    assert response["Location"] == url("recover_done", rbiller)
    done = client.get(url("recover_done", rbiller))
    assert "no-store" in done["Cache-Control"]
    body = done.content.decode()
    assert "Your password has been changed." in body
    assert f'<a href="{url("home", rbiller)}">Click here to log in</a>' in body

    ruser.refresh_from_db()
    assert ruser.check_password(NEW_PASSWORD)
    # Never signed in by a reset: the recovering browser is still anonymous.
    assert "_auth_user_id" not in client.session
    assert SESSION_KEY not in client.session
    # The old session's cookie is refused now.
    assert other_browser.get(url("home", rbiller)).context["user"].is_anonymous
    assert list(
        OutboxMessage.objects.filter(to_address="john@example.com")
        .order_by("id")
        .values_list("kind", flat=True)
    ) == ["recovery_code", "password_changed"]
    actions = actions_on(ruser)
    assert actions[actions.index("code.sent") :] == [
        "code.sent",
        "code.used",
        "security_question.passed",
        "password.change",
        "session.end_all",
        "account.unlocked",
        "password.reset",
    ]
    reset = ActivityEvent.objects.get(action="password.reset")
    assert reset.details == {"sessions_ended": 1}
    assert code not in str(
        list(ActivityEvent.objects.values_list("details", flat=True))
    )


def test_user_without_security_answers_goes_from_code_to_password(client, rbiller):
    recovery_user(rbiller)

    response = pass_the_code_step(client, rbiller)

    assert response["Location"] == url("recover_password", rbiller)


def test_unknown_email_walks_the_same_screens_and_nothing_is_sent(client, rbiller):
    response = start(client, rbiller, "nobody@example.com")
    assert response["Location"] == url("recover_choose", rbiller)
    page = client.get(url("recover_choose", rbiller))
    assert "n*****@e******.com" in page.content.decode()

    response = choose(client, rbiller)
    assert response["Location"] == url("recover_code", rbiller)
    row = OneTimeCode.objects.get()
    assert row.user is None

    response = enter_code(client, rbiller, "12345678")
    assert response.status_code == 200
    assert "That code is not right or has expired." in response.content.decode()
    assert OutboxMessage.objects.count() == 0
    assert client.get(url("recover_question", rbiller))["Location"] == url(
        "recover_start", rbiller
    )


def test_placeholder_address_is_treated_as_unknown(client):
    biller = recovery_biller(placeholder_emails=["blackhole@mhtc.net"])
    recovery_user(biller, email="blackhole@mhtc.net")

    start(client, biller, "Blackhole@MHTC.net")
    page = client.get(url("recover_choose", biller))
    choose(client, biller)

    assert "b********@m***.net" in page.content.decode()
    assert OneTimeCode.objects.get().user is None
    assert OutboxMessage.objects.count() == 0


def test_user_of_another_biller_is_treated_as_unknown(client, rbiller):
    elsewhere = recovery_biller()
    recovery_user(elsewhere, email="john@example.com")

    start(client, rbiller, "john@example.com")
    choose(client, rbiller)

    assert OneTimeCode.objects.get().user is None
    assert OutboxMessage.objects.count() == 0


def test_unverified_address_is_treated_as_unknown(client, rbiller):
    recovery_user(rbiller, email_verified=False)

    start(client, rbiller, "john@example.com")
    choose(client, rbiller)

    assert OneTimeCode.objects.get().user is None
    assert OutboxMessage.objects.count() == 0


def test_five_wrong_codes_end_the_flow(client, rbiller, ruser):
    start(client, rbiller, "john@example.com")
    choose(client, rbiller)
    code = code_from_outbox("john@example.com")

    answers = [enter_code(client, rbiller, wrong(code)) for _ in range(5)]

    assert [r.status_code for r in answers[:4]] == [200, 200, 200, 200]
    assert answers[4].status_code == 302
    assert answers[4]["Location"] == url("recover_start", rbiller)
    assert SESSION_KEY not in client.session
    follow = client.get(url("recover_start", rbiller))
    assert (
        "Too many wrong codes. Start again to get a new code."
        in follow.content.decode()
    )
    assert enter_code(client, rbiller, code)["Location"] == url(
        "recover_start", rbiller
    )


def test_send_a_new_code_keeps_the_failures(client, rbiller, ruser):
    start(client, rbiller, "john@example.com")
    choose(client, rbiller)
    first = code_from_outbox("john@example.com")
    for _ in range(4):
        enter_code(client, rbiller, wrong(first))

    response = client.post(url("recover_code", rbiller), {"resend": "1"})
    second = code_from_outbox("john@example.com")

    assert response["Location"] == url("recover_code", rbiller)
    assert OutboxMessage.objects.filter(kind="recovery_code").count() == 2
    last_try = enter_code(client, rbiller, wrong(second))
    assert last_try["Location"] == url("recover_start", rbiller)


def test_old_code_is_refused_after_a_new_one_is_sent(client, rbiller, ruser):
    start(client, rbiller, "john@example.com")
    choose(client, rbiller)
    first = code_from_outbox("john@example.com")
    client.post(url("recover_code", rbiller), {"resend": "1"})

    response = enter_code(client, rbiller, first)

    assert response.status_code == 200
    assert "That code is not right or has expired." in response.content.decode()


def test_resend_is_limited_per_flow(client, rbiller, ruser):
    start(client, rbiller, "john@example.com")
    choose(client, rbiller)

    for _ in range(3):
        client.post(url("recover_code", rbiller), {"resend": "1"})

    assert OutboxMessage.objects.filter(kind="recovery_code").count() == 3
    page = client.get(url("recover_code", rbiller))
    assert "You cannot ask for more codes." in page.content.decode()


def test_five_wrong_answers_end_the_flow(client, rbiller, ruser):
    pass_the_code_step(client, rbiller)

    answers = [
        client.post(url("recover_question", rbiller), {"answer": "Rex"})
        for _ in range(5)
    ]

    assert [r.status_code for r in answers[:4]] == [200, 200, 200, 200]
    assert "That answer is not right." in answers[0].content.decode()
    assert answers[4]["Location"] == url("recover_start", rbiller)
    assert client.get(url("recover_password", rbiller))["Location"] == url(
        "recover_start", rbiller
    )
    assert ActivityEvent.objects.filter(action="security_question.failed").count() == 5


@pytest.mark.parametrize(
    "step", ["recover_choose", "recover_code", "recover_question", "recover_password"]
)
def test_a_step_without_its_previous_step_sends_back_to_start(client, rbiller, step):
    response = client.get(url(step, rbiller))

    assert response.status_code == 302
    assert response["Location"] == url("recover_start", rbiller)


def test_skipping_the_code_step_sends_back_to_start(client, rbiller, ruser):
    start(client, rbiller, "john@example.com")
    choose(client, rbiller)

    for step in ("recover_question", "recover_password", "recover_done"):
        assert client.get(url(step, rbiller))["Location"] == url(
            "recover_start", rbiller
        )
    response = new_password_set(client, rbiller)
    assert response["Location"] == url("recover_start", rbiller)
    ruser.refresh_from_db()
    assert ruser.check_password(OLD_PASSWORD)


def test_flow_of_one_biller_does_not_carry_to_another(client, rbiller, ruser):
    elsewhere = recovery_biller()
    start(client, rbiller, "john@example.com")

    response = client.get(url("recover_choose", elsewhere))

    assert response["Location"] == url("recover_start", elsewhere)


def test_refused_password_keeps_the_old_one_and_the_step(client, rbiller):
    user = recovery_user(rbiller)
    pass_the_code_step(client, rbiller)

    response = client.post(
        url("recover_password", rbiller),
        {"new_password1": "short", "new_password2": "short"},
    )

    assert response.status_code == 200
    user.refresh_from_db()
    assert user.check_password(OLD_PASSWORD)
    assert not ActivityEvent.objects.filter(action="password.reset").exists()


def test_missing_altcha_is_refused(client, rbiller, ruser):
    response = client.post(url("recover_start", rbiller), {"email": "john@example.com"})

    assert response.status_code == 200
    assert "Complete the check that you are not a robot." in response.content.decode()
    assert SESSION_KEY not in client.session


def test_invalid_altcha_is_refused(client, rbiller, ruser):
    page = client.get(url("recover_start", rbiller)).content.decode()
    payload = altcha_solve(page)
    forged = payload[:-8] + ("A" * 8 if not payload.endswith("A" * 8) else "B" * 8)

    response = start(client, rbiller, "john@example.com", payload=forged)

    assert response.status_code == 200
    assert (
        "The check that you are not a robot did not work." in response.content.decode()
    )
    assert SESSION_KEY not in client.session


def test_altcha_solution_is_accepted_once(client, rbiller, ruser):
    page = client.get(url("recover_start", rbiller)).content.decode()
    payload = altcha_solve(page)

    first = start(client, rbiller, "john@example.com", payload=payload)
    again = start(Client(), rbiller, "john@example.com", payload=payload)

    assert first.status_code == 302
    assert again.status_code == 200
    assert "The check that you are not a robot did not work." in again.content.decode()


def test_recover_start_is_throttled_per_client_address(client, rbiller):
    for n in range(20):
        assert start(client, rbiller, f"person{n}@example.com").status_code == 302

    response = start(client, rbiller, "john@example.com")

    assert response.status_code == 429
    assert "Too many attempts." in response.content.decode()


def test_recover_start_is_throttled_per_typed_address_whatever_its_case(rbiller, ruser):
    for n in range(5):
        browser = Client(REMOTE_ADDR=f"10.0.0.{n}")
        email = "JOHN@example.com" if n % 2 else "john@example.com"
        assert start(browser, rbiller, email).status_code == 302

    response = start(Client(REMOTE_ADDR="10.0.1.1"), rbiller, "John@Example.com")

    assert response.status_code == 429
    assert OutboxMessage.objects.count() == 0


def test_code_entry_is_throttled_per_client_address(rbiller, ruser):
    # Four flows of five wrong codes each: the address has failed 20 times.
    for _ in range(4):
        browser = Client(REMOTE_ADDR="10.9.9.9")
        start(browser, rbiller, "john@example.com")
        choose(browser, rbiller)
        code = code_from_outbox("john@example.com")
        for _ in range(5):
            enter_code(browser, rbiller, wrong(code))

    browser = Client(REMOTE_ADDR="10.9.9.9")
    start(browser, rbiller, "john@example.com")
    choose(browser, rbiller)
    response = enter_code(browser, rbiller, code_from_outbox("john@example.com"))

    assert response.status_code == 429
    assert "Too many attempts." in response.content.decode()
    assert OneTimeCode.objects.filter(used_at__isnull=False).count() == 0


def test_done_page_shows_once(client, rbiller):
    recovery_user(rbiller)
    pass_the_code_step(client, rbiller)
    new_password_set(client, rbiller)

    assert client.get(url("recover_done", rbiller)).status_code == 200
    assert client.get(url("recover_done", rbiller))["Location"] == url(
        "recover_start", rbiller
    )


def test_sign_in_works_with_the_new_password_only(client, rbiller):
    user = recovery_user(rbiller)
    pass_the_code_step(client, rbiller)
    new_password_set(client, rbiller)

    old = Client().post(
        url("home", rbiller), {"login": user.username, "password": OLD_PASSWORD}
    )
    new = Client().post(
        url("home", rbiller), {"login": user.username, "password": NEW_PASSWORD}
    )

    assert old.status_code == 200
    assert new.status_code == 302
    assert get_user_model().objects.get(pk=user.pk).check_password(NEW_PASSWORD)


def test_pages_speak_spanish_when_chosen(client, rbiller, ruser):
    client.cookies["django_language"] = "es"

    start_page = client.get(url("recover_start", rbiller)).content.decode()
    start(client, rbiller, "john@example.com")
    choose_page = client.get(url("recover_choose", rbiller)).content.decode()
    choose(client, rbiller)
    enter_code(client, rbiller, code_from_outbox("john@example.com"))
    question_page = client.get(url("recover_question", rbiller)).content.decode()

    assert "<h1>¿Olvidó su contraseña?</h1>" in start_page
    assert '"label": "No soy un robot"' in start_page
    assert "¿Adónde enviamos su código de recuperación?" in choose_page
    assert "¿Cómo se llamaba su primera mascota?" in question_page


def test_new_codes_count_against_the_address_like_starts(rbiller, ruser):
    # Four starts and one new code: five mails to the address in the window.
    for n in range(4):
        browser = Client(REMOTE_ADDR=f"10.0.2.{n}")
        start(browser, rbiller, "john@example.com")
        choose(browser, rbiller)
    browser.post(url("recover_code", rbiller), {"resend": "1"})

    refused = browser.post(url("recover_code", rbiller), {"resend": "1"}, follow=True)

    assert OutboxMessage.objects.filter(kind="recovery_code").count() == 5
    assert "Too many attempts." in refused.content.decode()


def test_reset_clears_a_sign_in_lock(client, rbiller):
    from billfold.accounts import throttle

    user = recovery_user(rbiller)
    for _ in range(5):
        throttle.throttle_hit("signin", throttle.login_key(rbiller, "JOHN@example.com"))
    assert throttle.user_locked(user)

    pass_the_code_step(client, rbiller)
    new_password_set(client, rbiller)

    assert not throttle.user_locked(user)
    assert ActivityEvent.objects.get(action="account.unlocked").details == {
        "was_locked": True
    }


def test_send_without_choosing_a_destination_asks_again(client, rbiller, ruser):
    start(client, rbiller, "john@example.com")

    response = client.post(url("recover_choose", rbiller), {})

    assert response.status_code == 200
    assert "Choose where to send the code." in response.content.decode()
    assert OutboxMessage.objects.count() == 0
