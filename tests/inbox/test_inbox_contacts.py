"""Contacts: a set of WhatsApp ids; a LID and a phone revealed to be one person are merged."""

from __future__ import annotations

import pytest
from conftest import Recorder, World
from inbox_helpers import conversations, inbound, messages

from whatsapp_saas.contacts.events import ContactsMerged
from whatsapp_saas.contacts.ids import identities_of, identity_of
from whatsapp_saas.contacts.models import Contact, ContactIdentity
from whatsapp_saas.contacts.service import (
    contact_address,
    create_contact,
    list_contacts,
    resolve_contact,
)
from whatsapp_saas.db import session_scope
from whatsapp_saas.errors import UserError
from whatsapp_saas.inbox.contact_merge import INBOX_PARTICIPANTS
from whatsapp_saas.inbox.ingest import ingest_batch, ingest_event
from whatsapp_saas.tenancy.scope import TenantScope

PHONE = "+5511987654321"
LID = "123456789012345"


def _contacts(*, merged: bool = False) -> list[Contact]:
    """The live contacts (or, with ``merged``, the rows kept for contacts merged away)."""
    with session_scope() as session:
        rows = session.query(Contact).order_by(Contact.id).all()  # type: ignore[arg-type]
        return [c for c in rows if (c.merged_into_id is not None) == merged]


def _identities(contact_id: int) -> set[tuple[str, str]]:
    with session_scope() as session:
        rows = session.query(ContactIdentity).filter_by(contact_id=contact_id).all()
        return {(r.kind, r.value) for r in rows}


def test_jids_become_identities() -> None:
    assert identity_of("5511987654321:12@s.whatsapp.net").value == "+5511987654321"  # type: ignore[union-attr]
    assert identity_of(f"{LID}@lid").kind == "lid"  # type: ignore[union-attr]
    assert identity_of("120363@g.us") is None
    assert [i.kind for i in identities_of(f"{LID}@lid", "5511987654321@s.whatsapp.net")] == [
        "phone",
        "lid",
    ]


def test_lid_first_then_phone_and_lid_merge_into_one_contact(
    world: World, recorder: Recorder
) -> None:
    a = world.a
    # The same person, seen first by LID only, then by phone only: two contacts, two threads.
    ingest_event(inbound(a.tenant_id, a.number_id, phone=None, lid=LID, text="by lid", seconds=1))
    ingest_event(inbound(a.tenant_id, a.number_id, phone=PHONE, text="by phone", seconds=2))
    assert len(_contacts()) == 2 and len(conversations()) == 2
    # A message carrying both ids reveals they are one: merge into the older contact.
    ingest_event(
        inbound(a.tenant_id, a.number_id, phone=PHONE, lid=LID, push_name="Ana", seconds=3)
    )
    [contact] = _contacts()
    assert _identities(contact.id) == {("phone", PHONE), ("lid", LID)}  # type: ignore[arg-type]
    assert (contact.phone, contact.push_name) == (PHONE, "Ana")
    [conversation] = conversations()
    assert conversation.contact_id == contact.id
    assert conversation.unread_count == 3
    assert {m.conversation_id for m in messages()} == {conversation.id}
    [merged] = recorder.of(ContactsMerged)
    assert merged.survivor_id == contact.id
    [kept] = _contacts(merged=True)  # the merged id still resolves, to the survivor
    assert (kept.id, kept.merged_into_id) == (merged.merged_id, contact.id)


def test_merge_inside_one_batch(world: World) -> None:
    a = world.a
    result = ingest_batch(
        [
            inbound(a.tenant_id, a.number_id, phone=None, lid=LID, seconds=1),
            inbound(a.tenant_id, a.number_id, phone=PHONE, seconds=2),
            inbound(a.tenant_id, a.number_id, phone=PHONE, lid=LID, seconds=3),
            inbound(a.tenant_id, a.number_id, phone=None, lid=LID, seconds=4),
        ]
    )
    assert len(result.outcome.stored) == 4
    assert len(_contacts()) == 1
    [conversation] = conversations()
    assert conversation.unread_count == 4


def test_merge_keeps_threads_on_other_numbers(world: World) -> None:
    a = world.a
    with session_scope() as session:
        from whatsapp_saas.whatsapp.models import WhatsAppNumber

        second = WhatsAppNumber(tenant_id=a.tenant_id, name="second")
        session.add(second)
        session.flush()
        second_id = second.id
    assert second_id is not None
    ingest_event(inbound(a.tenant_id, a.number_id, phone=None, lid=LID))
    ingest_event(inbound(a.tenant_id, second_id, phone=PHONE))
    ingest_event(inbound(a.tenant_id, a.number_id, phone=PHONE, lid=LID, seconds=9))
    [contact] = _contacts()
    assert sorted(c.number_id for c in conversations(contact_id=contact.id)) == sorted(
        [a.number_id, second_id]
    )


def test_push_name_is_kept_up_to_date(world: World) -> None:
    a = world.a
    ingest_event(inbound(a.tenant_id, a.number_id, push_name="Maria"))
    ingest_event(inbound(a.tenant_id, a.number_id, push_name="Maria Silva", seconds=1))
    assert _contacts()[0].push_name == "Maria Silva"
    assert _contacts()[0].display_name == "Maria Silva"


def test_same_ids_in_two_tenants_are_two_contacts(world: World) -> None:
    for t in (world.a, world.b):
        ingest_event(inbound(t.tenant_id, t.number_id, phone=PHONE))
    assert len({c.tenant_id for c in _contacts()}) == 2


def test_resolve_contact_and_address(world: World) -> None:
    a = world.a
    with session_scope() as session:
        scope = TenantScope(session, a.tenant_id)
        lid_only = resolve_contact(
            scope,
            sender_jid=None,
            sender_lid=f"{LID}@lid",
            push_name="Zé",
            participants=INBOX_PARTICIPANTS,
        )
        assert contact_address(scope, contact_id=lid_only.id) == f"{LID}@lid"  # type: ignore[arg-type]
        phone_jid = PHONE.lstrip("+") + "@s.whatsapp.net"
        both = resolve_contact(
            scope,
            sender_jid=phone_jid,
            sender_lid=f"{LID}@lid",
            push_name=None,
            participants=INBOX_PARTICIPANTS,
        )
        assert both.id == lid_only.id
        assert contact_address(scope, contact_id=both.id) == "5511987654321@s.whatsapp.net"  # type: ignore[arg-type]
        assert [c.id for c in list_contacts(scope, search="zé")] == [both.id]


def test_phone_numbers_are_validated_to_e164(world: World) -> None:
    with session_scope() as session:
        scope = TenantScope(session, world.a.tenant_id)
        contact = create_contact(scope, phone="+55 (11) 98765-4321", name="Rita")
        assert (contact.phone, contact.name) == (PHONE, "Rita")
        assert create_contact(scope, phone=PHONE).id == contact.id
        with pytest.raises(UserError) as err:
            create_contact(scope, phone="+55 11 123")
        assert err.value.code == "contacts.error_phone_invalid"


def test_a_concurrent_writer_creating_the_same_contact_ends_in_one_contact(pg_world: World) -> None:
    from whatsapp_saas.contacts.ids import Identity
    from whatsapp_saas.contacts.resolver import ContactResolver

    a = pg_world.a
    ident = Identity("phone", PHONE)
    with session_scope() as mine:
        resolver = ContactResolver(TenantScope(mine, a.tenant_id), participants=INBOX_PARTICIPANTS)
        resolver.prefetch([ident])  # nobody owns it yet, as far as this transaction knows
        with session_scope() as theirs:  # another manager commits the same customer first
            theirs_scope = TenantScope(theirs, a.tenant_id)
            theirs_resolver = ContactResolver(theirs_scope, participants=INBOX_PARTICIPANTS)
            other = theirs_resolver.resolve([ident], "Ana")
        resolver.create_unknown([([ident], "Ana B.")])
        contact = resolver.resolve([ident], "Ana B.")
    [only] = _contacts()
    assert contact.id == other.id == only.id
    assert only.push_name == "Ana B."
    assert _identities(only.id) == {("phone", PHONE)}  # type: ignore[arg-type]
