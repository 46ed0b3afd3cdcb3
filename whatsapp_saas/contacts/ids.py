"""WhatsApp ids (JIDs) to contact identities; JIDs and phones are read by
:mod:`whatsapp_saas.phones` (the app's one phone module)."""

from __future__ import annotations

from dataclasses import dataclass

from whatsapp_saas import phones
from whatsapp_saas.contacts.models import IdentityKind


@dataclass(frozen=True, slots=True)
class Identity:
    kind: str
    value: str

    @property
    def jid(self) -> str:
        """The JID to address this identity (what the engines accept as ``to``)."""
        if self.kind == IdentityKind.PHONE:
            return phones.to_jid(self.value)
        return f"{self.value}@{phones.LID_SERVER}"


def identity_of(jid: str | None) -> Identity | None:
    """The identity behind a JID (phone or LID), or None for groups, broadcasts and junk."""
    if not jid:
        return None
    user, server = phones.split_jid(jid)
    if not user.isdigit():
        return None
    if server in phones.PHONE_SERVERS:
        return Identity(IdentityKind.PHONE.value, "+" + user)
    if server == phones.LID_SERVER:
        return Identity(IdentityKind.LID.value, user)
    return None


def identities_of(*jids: str | None) -> list[Identity]:
    """Distinct identities of the given JIDs, phone before LID (the phone is the better name)."""
    found = {ident for ident in (identity_of(jid) for jid in jids) if ident is not None}
    return sorted(found, key=lambda ident: (ident.kind != IdentityKind.PHONE, ident.value))
