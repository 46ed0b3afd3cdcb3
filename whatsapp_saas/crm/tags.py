"""Tenant-defined tags with colours, on contacts and on conversations.

``contacts.tags`` (the names, a JSON list the inbox already shows) is kept in step with the
link table, which is what filters and segments read (an index on (tag, contact)).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import sqlalchemy as sa
from sqlmodel import col, select

from whatsapp_saas.accounts.service import CurrentUser
from whatsapp_saas.contacts.events import ContactUpdated
from whatsapp_saas.contacts.models import Contact
from whatsapp_saas.crm.models import ContactTag, ConversationTag, Tag
from whatsapp_saas.crm.timeline import record_change
from whatsapp_saas.db import announce_after_commit
from whatsapp_saas.db.sqlutil import insert_ignore
from whatsapp_saas.errors import UserError
from whatsapp_saas.inbox.access import get_conversation
from whatsapp_saas.inbox.models import Conversation
from whatsapp_saas.tenancy.scope import TenantScope

COLORS = ("gray", "red", "orange", "amber", "green", "teal", "blue", "indigo", "purple", "pink")
NAME_MAX = 40
CONTACT_TAGS: sa.Table = ContactTag.__table__  # type: ignore[attr-defined]
CONVERSATION_TAGS: sa.Table = ConversationTag.__table__  # type: ignore[attr-defined]


def list_tags(scope: TenantScope) -> list[Tag]:
    return sorted(scope.all(Tag), key=lambda t: t.name.casefold())


def create_tag(scope: TenantScope, *, name: str, color: str = "gray") -> Tag:
    cleaned = " ".join(name.split())
    if not cleaned:
        raise UserError("error.name_required")
    if len(cleaned) > NAME_MAX:
        raise UserError("error.too_long", limit=NAME_MAX)
    if color not in COLORS:
        raise UserError("crm.error_tag_color")
    existing = find_tag(scope, name=cleaned)
    if existing is not None:
        return existing
    tag = scope.add(Tag(tenant_id=scope.tenant_id, name=cleaned, color=color))
    scope.session.flush()
    return tag


def find_tag(scope: TenantScope, *, name: str) -> Tag | None:
    wanted = " ".join(name.split()).casefold()
    return next((t for t in scope.all(Tag) if t.name.casefold() == wanted), None)


def delete_tag(scope: TenantScope, *, tag_id: int) -> None:
    tag = scope.get(Tag, tag_id)
    contact_ids = [
        r[0]
        for r in scope.session.execute(
            select(ContactTag.contact_id).where(col(ContactTag.tag_id) == tag_id)
        )
    ]
    scope.session.delete(tag)
    scope.session.flush()
    sync_names(scope, contact_ids=contact_ids)


def tag_contacts(scope: TenantScope, *, tag_id: int, contact_ids: Sequence[int]) -> int:
    """Tag contacts of this tenant (others' ids are ignored); returns how many were new."""
    scope.get(Tag, tag_id)
    mine = _own_contacts(scope, contact_ids)
    rows = [{"tenant_id": scope.tenant_id, "contact_id": c, "tag_id": tag_id} for c in mine]
    added = insert_ignore(
        scope.session,
        table=CONTACT_TAGS,
        rows=rows,
        conflict=["contact_id", "tag_id"],
        returning=[CONTACT_TAGS.c.contact_id],
    )
    sync_names(scope, contact_ids=mine)
    return len(added)


def untag_contacts(scope: TenantScope, *, tag_id: int, contact_ids: Sequence[int]) -> int:
    scope.get(Tag, tag_id)
    mine = _own_contacts(scope, contact_ids)
    result = scope.session.execute(
        sa.delete(CONTACT_TAGS)
        .where(CONTACT_TAGS.c.tenant_id == scope.tenant_id, CONTACT_TAGS.c.tag_id == tag_id)
        .where(CONTACT_TAGS.c.contact_id.in_(mine))
    )
    sync_names(scope, contact_ids=mine)
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def contact_tags(scope: TenantScope, *, contact_id: int) -> list[Tag]:
    query = (
        scope.select(Tag)
        .join(ContactTag, col(ContactTag.tag_id) == col(Tag.id))
        .where(col(ContactTag.contact_id) == contact_id)
    )
    return sorted(scope.session.exec(query).all(), key=lambda t: t.name.casefold())


def tags_of_contacts(scope: TenantScope, *, contact_ids: Iterable[int]) -> dict[int, list[Tag]]:
    return _tags_by_owner(scope, ContactTag, "contact_id", contact_ids)


def _tags_by_owner(
    scope: TenantScope,
    link: type[ContactTag] | type[ConversationTag],
    owner: str,
    ids: Iterable[int],
) -> dict[int, list[Tag]]:
    """The tags of many contacts or conversations (``link`` and its ``owner`` id column), by
    name, in one query."""
    wanted = list(set(ids))
    found: dict[int, list[Tag]] = {i: [] for i in wanted}
    if not wanted:
        return found
    owner_id = getattr(link, owner)
    query = (
        select(owner_id, Tag)
        .join(Tag, col(Tag.id) == col(link.tag_id))
        .where(col(link.tenant_id) == scope.tenant_id)
        .where(col(owner_id).in_(wanted))
    )
    for owner_key, tag in scope.session.exec(query).all():
        found[owner_key].append(tag)
    for tags in found.values():
        tags.sort(key=lambda t: t.name.casefold())
    return found


def set_contact_tags(
    scope: TenantScope, *, contact_id: int, tag_ids: Sequence[int], user_id: int | None = None
) -> list[Tag]:
    """Exactly these tags on the contact (each must be this tenant's); logged and announced."""
    scope.get(Contact, contact_id)
    wanted = {scope.get(Tag, t).id for t in tag_ids}
    before = contact_tags(scope, contact_id=contact_id)
    current = {t.id for t in before}
    for tag_id in wanted - current:
        assert tag_id is not None
        scope.add(ContactTag(tenant_id=scope.tenant_id, contact_id=contact_id, tag_id=tag_id))
    for tag_id in current - wanted:
        scope.session.execute(
            sa.delete(CONTACT_TAGS).where(
                CONTACT_TAGS.c.contact_id == contact_id, CONTACT_TAGS.c.tag_id == tag_id
            )
        )
    scope.session.flush()
    sync_names(scope, contact_ids=[contact_id])
    after = contact_tags(scope, contact_id=contact_id)
    record_change(
        scope,
        contact_id=contact_id,
        user_id=user_id,
        field="tags",
        old=[t.name for t in before],
        new=[t.name for t in after],
    )
    announce_after_commit(scope.session, ContactUpdated(scope.tenant_id, contact_id))
    return after


def set_contact_tag_names(
    scope: TenantScope, *, contact_id: int, names: Sequence[str], user_id: int | None = None
) -> list[Tag]:
    """Exactly these tags, by name (a name the tenant has no tag for becomes a grey tag), on
    the contact, through the tag tables, so filters, segments and campaigns find them."""
    unique = {" ".join(n.split()).casefold(): " ".join(n.split()) for n in names if n.strip()}
    tag_ids = [int(create_tag(scope, name=n).id or 0) for n in unique.values()]
    return set_contact_tags(scope, contact_id=contact_id, tag_ids=tag_ids, user_id=user_id)


def set_conversation_tags(
    scope: TenantScope, *, actor: CurrentUser, conversation_id: int, tag_ids: Sequence[int]
) -> list[Tag]:
    """Exactly these tags (each this tenant's) on a conversation the viewer may see."""
    get_conversation(scope, actor=actor, conversation_id=conversation_id, for_update=True)
    wanted = {scope.get(Tag, t).id for t in tag_ids}
    current = {t.id for t in conversation_tags(scope, conversation_id=conversation_id)}
    for tag_id in wanted - current:
        assert tag_id is not None
        tag_conversation(scope, conversation_id=conversation_id, tag_id=tag_id)
    for tag_id in current - wanted:
        assert tag_id is not None
        untag_conversation(scope, conversation_id=conversation_id, tag_id=tag_id)
    scope.session.flush()
    return conversation_tags(scope, conversation_id=conversation_id)


def tag_conversation(scope: TenantScope, *, conversation_id: int, tag_id: int) -> None:
    scope.get(Conversation, conversation_id)
    scope.get(Tag, tag_id)
    rows = [{"tenant_id": scope.tenant_id, "conversation_id": conversation_id, "tag_id": tag_id}]
    insert_ignore(
        scope.session,
        table=CONVERSATION_TAGS,
        rows=rows,
        conflict=["conversation_id", "tag_id"],
        returning=[CONVERSATION_TAGS.c.conversation_id],
    )


def untag_conversation(scope: TenantScope, *, conversation_id: int, tag_id: int) -> None:
    scope.session.execute(
        sa.delete(CONVERSATION_TAGS).where(
            CONVERSATION_TAGS.c.tenant_id == scope.tenant_id,
            CONVERSATION_TAGS.c.conversation_id == conversation_id,
            CONVERSATION_TAGS.c.tag_id == tag_id,
        )
    )


def conversation_tags(scope: TenantScope, *, conversation_id: int) -> list[Tag]:
    query = (
        scope.select(Tag)
        .join(ConversationTag, col(ConversationTag.tag_id) == col(Tag.id))
        .where(col(ConversationTag.conversation_id) == conversation_id)
    )
    return sorted(scope.session.exec(query).all(), key=lambda t: t.name.casefold())


def tags_of_conversations(
    scope: TenantScope, *, conversation_ids: Iterable[int]
) -> dict[int, list[Tag]]:
    """The tags of a page of conversations, by name, in one query (the inbox list's chips)."""
    return _tags_by_owner(scope, ConversationTag, "conversation_id", conversation_ids)


def sync_names(scope: TenantScope, *, contact_ids: Iterable[int]) -> None:
    """Copy the linked tags' names onto ``contacts.tags`` (what older screens read)."""
    ids = list(set(contact_ids))
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        names = {
            c: [t.name for t in tags]
            for c, tags in tags_of_contacts(scope, contact_ids=chunk).items()
        }
        for contact in scope.all(Contact, col(Contact.id).in_(chunk)):
            assert contact.id is not None
            if contact.tags != names.get(contact.id, []):
                contact.tags = names.get(contact.id, [])
                scope.session.add(contact)
    scope.session.flush()


def _own_contacts(scope: TenantScope, contact_ids: Sequence[int]) -> list[int]:
    ids = list({int(c) for c in contact_ids})
    if not ids:
        return []
    query = select(Contact.id).where(
        col(Contact.tenant_id) == scope.tenant_id, col(Contact.id).in_(ids)
    )
    return [int(r) for r in scope.session.exec(query).all() if r is not None]
