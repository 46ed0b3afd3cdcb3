"""Domain events of contacts (recorded with the transaction, announced after commit)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ContactsMerged:
    """Two contacts turned out to be one person. ``merged_id`` stays as a row whose
    ``merged_into_id`` is ``survivor_id``; its WhatsApp ids and inbox rows now belong to the
    survivor."""

    tenant_id: int
    survivor_id: int
    merged_id: int
    # Conversations of the merged contact folded into the survivor's: {old id: new id}.
    conversation_map: tuple[tuple[int, int], ...] = ()


@dataclass(frozen=True, slots=True)
class ContactCreated:
    """A contact row was created (a first-time customer, or one an attendant added)."""

    tenant_id: int
    contact_id: int


@dataclass(frozen=True, slots=True)
class ContactUpdated:
    tenant_id: int
    contact_id: int


@dataclass(frozen=True, slots=True)
class ContactTagAdded:
    """A tag was put on a contact (recorded with the change; automations' "tag added")."""

    tenant_id: int
    contact_id: int
    tag: str


@dataclass(frozen=True, slots=True)
class ContactTagRemoved:
    tenant_id: int
    contact_id: int
    tag: str


@dataclass(frozen=True, slots=True)
class ContactFieldChanged:
    """A contact's core field (``email``) or custom field (``cpf``) changed."""

    tenant_id: int
    contact_id: int
    field: str
