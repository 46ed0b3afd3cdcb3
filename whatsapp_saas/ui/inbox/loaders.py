"""Database reads for the Inbox page, each one unit of work returning plain rows."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session, col

from whatsapp_saas.accounts.models import User
from whatsapp_saas.accounts.service import CurrentUser
from whatsapp_saas.contacts.models import Contact
from whatsapp_saas.crm.tags import conversation_tags, list_tags, tags_of_conversations
from whatsapp_saas.inbox import service as inbox
from whatsapp_saas.inbox.departments import list_departments
from whatsapp_saas.inbox.quick_replies import list_quick_replies
from whatsapp_saas.tenancy.scope import TenantScope
from whatsapp_saas.ui.inbox.views import conversation_header, conversation_row, message_rows
from whatsapp_saas.whatsapp.models import WhatsAppNumber


@dataclass
class ListQuery:
    filter: str = "all"
    status: str = ""
    number_id: str = ""
    department_id: str = ""
    search: str = ""
    limit: int = 30
    tag_id: str = ""


@dataclass
class Lookups:
    numbers: list[dict[str, str]] = field(default_factory=list)
    agents: list[dict[str, str]] = field(default_factory=list)
    departments: list[dict[str, str]] = field(default_factory=list)
    tags: list[dict[str, str]] = field(default_factory=list)


def _number_names(scope: TenantScope) -> dict[int, str]:
    return {n.id: n.name for n in scope.all(WhatsAppNumber) if n.id is not None}


def lookups(session: Session, user: CurrentUser) -> Lookups:
    scope = TenantScope(session, user.tenant_id)
    return Lookups(
        numbers=[{"id": str(k), "name": v} for k, v in _number_names(scope).items()],
        agents=[
            {"id": str(u.id), "name": u.name} for u in scope.all(User, col(User.is_active)) if u.id
        ],
        departments=[{"id": str(d.id), "name": d.name} for d in list_departments(scope)],
        tags=[{"id": str(t.id), "name": t.name, "color": t.color} for t in list_tags(scope)],
    )


def conversation_list(
    session: Session, user: CurrentUser, query: ListQuery, cursor: str | None = None
) -> tuple[list[dict[str, str]], str]:
    scope = TenantScope(session, user.tenant_id)
    page = inbox.list_conversations(
        scope,
        actor=user,
        filter=query.filter,
        status=query.status or None,
        number_id=int(query.number_id) if query.number_id else None,
        department_id=int(query.department_id) if query.department_id else None,
        search=query.search or None,
        cursor=cursor,
        limit=query.limit,
        tag_id=int(query.tag_id) if query.tag_id.isdigit() else None,
    )
    names, agents = _number_names(scope), _user_names(scope)
    departments = {d.id: d.name for d in list_departments(scope) if d.id is not None}
    # The page's tags in one query, not one per row.
    tagged = tags_of_conversations(
        scope, conversation_ids=[i.conversation.id or 0 for i in page.items]
    )
    rows = [
        conversation_row(
            item,
            names,
            agents,
            departments,
            [(t.name, t.color) for t in tagged.get(item.conversation.id or 0, [])],
        )
        for item in page.items
    ]
    return rows, page.next_cursor or ""


def _user_names(scope: TenantScope) -> dict[int, str]:
    return {u.id: u.name for u in scope.all(User) if u.id is not None}


@dataclass
class ChatView:
    header: dict[str, str]
    messages: list[dict[str, Any]]
    older: str
    tag_ids: list[str] = field(default_factory=list)


def chat(
    session: Session, user: CurrentUser, conversation_id: int, before: int | None = None
) -> ChatView:
    scope = TenantScope(session, user.tenant_id)
    conv = inbox.get_conversation(scope, actor=user, conversation_id=conversation_id)
    contact = scope.get(Contact, conv.contact_id)
    page = inbox.get_messages(
        scope, actor=user, conversation_id=conversation_id, before=before, limit=50
    )
    rows = message_rows(scope, page.messages, user.timezone, _user_names(scope), user.language)
    header = conversation_header(conv, contact, _number_names(scope))
    tag_ids = [str(t.id) for t in conversation_tags(scope, conversation_id=conversation_id)]
    return ChatView(header, rows, str(page.before or ""), tag_ids)


def quick_replies(session: Session, user: CurrentUser, prefix: str) -> list[dict[str, str]]:
    scope = TenantScope(session, user.tenant_id)
    return [
        {"id": str(r.id), "shortcut": r.shortcut, "text": r.text}
        for r in list_quick_replies(scope, prefix=prefix or None)
    ][:8]
