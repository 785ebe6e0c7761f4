"""First sign-in with a temporary password: only the setup steps are reachable."""

import re

import pytest
from django.urls import reverse

from billfold.accounts.models import SecurityAnswer
from billfold.accounts.services import access_grant
from billfold.notifications.models import OutboxMessage
from tests.accounts.conftest import GOOD_PASSWORD, UserFactory, actions_on

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Quiet-Meadow-Falcon-2048"
ANSWERS = {
    "question_1": "first_pet",
    "answer_1": "Fluffy",
    "question_2": "birth_city",
    "answer_2": "Toledo",
    "question_3": "first_car",
    "answer_3": "Volvo",
}


@pytest.fixture
def granted(biller, customer):
    biller.security_question_count = 3
    biller.save()
    user, plain = access_grant(
        biller=biller, customer=customer, email=None, actor_kind="agent", actor_id=1
    )
    return user, plain


def url(name, biller) -> str:
    return reverse(name, args=[biller.slug])


def start(client, biller, granted):
    user, plain = granted
    response = client.post(
        url("accounts:home", biller), {"login": user.username, "password": plain}
    )
    assert response["Location"] == url("accounts:setup", biller)
    return user


def latest_code() -> str:
    body = OutboxMessage.objects.filter(kind="verification_code").first().body_text
    return re.search(r"\b(\d{6,})\b", body).group(1)


def test_first_step_is_change_your_password(client, biller, granted):
    start(client, biller, granted)
    response = client.get(url("accounts:setup", biller))
    body = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Change your password</h1>" in body
    assert "Step 1 of 3" in body
    assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize(
    "path",
    ["", "security/", "security/2fa/", "recover/"],
)
def test_every_other_page_leads_back_to_the_current_step(client, biller, granted, path):
    start(client, biller, granted)
    response = client.get(url("accounts:home", biller) + path)
    assert response.status_code == 302
    assert response["Location"] == url("accounts:setup", biller)


def test_sign_out_is_allowed_during_setup(client, biller, granted):
    start(client, biller, granted)
    response = client.post(url("accounts:signout", biller))
    assert response["Location"] == url("accounts:home", biller)
    assert "_auth_user_id" not in client.session


def test_mismatched_passwords_stay_on_the_password_step(client, biller, granted):
    start(client, biller, granted)
    response = client.post(
        url("accounts:setup", biller),
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD + "x"},
    )
    assert response.status_code == 200
    assert "The two passwords do not match." in response.content.decode()


def test_full_setup_path_opens_the_portal(client, biller, granted):
    user = start(client, biller, granted)
    response = client.post(
        url("accounts:setup", biller),
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response["Location"] == url("accounts:setup", biller)
    page = client.get(url("accounts:setup", biller)).content.decode()
    assert "<h1>Choose your security questions</h1>" in page
    assert "Step 2 of 3" in page
    response = client.post(url("accounts:setup", biller), ANSWERS)
    assert response["Location"] == url("accounts:setup", biller)
    assert SecurityAnswer.objects.filter(user=user).count() == 3
    page = client.get(url("accounts:setup", biller)).content.decode()
    assert "<h1>Verify your email address</h1>" in page
    assert (
        OutboxMessage.objects.filter(
            kind="verification_code", to_address=user.email
        ).count()
        == 1
    )
    wrong = client.post(
        url("accounts:setup", biller), {"code": "00000000", "action": "verify"}
    )
    assert "That code is not right or has expired." in wrong.content.decode()
    response = client.post(
        url("accounts:setup", biller), {"code": latest_code(), "action": "verify"}
    )
    assert response["Location"] == url("accounts:setup", biller)
    response = client.get(url("accounts:setup", biller), follow=True)
    assert response.redirect_chain == [(url("accounts:home", biller), 302)]
    assert "Your account is ready." in response.content.decode()
    user.refresh_from_db()
    assert (user.setup_required, user.email_verified) == (False, True)
    assert user.check_password(NEW_PASSWORD) is True
    actions = actions_on(user)
    assert actions == [
        "access.grant",
        "signin.success",
        "password.change",
        "security_questions.set",
        "code.sent",
        "code.failed",
        "code.used",
        "email.verify",
        "account.setup_complete",
    ]
    # The setup password change does not send "your password was changed".
    assert OutboxMessage.objects.filter(kind="password_changed").count() == 0


def test_resend_keeps_the_flow_and_sends_a_new_code(client, biller, granted):
    biller.security_question_count = 0
    biller.save()
    user = start(client, biller, granted)
    client.post(
        url("accounts:setup", biller),
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    client.get(url("accounts:setup", biller))
    first = latest_code()
    client.post(url("accounts:setup", biller), {"action": "resend"})
    assert OutboxMessage.objects.filter(kind="verification_code").count() == 2
    second = latest_code()
    stale = client.post(
        url("accounts:setup", biller), {"code": first, "action": "verify"}
    )
    assert "That code is not right or has expired." in stale.content.decode()
    client.post(url("accounts:setup", biller), {"code": second, "action": "verify"})
    client.get(url("accounts:setup", biller))
    user.refresh_from_db()
    assert user.setup_required is False


def test_sign_in_again_resumes_at_the_unfinished_step(client, biller, granted):
    user = start(client, biller, granted)
    client.post(
        url("accounts:setup", biller),
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    client.post(url("accounts:signout", biller))
    response = client.post(
        url("accounts:home", biller), {"login": user.username, "password": NEW_PASSWORD}
    )
    assert response["Location"] == url("accounts:setup", biller)
    page = client.get(url("accounts:setup", biller)).content.decode()
    assert "<h1>Choose your security questions</h1>" in page


def test_setup_page_of_an_anonymous_visitor_goes_to_sign_in(client, biller):
    response = client.get(url("accounts:setup", biller))
    assert response["Location"] == url("accounts:home", biller)


def test_setup_page_of_a_user_with_nothing_pending_goes_home(client, biller, user):
    client.post(
        url("accounts:home", biller),
        {"login": user.username, "password": GOOD_PASSWORD},
    )
    response = client.get(url("accounts:setup", biller))
    assert response["Location"] == url("accounts:home", biller)


def test_setup_page_of_another_billers_user_goes_to_sign_in(
    client, biller, other_biller
):
    stranger = UserFactory(biller=other_biller, setup_required=True)
    client.post(
        url("accounts:home", other_biller),
        {"login": stranger.username, "password": GOOD_PASSWORD},
    )
    response = client.get(url("accounts:setup", biller))
    assert response["Location"] == url("accounts:home", biller)
    assert SecurityAnswer.objects.count() == 0
