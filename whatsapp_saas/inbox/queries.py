"""What the Inbox page reads: the conversation list, a conversation's messages, search.

Every read takes the actor, so permissions (:mod:`whatsapp_saas.inbox.access`) apply to
lists and searches exactly as to single rows. Lists use keyset cursors (never OFFSET), so the
100th page costs what the first one does.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlmodel import col, select

from whatsapp_saas.accounts.service import CurrentUser
from whatsapp_saas.contacts.models import Contact
from whatsapp_saas.contacts.search import contact_matches
from whatsapp_saas.errors import UserError
from whatsapp_saas.inbox.access import get_conversation, visible_to
from whatsapp_saas.inbox.models import Conversation, ConversationStatus, Message
from whatsapp_saas.inbox.search import clean_query, estimated_matches, message_matches
from whatsapp_saas.models_base import as_utc
from whatsapp_saas.tenancy.scope import TenantScope

PAGE_MAX = 100
# Above this many matching messages (planner estimate), search by walking the list.
WALK_ABOVE = 3000
RARE_CAP = 5000  # most index matches a rare-word search looks at before falling back


class ListFilter(StrEnum):
    MINE = "mine"
    UNASSIGNED = "unassigned"
    ALL = "all"


@dataclass(frozen=True, slots=True)
class ConversationItem:
    conversation: Conversation
    contact: Contact


@dataclass(frozen=True, slots=True)
class ConversationPage:
    items: list[ConversationItem]
    next_cursor: str | None  # pass back as ``cursor`` for the next page; None at the end


@dataclass(frozen=True, slots=True)
class MessagePage:
    messages: list[Message]  # oldest first, as a chat window shows them
    before: int | None  # pass back as ``before`` for older messages; None at the beginning


@dataclass(frozen=True, slots=True)
class MessageHit:
    message: Message
    conversation: Conversation
    contact: Contact


def list_conversations(
    scope: TenantScope,
    *,
    actor: CurrentUser,
    filter: ListFilter | str = ListFilter.ALL,
    status: str | None = None,
    number_id: int | None = None,
    department_id: int | None = None,
    search: str | None = None,
    cursor: str | None = None,
    limit: int = 30,
    tag_id: int | None = None,
) -> ConversationPage:
    """The actor's conversations, most recent activity first."""
    limit = _limit(limit)
    query: Any = (
        select(Conversation, Contact)
        .join(Contact, col(Contact.id) == Conversation.contact_id)
        .where(Conversation.tenant_id == scope.tenant_id)
        .where(visible_to(scope, actor=actor))
        .order_by(col(Conversation.last_message_at).desc(), col(Conversation.id).desc())
        .limit(limit + 1)
    )
    for clause in _filters(scope, actor, filter, status, number_id, department_id, search):
        query = query.where(clause)
    if tag_id is not None:
        query = query.where(_tagged(scope, tag_id))
    if cursor:
        at, last_id = _decode_cursor(cursor)
        query = query.where(
            sa.tuple_(col(Conversation.last_message_at), col(Conversation.id))
            < sa.tuple_(at, last_id)
        )
    rows = scope.session.exec(query).all()
    items = [ConversationItem(conv, contact) for conv, contact in rows[:limit]]
    more = len(rows) > limit
    return ConversationPage(items, _encode_cursor(items[-1].conversation) if more else None)


def _filters(
    scope: TenantScope,
    actor: CurrentUser,
    which: ListFilter | str,
    status: str | None,
    number_id: int | None,
    department_id: int | None,
    search: str | None,
) -> list[sa.ColumnElement[bool]]:
    clauses: list[sa.ColumnElement[bool]] = []
    which = ListFilter(which)
    if which is ListFilter.MINE:
        clauses.append(col(Conversation.assignee_id) == actor.user_id)
    elif which is ListFilter.UNASSIGNED:
        clauses.append(col(Conversation.assignee_id).is_(None))
    if status is not None:
        clauses.append(col(Conversation.status) == ConversationStatus(status).value)
    if number_id is not None:
        clauses.append(col(Conversation.number_id) == number_id)
    if department_id is not None:
        clauses.append(col(Conversation.department_id) == department_id)
    words = clean_query(search)
    if words:
        clauses.append(_conversation_matches(scope, words))
    return clauses


# The CRM's conversation tags (crm_conversation_tags), named here as a bare table so the inbox
# does not import the CRM package (which builds on the inbox).
_CONVERSATION_TAGS = sa.table(
    "crm_conversation_tags",
    sa.column("tenant_id"),
    sa.column("conversation_id"),
    sa.column("tag_id"),
)


def _tagged(scope: TenantScope, tag_id: int) -> sa.ColumnElement[bool]:
    t = _CONVERSATION_TAGS
    tagged = sa.select(t.c.conversation_id).where(
        t.c.tenant_id == scope.tenant_id, t.c.tag_id == tag_id
    )
    return col(Conversation.id).in_(tagged)


def _conversation_matches(scope: TenantScope, words: str) -> sa.ColumnElement[bool]:
    """A message of the thread matches, or the contact's name or number does.

    Two shapes, picked by how common the words are: a rare word is cheapest as "threads
    among the (few) matching messages" (GIN index, then walk the list); a common one as
    "walk the list and test each thread" (a page fills after a few hundred threads).
    """
    session = scope.session
    if estimated_matches(session, tenant_id=scope.tenant_id, words=words) > WALK_ABOVE:
        thread_has_match = (
            sa.exists()
            .where(col(Message.conversation_id) == col(Conversation.id))
            .where(message_matches(session, words=words))
        )
        return sa.or_(thread_has_match, contact_matches(session, text=words))
    message_hits = (
        select(Message.conversation_id)
        .where(Message.tenant_id == scope.tenant_id)
        .where(message_matches(session, words=words))
    )
    contact_hits = (
        select(Contact.id)
        .where(Contact.tenant_id == scope.tenant_id)
        .where(contact_matches(session, text=words))
        .correlate(None)  # its own FROM contacts, not the list's
    )
    return sa.or_(
        col(Conversation.id).in_(message_hits),
        col(Conversation.contact_id).in_(contact_hits),
    )


def get_messages(
    scope: TenantScope,
    *,
    actor: CurrentUser,
    conversation_id: int,
    before: int | None = None,
    limit: int = 50,
) -> MessagePage:
    """A page of a conversation's messages, newest page first (scroll up for ``before``)."""
    get_conversation(scope, actor=actor, conversation_id=conversation_id)
    limit = _limit(limit)
    query = (
        scope.select(Message)
        .where(Message.conversation_id == conversation_id)
        .order_by(col(Message.id).desc())
        .limit(limit + 1)
    )
    if before is not None:
        query = query.where(col(Message.id) < before)
    rows = list(scope.session.exec(query).all())
    page = rows[:limit]
    older = page[-1].id if len(rows) > limit and page else None
    return MessagePage(list(reversed(page)), older)


def search_messages(
    scope: TenantScope,
    *,
    actor: CurrentUser,
    text: str,
    before: int | None = None,
    limit: int = 30,
) -> list[MessageHit]:
    """Messages containing every word of ``text``, newest first, in conversations one may see.

    Rare words take the matches from the GIN index first and only then look at their
    conversations (by primary key); common words walk the messages newest first, and a page
    fills after a few hundred rows. One query for both would let the planner pick a plan
    that is right for one and ruinous for the other.
    """
    words = clean_query(text)
    if words is None:
        return []
    limit = _limit(limit)
    if estimated_matches(scope.session, tenant_id=scope.tenant_id, words=words) <= WALK_ABOVE:
        found = _rare_hits(scope, actor, words, before, limit)
        if found is not None:
            return found
    return _hits(scope, actor, words, before, limit, [])


def _hits(
    scope: TenantScope,
    actor: CurrentUser,
    words: str | None,
    before: int | None,
    limit: int,
    ids: list[int],
) -> list[MessageHit]:
    query: Any = (
        select(Message, Conversation, Contact)
        .join(Conversation, col(Conversation.id) == Message.conversation_id)
        .join(Contact, col(Contact.id) == Conversation.contact_id)
        .where(Message.tenant_id == scope.tenant_id)
        .where(visible_to(scope, actor=actor))
        .order_by(col(Message.id).desc())
        .limit(limit)
    )
    if words is not None:
        query = query.where(message_matches(scope.session, words=words))
    if ids:
        query = query.where(col(Message.id).in_(ids))
    if before is not None:
        query = query.where(col(Message.id) < before)
    return [MessageHit(m, conv, contact) for m, conv, contact in scope.session.exec(query).all()]


def _rare_hits(
    scope: TenantScope, actor: CurrentUser, words: str, before: int | None, limit: int
) -> list[MessageHit] | None:
    """Matches from the index (``id + 0`` hides the key order from the planner), then the
    visible ones among them; None when there were too many matches for this shape."""
    candidates: Any = (
        select(Message.id, Message.conversation_id)
        .where(Message.tenant_id == scope.tenant_id)
        .where(message_matches(scope.session, words=words))
        .order_by((col(Message.id) + 0).desc())
        .limit(RARE_CAP)
    )
    if before is not None:
        candidates = candidates.where(col(Message.id) < before)
    rows = scope.session.exec(candidates).all()
    if len(rows) >= RARE_CAP:
        return None
    visible: set[int] | None = None
    if not actor.is_manager:
        query = select(Conversation.id).where(
            Conversation.tenant_id == scope.tenant_id,
            col(Conversation.id).in_({c for _, c in rows}),
            visible_to(scope, actor=actor),
        )
        visible = set(scope.session.exec(query).all())  # type: ignore[arg-type]
    ids = [m for m, c in rows if visible is None or c in visible][:limit]
    return _hits(scope, actor, None, None, limit, ids) if ids else []


def _limit(limit: int) -> int:
    return min(max(int(limit), 1), PAGE_MAX)


def _encode_cursor(conversation: Conversation) -> str:
    return f"{as_utc(conversation.last_message_at).isoformat()}|{conversation.id}"


def _decode_cursor(cursor: str) -> tuple[datetime, int]:
    try:
        at, _, last_id = cursor.rpartition("|")
        return as_utc(datetime.fromisoformat(at)), int(last_id)
    except ValueError as exc:
        raise UserError("error.inbox_cursor_invalid") from exc
