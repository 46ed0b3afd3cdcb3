"""Phone numbers and WhatsApp ids (JIDs): as people type them, as the app stores them
(E.164), as WhatsApp names them, and as people read them.

The one place that turns "(11) 98765-4321", "011987654321", "+55 11 98765 4321" or
"5511987654321" into "+5511987654321", and back into "+55 11 98765-4321" for a screen.
Everything that reads a phone (forms, CSV files, contacts, the simulated network) goes
through ``to_e164``; everything that shows one goes through ``for_people``. JIDs look like
``5511999990000@s.whatsapp.net`` (a phone), ``5511999990000:12@s.whatsapp.net`` (one device of
it) or ``123456789012345@lid`` (a LID, unrelated to the phone number). A leaf module: it
imports nothing of the app but its errors, so drivers and the simulator may use it too.
"""

from __future__ import annotations

import phonenumbers

from whatsapp_saas.errors import UserError

DEFAULT_REGION = "BR"
PHONE_SERVER = "s.whatsapp.net"
PHONE_SERVERS = frozenset({PHONE_SERVER, "c.us"})
LID_SERVER = "lid"
_TRUNK_PREFIXES = ("0",)


def _candidates(text: str, region: str | None) -> list[tuple[str, str | None]]:
    """Ways to read ``text``: as typed (with the region), and with a country code in front."""
    digits = "".join(ch for ch in text if ch.isdigit())
    if text.startswith("+"):
        return [("+" + digits, None)]
    options: list[tuple[str, str | None]] = []
    if region:
        options.append((digits, region))
        # "011 98888-7777": a long-distance carrier code (0 + carrier) before the area code.
        stripped = digits.lstrip("0")
        if stripped != digits:
            options.append((stripped, region))
    options.append(("+" + digits, None))
    return options


def split_jid(jid: str) -> tuple[str, str]:
    """ "5511999990000:12@s.whatsapp.net" -> ("5511999990000", "s.whatsapp.net"): the user
    without its device (":12") and agent (".0") parts, and the server."""
    user, _, server = jid.strip().partition("@")
    return user.split(":", 1)[0].split(".", 1)[0], server


def to_e164(value: str, region: str | None = DEFAULT_REGION, *, valid: bool = True) -> str | None:
    """``value`` (typed, or a phone JID) as E.164 when it is a number, else None.

    A number without "+" is read in ``region`` first (a local number), then as a number that
    starts with its country code ("5511987654321"). ``valid=False`` accepts any *possible*
    number (well formed, though maybe unassigned), as the WhatsApp network does on the wire.
    """
    text = (value or "").strip()
    if "@" in text:  # a phone JID: "5511987654321@s.whatsapp.net" or with a device part
        user, server = split_jid(text)
        if server not in PHONE_SERVERS or not user.isdigit():
            return None
        text = "+" + user
    if not any(ch.isdigit() for ch in text):
        return None
    check = phonenumbers.is_valid_number if valid else phonenumbers.is_possible_number
    for candidate, where in _candidates(text, region):
        try:
            parsed = phonenumbers.parse(candidate, where)
        except phonenumbers.NumberParseException:
            continue
        if check(parsed):
            return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
    return None


def require_e164(
    value: str, region: str | None = DEFAULT_REGION, *, error_code: str = "error.phone_invalid"
) -> str:
    """Like ``to_e164``, but a ``UserError`` (translated by the UI) when it is not a number."""
    e164 = to_e164(value, region)
    if e164 is None:
        raise UserError(error_code)
    return e164


def for_people(e164: str | None) -> str:
    """ "+5511987654321" -> "+55 11 98765-4321"; anything unparsable is returned unchanged."""
    if not e164:
        return ""
    try:
        parsed = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    if not phonenumbers.is_possible_number(parsed):
        return e164
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def region_of(e164: str | None) -> str | None:
    """ "+5511987654321" -> "BR": the country a number belongs to (None when unknown)."""
    if not e164:
        return None
    try:
        region = phonenumbers.region_code_for_number(phonenumbers.parse(e164, None))
    except phonenumbers.NumberParseException:
        return None
    return str(region) if region and region != "ZZ" else None


def to_jid(e164: str) -> str:
    """ "+5511987654321" -> "5511987654321@s.whatsapp.net" (the address the engines take)."""
    return f"{e164.removeprefix('+')}@{PHONE_SERVER}"


def lid_user(jid: str) -> str | None:
    """ "123@lid" (or a device of it) -> "123"; None when it is not a LID JID."""
    user, server = split_jid(jid)
    return user if server == LID_SERVER and user.isdigit() else None


def parse_lid(value: str) -> str | None:
    """ "123" or "123@lid" -> "123@lid"; None when it is not a LID."""
    user, sep, server = value.strip().partition("@")
    if sep and server != LID_SERVER:
        return None
    return f"{user}@{LID_SERVER}" if user.isdigit() else None


def is_lid(value: str) -> bool:
    return value.strip().endswith("@" + LID_SERVER)


def same_number_forms(e164: str) -> set[str]:
    """The E.164 forms one Brazilian mobile may have been stored under: with and without the
    ninth digit (WhatsApp still names many older accounts "+55 11 8888-7777"). Other
    numbers have one form."""
    digits = e164.removeprefix("+")
    forms = {e164}
    if not digits.startswith("55") or len(digits) not in (12, 13):
        return forms
    area, local = digits[2:4], digits[4:]
    if len(local) == 9 and local[0] == "9" and local[1] in "6789":
        forms.add(f"+55{area}{local[1:]}")
    elif len(local) == 8 and local[0] in "6789":
        forms.add(f"+55{area}9{local}")
    return forms
