"""Dates and times as people read them: one format per language, everywhere.

- pt-BR: ``01/12/2026 17:21`` (day/month/year, 24 h), as Brazilians write it.
- English: ``Dec 1, 2026 17:21``: the month is named, because ``01/12`` reads as January 12
  in the US and as December 1 almost everywhere else.

Relative times ("há 2 minutos" / "2 minutes ago") are rendered in the browser by moment, which
ticks by itself, with the locale of the UI language (see the inbox and WhatsApp pages).
"""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from whatsapp_saas.i18n import normalise_language

_EN_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def format_datetime(value: datetime | None, language: str, timezone: str = "UTC") -> str:
    """``value`` (UTC; naive means UTC) in ``timezone``, written the way ``language`` does."""
    if value is None:
        return ""
    aware = value if value.tzinfo else value.replace(tzinfo=UTC)
    local = aware.astimezone(_zone(timezone))
    if normalise_language(language) == "pt-BR":
        return local.strftime("%d/%m/%Y %H:%M")
    return f"{_EN_MONTHS[local.month - 1]} {local.day}, {local.year} {local:%H:%M}"


def _zone(name: str) -> tzinfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return UTC
