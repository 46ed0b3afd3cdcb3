"""Phone numbers and JIDs, shared by the simulator and its driver.

Two levels of checking, like the real network: a *possible* number is well formed (the driver
rejects anything else before sending), a *valid* one is also assigned in the numbering plan
(the simulator treats unassigned numbers it has never seen as "not on WhatsApp").
"""

from __future__ import annotations

import phonenumbers

PHONE_SERVER = "s.whatsapp.net"
LID_SERVER = "lid"


def parse_phone(value: str, *, strict: bool = False) -> str | None:
    """E.164 form of ``value`` ("+55...", "55...", or a phone JID), or None when malformed."""
    text = value.strip()
    if "@" in text:
        user, _, server = text.partition("@")
        if server != PHONE_SERVER:
            return None
        text = user.split(":", 1)[0]
    digits = text.removeprefix("+")
    if not digits.isdigit():
        return None
    try:
        number = phonenumbers.parse("+" + digits, None)
    except phonenumbers.NumberParseException:
        return None
    ok = phonenumbers.is_valid_number(number) if strict else phonenumbers.is_possible_number(number)
    if not ok:
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def phone_to_jid(phone: str) -> str:
    """ "+5511999990000" -> "5511999990000@s.whatsapp.net"."""
    return f"{phone.removeprefix('+')}@{PHONE_SERVER}"


def parse_lid(value: str) -> str | None:
    """ "123" or "123@lid" -> "123@lid"; None when it is not a LID."""
    user, sep, server = value.strip().partition("@")
    if sep and server != LID_SERVER:
        return None
    return f"{user}@{LID_SERVER}" if user.isdigit() else None


def is_lid(value: str) -> bool:
    return value.strip().endswith("@" + LID_SERVER)
