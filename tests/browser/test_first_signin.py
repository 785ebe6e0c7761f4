"""First sign-in with a temporary password, as a customer does it in a browser."""

import re

import pytest

from billfold.accounts.models import User
from billfold.accounts.services import access_grant
from billfold.notifications.models import OutboxMessage
from billfold.servicing.models import EmailIndex, EmailSource
from tests.factories import BillerFactory, CustomerFactory

pytestmark = [pytest.mark.browser]

NEW_PASSWORD = "Quiet-Meadow-Falcon-2048"
TEMPORARY = re.compile(r"\b[A-Z2-9]{4}(?:-[A-Z2-9]{4}){3}\b")


def mail_to(address: str, kind: str) -> str:
    message = OutboxMessage.objects.filter(to_address=address, kind=kind).first()
    return message.body_text


def jane_with_access(biller):
    customer = CustomerFactory(
        biller=biller, name="Jane Doe", email_raw="jane@example.com"
    )
    EmailIndex.objects.create(
        biller=biller,
        customer=customer,
        address="jane@example.com",
        source=EmailSource.CUSTOMER,
    )
    access_grant(
        biller=biller, customer=customer, email=None, actor_kind="agent", actor_id=1
    )
    return TEMPORARY.search(mail_to("jane@example.com", "temporary_password")).group(0)


def test_first_sign_in_with_a_temporary_password(page, transactional_db):
    from playwright.sync_api import expect

    biller = BillerFactory(
        slug="summit", name="Summit Leasing", security_question_count=3
    )
    temporary = jane_with_access(biller)

    page.goto("/b/summit/")
    page.get_by_label("Username or email").fill("jane@example.com")
    page.get_by_label("Password", exact=True).fill(temporary)
    page.get_by_role("button", name="Sign in", exact=True).click()

    expect(page.get_by_role("heading", name="Change your password")).to_be_visible()
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Confirm new password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Change password").click()

    expect(
        page.get_by_role("heading", name="Choose your security questions")
    ).to_be_visible()
    for number, (question, answer) in enumerate(
        [("first_pet", "Fluffy"), ("birth_city", "Toledo"), ("first_car", "Volvo")],
        start=1,
    ):
        page.get_by_label(f"Question {number}").select_option(question)
        page.get_by_label(f"Answer {number}").fill(answer)
    page.get_by_role("button", name="Save answers").click()

    expect(
        page.get_by_role("heading", name="Verify your email address")
    ).to_be_visible()
    code = re.search(
        r"\b(\d{6,})\b", mail_to("jane@example.com", "verification_code")
    ).group(1)
    page.get_by_label("Verification code").fill(code)
    page.get_by_role("button", name="Verify").click()

    expect(
        page.get_by_role("heading", name="Welcome, jane@example.com")
    ).to_be_visible()
    expect(page.get_by_text("Your account is ready.")).to_be_visible()
    expect(page.get_by_text("Jane Doe")).to_be_visible()
    user = User.objects.get(biller=biller, username="jane@example.com")
    assert (user.setup_required, user.email_verified) == (False, True)
    assert user.check_password(NEW_PASSWORD) is True

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_text("You have signed out.")).to_be_visible()
    expect(page.get_by_label("Username or email")).to_be_visible()


def test_first_sign_in_in_spanish_after_switching_language(page, transactional_db):
    from playwright.sync_api import expect

    biller = BillerFactory(
        slug="summit", name="Summit Leasing", security_question_count=1
    )
    temporary = jane_with_access(biller)

    page.goto("/b/summit/")
    page.get_by_label("Language").select_option("es")
    page.get_by_role("button", name="Change").click()
    expect(page.get_by_role("heading", name="Iniciar sesión")).to_be_visible()
    page.get_by_label("Nombre de usuario o correo electrónico").fill("jane@example.com")
    page.get_by_label("Contraseña", exact=True).fill(temporary.lower())
    page.get_by_role("button", name="Iniciar sesión", exact=True).click()

    expect(page.get_by_role("heading", name="Cambiar su contraseña")).to_be_visible()
    expect(page.get_by_text("Paso 1 de 3")).to_be_visible()
    page.get_by_label("Contraseña nueva", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Confirme la contraseña nueva").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Cambiar contraseña").click()

    expect(
        page.get_by_role("heading", name="Elija sus preguntas de seguridad")
    ).to_be_visible()
    page.get_by_label("Pregunta 1").select_option(
        label="¿Cómo se llamaba su primera mascota?"
    )
    page.get_by_label("Respuesta 1").fill("Pelusa")
    page.get_by_role("button", name="Guardar respuestas").click()

    expect(
        page.get_by_role("heading", name="Verifique su correo electrónico")
    ).to_be_visible()
    message = OutboxMessage.objects.filter(kind="verification_code").first()
    assert message.language == "es"
    code = re.search(r"\b(\d{6,})\b", message.body_text).group(1)
    page.get_by_label("Código de verificación").fill(code)
    page.get_by_role("button", name="Verificar").click()

    expect(
        page.get_by_role("heading", name="Bienvenido/a, jane@example.com")
    ).to_be_visible()
    expect(page.get_by_text("Su cuenta está lista.")).to_be_visible()
    user = User.objects.get(biller=biller, username="jane@example.com")
    assert (user.setup_required, user.email_verified, user.language) == (
        False,
        True,
        "es",
    )
