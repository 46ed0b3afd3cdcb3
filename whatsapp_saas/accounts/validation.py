"""Input rules for account forms."""

from __future__ import annotations

import re
from zoneinfo import available_timezones

from whatsapp_saas.config import get_settings
from whatsapp_saas.errors import UserError

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
LANGUAGES = ("pt-BR", "en")


def normalise_email(email: str) -> str:
    cleaned = email.strip().lower()
    if not EMAIL_RE.match(cleaned) or len(cleaned) > 254:
        raise UserError("error.email_invalid")
    return cleaned


def require_name(value: str, code: str = "error.name_required") -> str:
    cleaned = " ".join(value.split())
    if not cleaned:
        raise UserError(code)
    if len(cleaned) > 120:
        raise UserError("error.too_long", limit=120)
    return cleaned


def check_password(password: str) -> str:
    minimum = get_settings().password_min_length
    if len(password) < minimum:
        raise UserError("error.password_too_short", min=minimum)
    if len(password) > 256:
        raise UserError("error.too_long", limit=256)
    return password


def check_language(language: str) -> str:
    return language if language in LANGUAGES else "pt-BR"


def check_timezone(timezone: str) -> str:
    if timezone not in available_timezones():
        raise UserError("error.timezone_invalid")
    return timezone
