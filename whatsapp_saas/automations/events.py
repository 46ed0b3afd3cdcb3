"""Domain events of automations (recorded with the transaction, announced after commit)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class WebhookReceived:
    """A "Webhook received" rule's URL accepted a request; its durable subscriber runs the
    rule once for it. ``dedupe`` is the hash of the caller's ``Idempotency-Key`` ("" without
    one): the run key then names it instead of this event, so a retried request fires once.
    ``fields`` is the payload's ``fields`` as strings (its variables)."""

    tenant_id: int
    rule_id: int
    contact_id: int
    conversation_id: int
    text: str = ""
    fields: tuple[tuple[str, str], ...] = ()
    dedupe: str = ""
