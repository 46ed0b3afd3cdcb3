"""A contact's phones from its profile: added (normalised, with its JID), removed unless a
conversation uses it; another contact's number, a bad number and hidden contacts refused."""

from __future__ import annotations

import pytest
from sqlmodel import col

from tests.crm.conftest import World
from tests.crm.crm_helpers import make_contact, run
from whatsapp_saas.contacts.models import Contact, ContactIdentity
from whatsapp_saas.contacts.service import contact_address, contact_identities
from whatsapp_saas.crm import profile
from whatsapp_saas.crm.fields import FieldErrors
from whatsapp_saas.crm.models import Change
from whatsapp_saas.errors import UserError
from whatsapp_saas.inbox.models import Conversation
from whatsapp_saas.tenancy.scope import NotFound, TenantScope

pytestmark = pytest.mark.usefixtures("db")


def _phones(tenant_id: int, contact_id: int) -> list[str]:
    def work(scope: TenantScope) -> list[str]:
        rows = scope.all(ContactIdentity, ContactIdentity.contact_id == contact_id)
        return sorted(r.value for r in rows if r.kind == "phone")

    return run(tenant_id, work)


def _changes(tenant_id: int, contact_id: int) -> list[tuple[str, str | None, str | None]]:
    def work(scope: TenantScope) -> list[tuple[str, str | None, str | None]]:
        rows = scope.all(Change, Change.contact_id == contact_id, Change.field == "phone")
        return [(r.field, r.old_value, r.new_value) for r in sorted(rows, key=lambda r: r.id or 0)]

    return run(tenant_id, work)


def _talks(world: World, contact_id: int) -> None:
    run(
        world.a.tenant_id,
        lambda scope: scope.add(
            Conversation(
                tenant_id=scope.tenant_id, number_id=world.a.number_id, contact_id=contact_id
            )
        ),
    )


def test_a_typed_phone_is_added_in_e164_with_its_jid_and_logged(world: World) -> None:
    owner = world.a.owner
    cid = make_contact(owner, "11 98888-1001", "Ana")
    run(
        owner.tenant_id,
        lambda s: profile.add_phone(s, actor=owner, contact_id=cid, phone="(21) 97777-2002"),
    )
    assert _phones(owner.tenant_id, cid) == ["+5511988881001", "+5521977772002"]

    def ids(scope: TenantScope) -> tuple[list[str], str | None, str | None]:
        found = contact_identities(scope, contact_id=cid)
        contact = scope.get(Contact, cid)
        return [i.jid for i in found], contact_address(scope, contact_id=cid), contact.phone

    jids, address, main = run(owner.tenant_id, ids)
    assert "5521977772002@s.whatsapp.net" in jids
    # The first phone stays the contact's main one, where its conversations go.
    assert (address, main) == ("5511988881001@s.whatsapp.net", "+5511988881001")
    assert _changes(owner.tenant_id, cid) == [("phone", None, "+5521977772002")]
    # The same number again (typed otherwise) changes nothing.
    run(
        owner.tenant_id,
        lambda s: profile.add_phone(s, actor=owner, contact_id=cid, phone="+55 21 97777-2002"),
    )
    assert len(_changes(owner.tenant_id, cid)) == 1


def test_another_contacts_number_is_refused_naming_them(world: World) -> None:
    owner = world.a.owner
    cid = make_contact(owner, "+5511988881011", "Ana")
    other = make_contact(owner, "+5511988881012", "Bruno Silva")
    with pytest.raises(profile.PhoneTaken) as caught:
        run(
            owner.tenant_id,
            lambda s: profile.add_phone(s, actor=owner, contact_id=cid, phone="11988881012"),
        )
    assert caught.value.code == "crm.error_phone_taken"
    assert caught.value.contact_id == other
    assert caught.value.params["name"] == "Bruno Silva"
    assert _phones(owner.tenant_id, cid) == ["+5511988881011"]
    assert _phones(owner.tenant_id, other) == ["+5511988881012"]
    assert _changes(owner.tenant_id, cid) == []


def test_an_invalid_phone_is_a_field_error_and_changes_nothing(world: World) -> None:
    owner = world.a.owner
    cid = make_contact(owner, "+5511988881021", "Ana")
    with pytest.raises(FieldErrors) as caught:
        run(
            owner.tenant_id,
            lambda s: profile.add_phone(s, actor=owner, contact_id=cid, phone="12ab"),
        )
    assert caught.value.errors == {"phone": "contacts.error_phone_invalid"}
    assert _phones(owner.tenant_id, cid) == ["+5511988881021"]
    assert _changes(owner.tenant_id, cid) == []


def test_a_phone_no_conversation_uses_is_removed(world: World) -> None:
    owner = world.a.owner
    cid = make_contact(owner, "+5511988881031", "Ana")
    _talks(world, cid)  # the main phone carries a conversation; an added one does not
    run(
        owner.tenant_id,
        lambda s: profile.add_phone(s, actor=owner, contact_id=cid, phone="+5511988881032"),
    )
    run(
        owner.tenant_id,
        lambda s: profile.remove_phone(s, actor=owner, contact_id=cid, phone="+5511988881032"),
    )
    assert _phones(owner.tenant_id, cid) == ["+5511988881031"]
    assert _changes(owner.tenant_id, cid)[-1] == ("phone", "+5511988881032", None)
    # Without conversations even the main phone goes, and the next one takes its place.
    lone = make_contact(owner, "+5511988881033", "Caio")
    run(
        owner.tenant_id,
        lambda s: profile.add_phone(s, actor=owner, contact_id=lone, phone="+5511988881034"),
    )
    run(
        owner.tenant_id,
        lambda s: profile.remove_phone(s, actor=owner, contact_id=lone, phone="+5511988881033"),
    )
    main = run(owner.tenant_id, lambda s: s.get(Contact, lone).phone)
    assert (_phones(owner.tenant_id, lone), main) == (["+5511988881034"], "+5511988881034")


def test_a_phone_a_conversation_uses_is_not_removed(world: World) -> None:
    owner = world.a.owner
    cid = make_contact(owner, "+5511988881041", "Ana")
    _talks(world, cid)
    run(
        owner.tenant_id,
        lambda s: profile.add_phone(s, actor=owner, contact_id=cid, phone="+5511988881042"),
    )
    before = _changes(owner.tenant_id, cid)
    with pytest.raises(UserError) as caught:
        run(
            owner.tenant_id,
            lambda s: profile.remove_phone(s, actor=owner, contact_id=cid, phone="+5511988881041"),
        )
    assert caught.value.code == "crm.error_phone_in_use"
    assert _phones(owner.tenant_id, cid) == ["+5511988881041", "+5511988881042"]
    assert _changes(owner.tenant_id, cid) == before


def test_a_foreign_or_hidden_contact_is_not_found_and_unchanged(world: World) -> None:
    theirs = make_contact(world.b.owner, "+5511988881051", "Other tenant")
    hidden = make_contact(world.a.owner, "+5511988881052", "Other agent's")
    run(  # its one conversation is another agent's: the agent may not see the contact
        world.a.tenant_id,
        lambda scope: scope.add(
            Conversation(
                tenant_id=scope.tenant_id,
                number_id=world.a.number_id,
                contact_id=hidden,
                assignee_id=world.a.other_agent.user_id,
            )
        ),
    )
    attempts = [
        (world.a.owner, world.b.tenant_id, theirs, "+5511988881051"),  # another tenant's id
        (world.a.agent, world.a.tenant_id, hidden, "+5511988881052"),  # hidden from the agent
    ]
    for actor, tenant_id, cid, phone in attempts:
        with pytest.raises(NotFound):
            run(
                actor.tenant_id,
                lambda s, a=actor, c=cid: profile.add_phone(
                    s, actor=a, contact_id=c, phone="+5511988881059"
                ),
            )
        with pytest.raises(NotFound):
            run(
                actor.tenant_id,
                lambda s, a=actor, c=cid, p=phone: profile.remove_phone(
                    s, actor=a, contact_id=c, phone=p
                ),
            )
        assert _phones(tenant_id, cid) == [phone]
        assert _changes(tenant_id, cid) == []
    for tenant_id in (world.a.tenant_id, world.b.tenant_id):
        added = run(
            tenant_id,
            lambda s: s.all(ContactIdentity, col(ContactIdentity.value) == "+5511988881059"),
        )
        assert list(added) == []
