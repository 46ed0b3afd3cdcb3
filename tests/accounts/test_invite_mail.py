"""Invitations are e-mailed when SMTP is configured (issue 8, "Forms and states")."""

from __future__ import annotations

from tests.accounts.smtp_sink import smtp_sink
from whatsapp_saas.accounts.mailer import InviteMail, send_invite
from whatsapp_saas.config import Settings

MAIL = InviteMail(
    to="ari@example.com",
    name="Ari",
    company="Padaria Pão Quente",
    inviter="Olivia",
    link="http://127.0.0.1:3000/invite/abc123",
    hours=72,
    language="pt-BR",
)


def test_an_invitation_is_delivered_in_the_inviters_language() -> None:
    with smtp_sink() as (port, received):
        settings = Settings(smtp_host="127.0.0.1", smtp_port=port, smtp_starttls=False)
        assert send_invite(settings, MAIL)
    [message] = received
    assert message["To"] == "ari@example.com"
    assert message["Subject"] == "Olivia convidou você para Padaria Pão Quente"
    body = message.get_content()
    assert MAIL.link in body and "expira em 72 horas" in body


def test_without_smtp_nothing_is_sent_and_a_dead_server_is_a_false() -> None:
    assert not send_invite(Settings(smtp_host=None), MAIL)
    with smtp_sink() as (port, _received):
        pass  # the port is closed again
    assert not send_invite(Settings(smtp_host="127.0.0.1", smtp_port=port), MAIL)
