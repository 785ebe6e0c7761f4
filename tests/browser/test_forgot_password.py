"""Browser journey: the whole forgot-password flow, in English and in Spanish.

Chromium solves the real ALTCHA proof of work; the recovery code is read from
the out-box, as a person would read it from their mailbox.
"""

import re

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import translation

from billfold.accounts.questions import security_answers_set
from billfold.accounts.security.forms import NewPasswordForm
from billfold.notifications.models import OutboxMessage
from tests.factories import BillerFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

OLD_PASSWORD = "Copper-Meadow-Falcon-28"
NEW_PASSWORD = "Violet-Harbor-Lantern-93"
CODE = re.compile(r"\b(\d{8})\b")


@pytest.fixture
def small_altcha(settings):
    # Real work in the browser, sized so a loaded 2-core machine stays quick.
    settings.BILLFOLD_ALTCHA_COST = 1000
    settings.BILLFOLD_ALTCHA_MAX_COUNTER = 200


@pytest.fixture
def customer_account():
    biller = BillerFactory(
        name="Lakeside Telephone", security_question_count=1, support_phone="555-0100"
    )
    user = get_user_model().objects.create_user(
        "john@example.com",
        "john@example.com",
        OLD_PASSWORD,
        biller=biller,
        email_verified=True,
    )
    security_answers_set(
        user=user,
        answers={"first_pet": "Fluffy"},
        actor_kind="customer",
        actor_id=user.pk,
    )
    return biller, user


def words(language: str):
    """The labels other parts of the portal use, in ``language``."""
    with translation.override(language):
        return {
            "new1": str(NewPasswordForm.base_fields["new_password1"].label),
            "new2": str(NewPasswordForm.base_fields["new_password2"].label),
            "sign_in": translation.gettext("Sign in"),
            "login": translation.gettext("Username or email"),
            "password": translation.gettext("Password"),
            "forgot": translation.gettext("Forgot your password?"),
        }


def latest_code() -> str:
    message = OutboxMessage.objects.filter(kind="recovery_code").latest("id")
    return CODE.search(message.body_text).group(1)


def solve_altcha(page, label: str) -> None:
    # A person clicks the words next to the box (the box's tick mark covers it).
    page.locator("label", has_text=label).click()
    # The widget writes the solved payload into its hidden form field.
    page.wait_for_function(
        "() => { const f = document.querySelector('input[name=altcha]');"
        " return f && f.value.length > 20; }",
        timeout=60_000,
    )


def walk(page, live_server, biller, texts: dict) -> None:
    sign_in = live_server.url + reverse("accounts:home", args=[biller.slug])
    page.goto(sign_in)
    if texts["language"] == "es":
        page.get_by_label("Language").select_option("es")
        page.get_by_role("button", name="Change").click()
    w = words(texts["language"])
    page.get_by_role("link", name=w["forgot"]).click()

    page.get_by_role("heading", name=texts["h_start"]).wait_for()
    page.get_by_label(texts["email"]).fill("john@example.com")
    solve_altcha(page, texts["robot"])
    page.get_by_role("button", name=texts["continue"]).click()

    page.get_by_role("heading", name=texts["h_choose"]).wait_for()
    page.get_by_label(texts["destination"]).check()
    page.get_by_role("button", name=texts["send"]).click()

    page.get_by_role("heading", name=texts["h_code"]).wait_for()
    page.get_by_label(texts["code"]).fill(latest_code())
    page.get_by_role("button", name=texts["continue"]).click()

    page.get_by_role("heading", name=texts["h_question"]).wait_for()
    assert page.get_by_text(texts["question"]).is_visible()
    page.get_by_label(texts["answer"], exact=True).fill("  FLUFFY! ")
    page.get_by_role("button", name=texts["continue"]).click()

    page.get_by_role("heading", name=texts["h_password"]).wait_for()
    page.get_by_label(w["new1"], exact=True).fill(NEW_PASSWORD)
    page.get_by_label(w["new2"], exact=True).fill(NEW_PASSWORD)
    page.get_by_role("button", name=texts["save"]).click()

    page.get_by_role("heading", name=texts["h_done"]).wait_for()
    page.get_by_role("link", name=texts["log_in"]).click()

    page.get_by_role("heading", name=w["sign_in"]).wait_for()
    page.get_by_label(w["login"]).fill("john@example.com")
    page.get_by_label(w["password"], exact=True).fill(NEW_PASSWORD)
    page.get_by_role("button", name=w["sign_in"], exact=True).click()
    page.wait_for_url(sign_in)
    assert page.get_by_role("heading", name=w["sign_in"]).count() == 0


ENGLISH = {
    "language": "en",
    "h_start": "Forgot your password?",
    "email": "Email address",
    "robot": "I'm not a robot",
    "continue": "Continue",
    "h_choose": "Send a recovery code",
    "destination": "Email to j***@e******.com",
    "send": "Send recovery code",
    "h_code": "Enter your recovery code",
    "code": "Recovery code",
    "h_question": "Security question",
    "question": "What was the name of your first pet?",
    "answer": "Answer",
    "h_password": "Choose a new password",
    "save": "Save changes",
    "h_done": "Your password has been changed",
    "log_in": "Click here to log in",
}
SPANISH = {
    "language": "es",
    "h_start": "¿Olvidó su contraseña?",
    "email": "Correo electrónico",
    "robot": "No soy un robot",
    "continue": "Continuar",
    "h_choose": "Enviar un código de recuperación",
    "destination": "Correo electrónico a j***@e******.com",
    "send": "Enviar código de recuperación",
    "h_code": "Introduzca su código de recuperación",
    "code": "Código de recuperación",
    "h_question": "Pregunta de seguridad",
    "question": "¿Cómo se llamaba su primera mascota?",
    "answer": "Respuesta",
    "h_password": "Elija una contraseña nueva",
    "save": "Guardar cambios",
    "h_done": "Su contraseña ha sido cambiada",
    "log_in": "Haga clic aquí para iniciar sesión",
}


@pytest.mark.parametrize("texts", [ENGLISH, SPANISH], ids=["english", "spanish"])
def test_forgot_password_journey(
    page, live_server, small_altcha, customer_account, texts
):
    biller, user = customer_account

    walk(page, live_server, biller, texts)

    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert list(
        OutboxMessage.objects.filter(to_address="john@example.com")
        .order_by("id")
        .values_list("kind", flat=True)
    ) == ["recovery_code", "password_changed"]
