"""The rows a batch of live updates needs, read once per batch per web worker.

Every open inbox of the tenant gets the same snapshots; each one then decides in memory what it
may see and shows (:mod:`whatsapp_saas.ui.inbox.live`). Message rows depend on the viewer's
time zone and language, so they are built once per (zone, language) among the open tabs.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session, col, select

from whatsapp_saas.accounts.models import User
from whatsapp_saas.contacts.models import Contact
from whatsapp_saas.crm.tags import tags_of_conversations
from whatsapp_saas.inbox.departments import list_departments
from whatsapp_saas.inbox.models import Conversation, DepartmentMember, Message
from whatsapp_saas.inbox.queries import ConversationItem
from whatsapp_saas.tenancy.scope import TenantScope
from whatsapp_saas.ui.inbox.views import conversation_header, conversation_row, message_rows
from whatsapp_saas.whatsapp.models import WhatsAppNumber

Locale = tuple[str, str]  # (time zone, language)


@dataclass(frozen=True)
class ConversationSnapshot:
    """A conversation as every viewer's list and header show it, plus who may see it."""

    id: str
    number_id: int
    assignee_id: int | None
    department_id: int | None
    status: str
    unread: int
    row: dict[str, str]
    header: dict[str, str]


@dataclass(frozen=True)
class MessageSnapshot:
    id: str
    conversation_id: str
    inbound: bool
    rows: dict[Locale, dict[str, Any]] = field(default_factory=dict)


@dataclass(frozen=True)
class BatchRows:
    conversations: dict[str, ConversationSnapshot]
    messages: tuple[MessageSnapshot, ...]


def read_batch(
    session: Session,
    tenant_id: int,
    conversation_ids: Iterable[int],
    message_ids: Iterable[int],
    locales: Iterable[Locale],
) -> BatchRows:
    """Snapshots of the conversations and messages a batch touched (a few queries in all)."""
    scope = TenantScope(session, tenant_id)
    wanted = sorted(set(conversation_ids))
    found = (
        session.exec(
            select(Conversation, Contact)
            .join(Contact, col(Contact.id) == Conversation.contact_id)
            .where(Conversation.tenant_id == tenant_id)
            .where(col(Conversation.id).in_(wanted))
        ).all()
        if wanted
        else []
    )
    numbers = {n.id: n.name for n in scope.all(WhatsAppNumber) if n.id is not None}
    users = {u.id: u.name for u in scope.all(User) if u.id is not None}
    departments = {d.id: d.name for d in list_departments(scope) if d.id is not None}
    tagged = tags_of_conversations(scope, conversation_ids=[conv.id or 0 for conv, _ in found])
    snapshots = {
        str(conv.id): _snapshot(
            conv,
            contact,
            (numbers, users, departments),
            [(t.name, t.color) for t in tagged.get(conv.id or 0, [])],
        )
        for conv, contact in found
    }
    return BatchRows(snapshots, _messages(scope, sorted(set(message_ids)), users, set(locales)))


def _snapshot(
    conv: Conversation,
    contact: Contact,
    names: tuple[dict[int, str], dict[int, str], dict[int, str]],
    tags: list[tuple[str, str]],
) -> ConversationSnapshot:
    numbers, users, departments = names
    item = ConversationItem(conv, contact)
    return ConversationSnapshot(
        id=str(conv.id),
        number_id=conv.number_id,
        assignee_id=conv.assignee_id,
        department_id=conv.department_id,
        status=conv.status,
        unread=int(conv.unread_count or 0),
        row=conversation_row(item, numbers, users, departments, tags),
        header=conversation_header(conv, contact, numbers),
    )


def _messages(
    scope: TenantScope, ids: list[int], users: dict[int, str], locales: set[Locale]
) -> tuple[MessageSnapshot, ...]:
    if not ids:
        return ()
    found = list(scope.all(Message, col(Message.id).in_(ids)))
    found.sort(key=lambda m: m.id or 0)
    by_locale = {
        locale: message_rows(scope, found, locale[0], users, locale[1]) for locale in locales
    }
    return tuple(
        MessageSnapshot(
            id=str(m.id),
            conversation_id=str(m.conversation_id),
            inbound=m.direction == "in",
            rows={locale: rows[index] for locale, rows in by_locale.items()},
        )
        for index, m in enumerate(found)
    )


def memberships(
    session: Session, tenant_id: int, user_ids: Iterable[int]
) -> dict[int, frozenset[int]]:
    """The departments of each user, in one query."""
    wanted = sorted(set(user_ids))
    result: dict[int, set[int]] = {user_id: set() for user_id in wanted}
    if wanted:
        rows = session.exec(
            select(DepartmentMember.user_id, DepartmentMember.department_id)
            .where(DepartmentMember.tenant_id == tenant_id)
            .where(col(DepartmentMember.user_id).in_(wanted))
        ).all()
        for user_id, department_id in rows:
            result[user_id].add(department_id)
    return {user_id: frozenset(found) for user_id, found in result.items()}
