"""Delivery through a real SMTP server started by the test."""

import email
import email.policy
import socket

import pytest
from aiosmtpd.controller import Controller

from billfold.notifications.models import Status
from billfold.notifications.services import email_enqueue
from billfold.notifications.tasks import deliver_message

pytestmark = pytest.mark.smtp


class Recorder:
    def __init__(self):
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def smtp_mailers(port: int) -> dict:
    return {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 5},
        }
    }


@pytest.fixture
def smtp_server():
    recorder = Recorder()
    controller = Controller(recorder, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield controller.port, recorder
    finally:
        controller.stop()


def test_message_reaches_the_smtp_server_with_text_and_html(
    acme, settings, smtp_server, django_capture_on_commit_callbacks
):
    port, recorder = smtp_server
    settings.MAILERS = smtp_mailers(port)
    with django_capture_on_commit_callbacks(execute=True):
        message = email_enqueue(
            biller=acme,
            to="ana@example.com",
            kind="recovery_code",
            context={"code": "730155", "minutes_valid": 15},
            language="es",
        )
    message.refresh_from_db()
    assert message.status == Status.SENT
    assert len(recorder.envelopes) == 1
    envelope = recorder.envelopes[0]
    assert envelope.mail_from == "billing@billfold.localhost"
    assert envelope.rcpt_tos == ["ana@example.com"]
    received = email.message_from_bytes(envelope.content, policy=email.policy.default)
    assert received["To"] == "ana@example.com"
    assert received["From"] == "Acme Leasing <billing@billfold.localhost>"
    assert received["Reply-To"] == "help@acme.example"
    assert received["Subject"] == (
        "Su código de recuperación de contraseña de Acme Leasing"
    )
    assert received.get_content_type() == "multipart/alternative"
    text = received.get_body(preferencelist=("plain",)).get_content()
    html = received.get_body(preferencelist=("html",)).get_content()
    assert text.replace("\r\n", "\n") == message.body_text
    assert html.replace("\r\n", "\n") == message.body_html
    assert "730155" in text
    assert "730155" in html


def test_delivery_twice_reaches_the_server_once(acme, settings, smtp_server):
    port, recorder = smtp_server
    settings.MAILERS = smtp_mailers(port)
    message = email_enqueue(
        biller=acme,
        to="ana@example.com",
        kind="password_changed",
        context={"when": acme.created_at, "sign_in_url": "https://portal.example/"},
    )
    first = deliver_message.enqueue(message.pk)
    second = deliver_message.enqueue(message.pk)
    assert (first.return_value, second.return_value) == (Status.SENT, Status.SENT)
    assert len(recorder.envelopes) == 1


def test_closed_port_marks_the_message_failed_without_raising(acme, settings):
    settings.MAILERS = smtp_mailers(free_port())
    message = email_enqueue(
        biller=acme,
        to="ana@example.com",
        kind="verification_code",
        context={"code": "482913", "minutes_valid": 15},
    )
    result = deliver_message.enqueue(message.pk)
    assert result.status == "SUCCESSFUL"
    assert result.return_value == Status.FAILED
    message.refresh_from_db()
    assert message.status == Status.FAILED
    assert message.attempts == 1
    assert message.last_error.startswith("ConnectionRefusedError: ")
    assert "482913" not in message.last_error
