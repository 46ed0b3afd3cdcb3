"""Invitation e-mails over SMTP, when ``SMTP_HOST`` is set (stdlib ``smtplib``, no new package).

Sent only after the invitation is committed, from a worker thread. A failure is reported to the
manager, who still has the link to copy; it never undoes the invitation.
"""

from __future__ import annotations

import logging
import smtplib
from dataclasses import dataclass
from email.message import EmailMessage

from whatsapp_saas.config import Settings
from whatsapp_saas.i18n import translate

log = logging.getLogger(__name__)
SMTP_TIMEOUT_S = 15


@dataclass(frozen=True)
class InviteMail:
    to: str
    name: str
    company: str
    inviter: str
    link: str
    hours: int
    language: str


def smtp_configured(settings: Settings) -> bool:
    return bool(settings.smtp_host)


def build_invite_message(settings: Settings, mail: InviteMail) -> EmailMessage:
    params = {
        "name": mail.name,
        "company": mail.company,
        "inviter": mail.inviter,
        "link": mail.link,
        "hours": mail.hours,
    }
    message = EmailMessage()
    message["From"] = settings.smtp_from
    message["To"] = mail.to
    message["Subject"] = translate(mail.language, "mail.invite_subject", **params)
    message.set_content(translate(mail.language, "mail.invite_body", **params))
    return message


def send_invite(settings: Settings, mail: InviteMail) -> bool:
    """True when the SMTP server accepted the message; a failure is logged without secrets."""
    if not settings.smtp_host:
        return False
    message = build_invite_message(settings, mail)
    try:
        with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=SMTP_TIMEOUT_S) as smtp:
            if settings.smtp_starttls and smtp.has_extn("starttls"):
                smtp.starttls()
            if settings.smtp_user and settings.smtp_password is not None:
                smtp.login(settings.smtp_user, settings.smtp_password.get_secret_value())
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException) as exc:
        log.warning("invitation e-mail to a new colleague failed: %s", type(exc).__name__)
        return False
    return True
