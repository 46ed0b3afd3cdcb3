"""The contact and conversation facts the newer conditions read, loaded once per event.

One read of the contact and the conversation (already loaded by the engine), one query per
segment the tenant's rules name (none when no rule names a segment): evaluating 200 rules
then costs no further I/O.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from datetime import datetime
from typing import Any

from whatsapp_saas.automations.actor import system_actor
from whatsapp_saas.automations.conditions import message_kind
from whatsapp_saas.automations.rules import Facts
from whatsapp_saas.contacts.models import Contact
from whatsapp_saas.crm.segments import is_member
from whatsapp_saas.errors import UserError
from whatsapp_saas.inbox.models import Conversation, Message
from whatsapp_saas.models_base import as_utc
from whatsapp_saas.tenancy.scope import TenantScope
from whatsapp_saas.text_fold import fold


def enrich(
    scope: TenantScope,
    *,
    base: Facts,
    contact: Contact | None,
    conversation: Conversation | None,
    message: Message | None,
    now: datetime,
    segments: Iterable[int] = (),
    event: str | None = None,
    detail: Mapping[str, Any] | None = None,
) -> Facts:
    values: dict[str, Any] = {"now": now}
    if event is not None:
        values["event"] = event
        values["detail"] = dict(detail or {})
    if contact is not None:
        values.update(
            phone=contact.phone or "",
            tags=frozenset(fold(t) for t in contact.tags or []),
            fields=dict(contact.custom_fields or {}),
            contact_created_at=as_utc(contact.created_at),
            segments=_member_of(scope, contact.id or 0, segments),
        )
    if conversation is not None:
        values.update(
            conversation_created_at=as_utc(conversation.created_at),
            status=conversation.status,
            assignee_id=conversation.assignee_id,
            department_id=conversation.department_id,
            number_id=conversation.number_id,  # the business's number it is on
            owner_kind=conversation.owner_kind or "flow",
        )
    if message is not None:
        values["message_kind"] = message_kind(message.type)
    return replace(base, **values)


def _member_of(scope: TenantScope, contact_id: int, segments: Iterable[int]) -> frozenset[int]:
    wanted = sorted(set(segments))
    if not wanted:
        return frozenset()
    try:
        viewer = system_actor(scope)
    except UserError:
        return frozenset()
    found = set()
    for segment_id in wanted:
        try:
            if is_member(scope, actor=viewer, segment_id=segment_id, contact_id=contact_id):
                found.add(segment_id)
        except LookupError:
            continue  # a deleted segment: nobody is in it
    return frozenset(found)
