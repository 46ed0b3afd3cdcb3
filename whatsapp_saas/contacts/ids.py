"""WhatsApp ids (JIDs) to contact identities, and phone numbers to E.164.

JIDs look like ``5511999990000@s.whatsapp.net`` (phone), ``5511999990000:12@s.whatsapp.net``
(one device of that phone) or ``123456789012345@lid`` (a LID, unrelated to the phone number).
"""

from __future__ import annotations

from dataclasses import dataclass

import phonenumbers

from whatsapp_saas.contacts.models import IdentityKind
from whatsapp_saas.errors import UserError

PHONE_SERVERS = frozenset({"s.whatsapp.net", "c.us"})
LID_SERVER = "lid"


@dataclass(frozen=True, slots=True)
class Identity:
    kind: str
    value: str

    @property
    def jid(self) -> str:
        """The JID to address this identity (what the engines accept as ``to``)."""
        if self.kind == IdentityKind.PHONE:
            return f"{self.value.removeprefix('+')}@s.whatsapp.net"
        return f"{self.value}@{LID_SERVER}"


def _user_and_server(jid: str) -> tuple[str, str]:
    user, _, server = jid.strip().partition("@")
    user = user.split(":", 1)[0].split(".", 1)[0]  # drop the device (":12") and agent parts
    return user, server


def identity_of(jid: str | None) -> Identity | None:
    """The identity behind a JID (phone or LID), or None for groups, broadcasts and junk."""
    if not jid:
        return None
    user, server = _user_and_server(jid)
    if not user.isdigit():
        return None
    if server in PHONE_SERVERS:
        return Identity(IdentityKind.PHONE.value, "+" + user)
    if server == LID_SERVER:
        return Identity(IdentityKind.LID.value, user)
    return None


def identities_of(*jids: str | None) -> list[Identity]:
    """Distinct identities of the given JIDs, phone before LID (the phone is the better name)."""
    found = {ident for ident in (identity_of(jid) for jid in jids) if ident is not None}
    return sorted(found, key=lambda ident: (ident.kind != IdentityKind.PHONE, ident.value))


def valid_e164(value: str) -> str | None:
    """``value`` (with country code) as E.164 if ``phonenumbers`` says it is a real number."""
    try:
        parsed = phonenumbers.parse(value if value.startswith("+") else "+" + value, None)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(parsed):
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def normalise_phone(value: str, region: str | None = None) -> str:
    """A phone number typed by a person, as E.164; a clear error when it is not valid."""
    try:
        parsed = phonenumbers.parse(value.strip(), region)
    except phonenumbers.NumberParseException as exc:
        raise UserError("contacts.error_phone_invalid") from exc
    if not phonenumbers.is_valid_number(parsed):
        raise UserError("contacts.error_phone_invalid")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
