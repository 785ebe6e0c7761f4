"""Every email kind renders in English and Spanish, branded per biller."""

import datetime

import pytest

from billfold.notifications.services import KINDS, email_enqueue, email_render
from tests.factories import BillerFactory

CONTEXTS = {
    "verification_code": {"code": "482913", "minutes_valid": 15},
    "recovery_code": {"code": "730155", "minutes_valid": 15},
    "temporary_password": {
        "username": "ana@example.com",
        "temporary_password": "Tq7-pX2m-9Lrz",
        "sign_in_url": "https://portal.example/b/acme/",
        "hours_valid": 72,
    },
    "password_changed": {
        "when": datetime.datetime(2026, 11, 21, 15, 30, tzinfo=datetime.UTC),
        "sign_in_url": "https://portal.example/b/acme/",
    },
    "username_changed": {
        "old_username": "ana@example.com",
        "new_username": "ana.garcia",
    },
    "email_changed": {
        "old_email": "ana@example.com",
        "new_email": "ana.new@example.org",
    },
    "new_sign_in_method": {"method": "passkey"},
    "username_unavailable": {"new_username": "ana.garcia"},
    "sign_in_method_removed": {"method": "totp"},
}

SUBJECTS = {
    "verification_code": (
        "Your verification code for Acme Leasing",
        "Su código de verificación de Acme Leasing",
    ),
    "recovery_code": (
        "Your password recovery code for Acme Leasing",
        "Su código de recuperación de contraseña de Acme Leasing",
    ),
    "temporary_password": (
        "Your Acme Leasing username and temporary password",
        "Su nombre de usuario y contraseña temporal de Acme Leasing",
    ),
    "password_changed": (
        "Your Acme Leasing password was changed",
        "Se cambió su contraseña de Acme Leasing",
    ),
    "username_changed": (
        "Your Acme Leasing username was changed",
        "Se cambió su nombre de usuario de Acme Leasing",
    ),
    "email_changed": (
        "The email address of your Acme Leasing account was changed",
        "Se cambió el correo electrónico de su cuenta de Acme Leasing",
    ),
    "new_sign_in_method": (
        "A new sign-in method was added to your Acme Leasing account",
        "Se agregó un nuevo método de inicio de sesión a su cuenta de Acme Leasing",
    ),
    "username_unavailable": (
        "Your Acme Leasing username was not changed",
        "No se cambió su nombre de usuario de Acme Leasing",
    ),
    "sign_in_method_removed": (
        "A sign-in method was removed from your Acme Leasing account",
        "Se eliminó un método de inicio de sesión de su cuenta de Acme Leasing",
    ),
}

# One sentence of each body that carries the kind's values, per language.
KEY_LINES = {
    "verification_code": (
        "It is valid for 15 minutes and works only once.",
        "Es válido por 15 minutos y solo funciona una vez.",
    ),
    "recovery_code": (
        "Never share it: Acme Leasing will never ask you for it.",
        "No lo comparta con nadie: Acme Leasing nunca se lo pedirá.",
    ),
    "temporary_password": (
        "The temporary password works only once and expires in 72 hours.",
        "La contraseña temporal solo funciona una vez y vence en 72 horas.",
    ),
    "password_changed": (
        "The password of your Acme Leasing account was changed on "
        "Nov. 21, 2026, 10:30 a.m. (America/New_York).",
        "La contraseña de su cuenta de Acme Leasing se cambió el "
        "21 de noviembre de 2026 a las 10:30 (America/New_York).",
    ),
    "username_changed": (
        "was changed from ana@example.com to ana.garcia. "
        "From now on, sign in with ana.garcia.",
        "se cambió de ana@example.com a ana.garcia. "
        "De ahora en adelante, inicie sesión con ana.garcia.",
    ),
    "email_changed": (
        "was changed from ana@example.com to a***@example.org.",
        "se cambió de ana@example.com a a***@example.org.",
    ),
    "new_sign_in_method": (
        "A new way to sign in was added to your Acme Leasing account: passkey.",
        "Se agregó una nueva forma de iniciar sesión a su cuenta de Acme Leasing: "
        "llave de acceso.",
    ),
    "username_unavailable": (
        "You asked to change the username of your Acme Leasing account to "
        "ana.garcia, but another account already uses that name. Your username "
        "was not changed.",
        "Usted pidió cambiar el nombre de usuario de su cuenta de Acme Leasing a "
        "ana.garcia, pero otra cuenta ya usa ese nombre. Su nombre de usuario no "
        "se cambió.",
    ),
    "sign_in_method_removed": (
        "A way to sign in was removed from your Acme Leasing account: "
        "authenticator app.",
        "Se eliminó una forma de iniciar sesión de su cuenta de Acme Leasing: "
        "aplicación de autenticación.",
    ),
}


def test_every_kind_has_a_test_case():
    assert set(CONTEXTS) == set(KINDS) == set(SUBJECTS) == set(KEY_LINES)


@pytest.mark.parametrize("kind", sorted(KINDS))
@pytest.mark.parametrize("language", ["en", "es"])
def test_every_kind_renders_subject_text_and_html(acme, kind, language):
    index = 0 if language == "en" else 1
    subject, text, html = email_render(
        biller=acme, kind=kind, context=CONTEXTS[kind], language=language
    )
    assert subject == SUBJECTS[kind][index]
    assert KEY_LINES[kind][index] in text
    assert KEY_LINES[kind][index] in html
    assert f'<html lang="{language}">' in html
    assert "#7a1f1f" in html
    contact = (
        "Call Acme Leasing at 1-800-555-0100 or write to help@acme.example."
        if language == "en"
        else "Llame a Acme Leasing al 1-800-555-0100 o escriba a help@acme.example."
    )
    assert contact in text
    assert contact in html


def test_recovery_code_plain_text_is_exact(acme):
    _subject, text, _html = email_render(
        biller=acme,
        kind="recovery_code",
        context=CONTEXTS["recovery_code"],
        language="en",
    )
    assert text == (
        "Acme Leasing\n"
        "\n"
        "Hello,\n"
        "\n"
        "Someone asked to reset the password of your Acme Leasing account. "
        "If it was you, enter this recovery code:\n"
        "\n"
        "    730155\n"
        "\n"
        "It is valid for 15 minutes and works only once. "
        "Never share it: Acme Leasing will never ask you for it.\n"
        "\n"
        "If it was not you, ignore this email: your password stays the same. "
        "If you keep receiving these emails, contact us.\n"
        "\n"
        "--\n"
        "Questions? Call Acme Leasing at 1-800-555-0100 or write to help@acme.example. "
        "Phone hours: Mon-Fri 8am-6pm.\n"
        "\n"
        "You receive this email because a password reset was asked for the online "
        "account with Acme Leasing that uses this address.\n"
    )


def test_spanish_footer_explains_why_the_mail_was_sent(acme):
    _subject, text, _html = email_render(
        biller=acme,
        kind="password_changed",
        context=CONTEXTS["password_changed"],
        language="es",
    )
    assert text.startswith("Acme Leasing\n\nHola:\n\n")
    assert text.endswith(
        "Recibe este correo porque se refiere a la seguridad de su cuenta en línea con "
        "Acme Leasing. Los avisos de seguridad se envían aunque haya desactivado "
        "otros correos.\n"
    )


def test_one_minute_uses_the_singular(acme):
    _subject, text, _html = email_render(
        biller=acme,
        kind="verification_code",
        context={"code": "1", "minutes_valid": 1},
        language="es",
    )
    assert "Es válido por 1 minuto y solo funciona una vez." in text


def test_text_is_not_html_escaped_but_html_is(db):
    biller = BillerFactory(name="Ortiz & <Sons>", support_phone="", contact_email="")
    subject, text, html = email_render(
        biller=biller,
        kind="username_changed",
        context={"old_username": "a<b", "new_username": "c&d"},
        language="en",
    )
    assert subject == "Your Ortiz & <Sons> username was changed"
    assert "changed from a<b to c&d." in text
    assert "Questions? Contact Ortiz & <Sons>." in text
    assert "changed from a&lt;b to c&amp;d." in html
    assert "<Sons>" not in html


def test_unknown_kind_is_refused(acme):
    with pytest.raises(ValueError, match="unknown email kind 'welcome'"):
        email_enqueue(biller=acme, to="ana@example.com", kind="welcome", context={})


def test_missing_context_is_refused(acme):
    with pytest.raises(ValueError, match="needs minutes_valid"):
        email_render(
            biller=acme, kind="recovery_code", context={"code": "1"}, language="en"
        )


@pytest.mark.parametrize("kind", ["new_sign_in_method", "sign_in_method_removed"])
def test_unknown_sign_in_method_is_refused(acme, kind):
    with pytest.raises(ValueError, match="unknown sign-in method 'carrier pigeon'"):
        email_render(
            biller=acme,
            kind=kind,
            context={"method": "carrier pigeon"},
            language="en",
        )


@pytest.mark.parametrize(
    ("method", "spanish"),
    [
        ("totp", "aplicación de autenticación"),
        ("authenticator app", "aplicación de autenticación"),
        ("passkey", "llave de acceso"),
        ("recovery codes", "códigos de recuperación"),
    ],
)
def test_sign_in_methods_are_translated(acme, method, spanish):
    _subject, text, _html = email_render(
        biller=acme,
        kind="new_sign_in_method",
        context={"method": method},
        language="es",
    )
    assert f"a su cuenta de Acme Leasing: {spanish}." in text


@pytest.mark.parametrize(
    ("method", "spanish"),
    [
        ("totp", "aplicación de autenticación"),
        ("passkey", "llave de acceso"),
        ("recovery_codes", "códigos de recuperación"),
    ],
)
def test_removed_sign_in_methods_are_translated(acme, method, spanish):
    _subject, text, html = email_render(
        biller=acme,
        kind="sign_in_method_removed",
        context={"method": method},
        language="es",
    )
    line = (
        "Se eliminó una forma de iniciar sesión de su cuenta de Acme Leasing: "
        f"{spanish}."
    )
    assert line in text
    assert line in html


def test_username_unavailable_plain_text_is_exact(acme):
    _subject, text, _html = email_render(
        biller=acme,
        kind="username_unavailable",
        context={"new_username": "ana.garcia"},
        language="en",
    )
    assert text == (
        "Acme Leasing\n"
        "\n"
        "Hello,\n"
        "\n"
        "You asked to change the username of your Acme Leasing account to "
        "ana.garcia, but another account already uses that name. Your username "
        "was not changed.\n"
        "\n"
        "To choose a different username, sign in and open the security centre.\n"
        "\n"
        "If you did not ask for this change, contact us right away: someone else "
        "may have access to your account.\n"
        "\n"
        "--\n"
        "Questions? Call Acme Leasing at 1-800-555-0100 or write to help@acme.example. "
        "Phone hours: Mon-Fri 8am-6pm.\n"
        "\n"
        "You receive this email because it is about the security of your online "
        "account with Acme Leasing. Security notices are sent even when other "
        "emails are turned off.\n"
    )


def test_language_defaults_to_the_billers(db):
    biller = BillerFactory(default_language="es")
    message = email_enqueue(
        biller=biller,
        to="ana@example.com",
        kind="verification_code",
        context=CONTEXTS["verification_code"],
    )
    assert message.language == "es"
    assert message.subject == f"Su código de verificación de {biller.name}"


def test_language_given_wins_over_the_billers(db):
    biller = BillerFactory(default_language="es")
    message = email_enqueue(
        biller=biller,
        to="ana@example.com",
        kind="verification_code",
        context=CONTEXTS["verification_code"],
        language="en",
    )
    assert message.language == "en"
    assert message.subject == f"Your verification code for {biller.name}"


def test_platform_mail_without_biller_is_branded_billfold(db):
    subject, text, _html = email_render(
        biller=None,
        kind="verification_code",
        context=CONTEXTS["verification_code"],
        language="en",
    )
    assert subject == "Your verification code for Billfold"
    assert "Questions? Contact Billfold." in text


def test_language_the_biller_does_not_offer_falls_back_to_its_default(db):
    biller = BillerFactory(languages=["en"], default_language="en")
    message = email_enqueue(
        biller=biller,
        to="ana@example.com",
        kind="verification_code",
        context=CONTEXTS["verification_code"],
        language="es",
    )
    assert message.language == "en"
