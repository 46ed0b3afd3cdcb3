"""A contact merge keeps every id, records ContactsMerged, and the inbox moves its own rows."""

from __future__ import annotations

import pytest
from conftest import Recorder, World
from inbox_helpers import conversations, inbound, messages

from whatsapp_saas.contacts.duplicates import LID_AND_PHONE, SAME_PHONE, suggest_duplicates
from whatsapp_saas.contacts.events import ContactsMerged
from whatsapp_saas.contacts.merge import current_id
from whatsapp_saas.contacts.models import Contact, ContactIdentity
from whatsapp_saas.contacts.service import contact_address, create_contact, list_contacts
from whatsapp_saas.db import session_scope
from whatsapp_saas.errors import UserError
from whatsapp_saas.inbox import service
from whatsapp_saas.inbox.contact_merge import merge_contacts
from whatsapp_saas.inbox.ingest import ingest_event
from whatsapp_saas.tenancy.scope import NotFound, TenantScope

PHONE = "+5511988887777"
LID = "123456789012345"


def _two_threads(world: World) -> tuple[int, int]:
    """The same person twice: a LID-only contact and a phone contact, a thread each."""
    a = world.a
    ingest_event(inbound(a.tenant_id, a.number_id, phone=None, lid=LID, text="by lid", seconds=1))
    ingest_event(inbound(a.tenant_id, a.number_id, phone=PHONE, text="by phone", seconds=2))
    by_contact = {c.contact_id: c for c in conversations()}
    lid_contact, phone_contact = sorted(by_contact)
    return phone_contact, lid_contact


def _contact(contact_id: int) -> Contact:
    with session_scope() as session:
        found = session.get(Contact, contact_id)
        assert found is not None
        return found


def test_merge_keeps_ids_moves_inbox_rows_and_says_so(world: World, recorder: Recorder) -> None:
    a = world.a
    survivor_id, merged_id = _two_threads(world)
    folded = {c.contact_id: c.id for c in conversations()}[merged_id]
    kept = {c.contact_id: c.id for c in conversations()}[survivor_id]
    with session_scope() as session:
        scope = TenantScope(session, a.tenant_id)
        result = merge_contacts(scope, actor=a.owner, survivor_id=survivor_id, merged_id=merged_id)
    assert result.conversation_map == {folded: kept}
    merged = _contact(merged_id)  # the row stays, pointing at the survivor
    assert (merged.merged_into_id, merged.merged_at is not None) == (survivor_id, True)
    [conversation] = conversations()
    assert (conversation.id, conversation.contact_id, conversation.unread_count) == (
        kept,
        survivor_id,
        2,
    )
    assert {m.conversation_id for m in messages()} == {kept}
    with session_scope() as session:
        scope = TenantScope(session, a.tenant_id)
        owners = {r.contact_id for r in session.query(ContactIdentity).all()}
        assert owners == {survivor_id}
        assert current_id(scope, contact_id=merged_id) == survivor_id
        assert contact_address(scope, contact_id=merged_id) == "5511988887777@s.whatsapp.net"
        assert [c.id for c in list_contacts(scope)] == [survivor_id]
    [event] = recorder.of(ContactsMerged)
    assert (event.tenant_id, event.survivor_id, event.merged_id) == (
        a.tenant_id,
        survivor_id,
        merged_id,
    )
    assert event.conversation_map == ((folded, kept),)


def test_threads_on_other_numbers_move_whole(world: World) -> None:
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
    lid_contact, phone_contact = sorted({c.contact_id for c in conversations()})
    with session_scope() as session:
        merge_contacts(
            TenantScope(session, a.tenant_id),
            actor=a.owner,
            survivor_id=phone_contact,
            merged_id=lid_contact,
        )
    assert {c.contact_id for c in conversations()} == {phone_contact}
    assert len(conversations()) == 2


def _unchanged(world: World, survivor_id: int, merged_id: int) -> None:
    assert _contact(merged_id).merged_into_id is None
    mine = conversations(tenant_id=world.a.tenant_id)
    assert sorted(c.contact_id for c in mine) == sorted([survivor_id, merged_id])


def test_refused_merges_change_nothing(world: World, recorder: Recorder) -> None:
    a, b = world.a, world.b
    survivor_id, merged_id = _two_threads(world)
    ingest_event(inbound(b.tenant_id, b.number_id, phone=PHONE))
    [foreign] = [c.contact_id for c in conversations() if c.tenant_id == b.tenant_id]
    cases: list[tuple[int, object, int, int, type[Exception]]] = [
        (a.tenant_id, a.owner, survivor_id, survivor_id, UserError),  # into itself
        (a.tenant_id, a.owner, survivor_id, foreign, NotFound),  # another tenant's contact
        (b.tenant_id, b.owner, survivor_id, merged_id, NotFound),  # another tenant's scope
        (a.tenant_id, b.owner, survivor_id, merged_id, NotFound),  # another tenant's user
    ]
    for tenant_id, actor, s_id, m_id, error in cases:
        with pytest.raises(error), session_scope() as session:
            merge_contacts(
                TenantScope(session, tenant_id),
                actor=actor,  # type: ignore[arg-type]
                survivor_id=s_id,
                merged_id=m_id,
            )
    _unchanged(world, survivor_id, merged_id)
    assert recorder.of(ContactsMerged) == []


def test_an_agent_who_cannot_see_a_thread_cannot_merge_its_contact(world: World) -> None:
    a = world.a
    survivor_id, merged_id = _two_threads(world)
    hidden = {c.contact_id: c.id for c in conversations()}[merged_id]
    with session_scope() as session:
        scope = TenantScope(session, a.tenant_id)
        service.transfer(
            scope, actor=a.owner, conversation_id=hidden, department_id=a.department_id
        )  # type: ignore[arg-type]
    with pytest.raises(NotFound), session_scope() as session:
        merge_contacts(
            TenantScope(session, a.tenant_id),
            actor=a.agent_out,
            survivor_id=survivor_id,
            merged_id=merged_id,
        )
    _unchanged(world, survivor_id, merged_id)
    with session_scope() as session:  # the department's agent sees both threads
        merge_contacts(
            TenantScope(session, a.tenant_id),
            actor=a.agent_in,
            survivor_id=survivor_id,
            merged_id=merged_id,
        )
    assert _contact(merged_id).merged_into_id == survivor_id


def test_a_merged_contact_cannot_be_merged_again(world: World) -> None:
    a = world.a
    survivor_id, merged_id = _two_threads(world)
    with session_scope() as session:
        scope = TenantScope(session, a.tenant_id)
        merge_contacts(scope, actor=a.owner, survivor_id=survivor_id, merged_id=merged_id)
    with pytest.raises(UserError) as err, session_scope() as session:
        scope = TenantScope(session, a.tenant_id)
        merge_contacts(scope, actor=a.owner, survivor_id=merged_id, merged_id=survivor_id)
    assert err.value.code == "contacts.error_merge_merged"


def test_duplicates_same_phone_in_other_forms_and_lid_with_phone(world: World) -> None:
    a, b = world.a, world.b
    with session_scope() as session:
        scope = TenantScope(session, a.tenant_id)
        typed = create_contact(scope, phone="(11) 98888-7777", name="Ana")
        old_form = scope.add(Contact(tenant_id=a.tenant_id, phone="+551188887777"))
        lid_only = scope.add(Contact(tenant_id=a.tenant_id, phone=PHONE))
        stranger = create_contact(scope, phone="+55 21 97777-6666")
        session.flush()
        scope.add(
            ContactIdentity(tenant_id=a.tenant_id, contact_id=lid_only.id, kind="lid", value=LID)  # type: ignore[arg-type]
        )
        create_contact(TenantScope(session, b.tenant_id), phone=PHONE)  # another tenant's
        session.flush()
        found = suggest_duplicates(scope, contact_id=typed.id)  # type: ignore[arg-type]
        assert {(s.contact_id, s.reason) for s in found} == {
            (old_form.id, SAME_PHONE),
            (lid_only.id, LID_AND_PHONE),
        }
        assert stranger.id not in {s.contact_id for s in found}
        with pytest.raises(NotFound):
            suggest_duplicates(TenantScope(session, b.tenant_id), contact_id=typed.id)  # type: ignore[arg-type]


def test_every_way_of_typing_a_number_is_one_contact(world: World) -> None:
    forms = ["(11) 98888-7777", "011988887777", "+55 11 98888 7777", "5511988887777"]
    with session_scope() as session:
        scope = TenantScope(session, world.a.tenant_id)
        found = {create_contact(scope, phone=typed).id for typed in forms}
        [only] = found
        assert _contact_phone(scope, only) == PHONE  # type: ignore[arg-type]


def _contact_phone(scope: TenantScope, contact_id: int) -> str | None:
    return scope.get(Contact, contact_id).phone


def test_a_send_written_for_the_merged_contact_goes_to_the_survivors_thread(world: World) -> None:
    from whatsapp_saas.scheduling.outbound import conversation_for

    a = world.a
    survivor_id, merged_id = _two_threads(world)
    with session_scope() as session:
        scope = TenantScope(session, a.tenant_id)
        merge_contacts(scope, actor=a.owner, survivor_id=survivor_id, merged_id=merged_id)
    with session_scope() as session:
        thread = conversation_for(
            TenantScope(session, a.tenant_id), number_id=a.number_id, contact_id=merged_id
        )
        assert thread.contact_id == survivor_id
    assert len(conversations(tenant_id=a.tenant_id)) == 1
