"""Bulk actions (a selection at once, a whole filter as a job), export with its audit entry,
merging from the CRM (notes, tags and profile survive; LID and phone), and SQLite."""

from __future__ import annotations

import pytest
from sqlmodel import select

from tests.crm.conftest import World
from tests.crm.crm_helpers import make_contact, run
from whatsapp_saas.contacts.ids import Identity
from whatsapp_saas.contacts.models import Contact, ContactIdentity
from whatsapp_saas.contacts.resolver import ContactResolver
from whatsapp_saas.crm import bulk, export, fields, jobs, listing, merging, tags, timeline
from whatsapp_saas.crm.filters import ContactFilter
from whatsapp_saas.crm.models import AuditEntry, Job, JobStatus, Note
from whatsapp_saas.db import session_scope
from whatsapp_saas.errors import PermissionDenied
from whatsapp_saas.inbox.contact_merge import INBOX_PARTICIPANTS


def _people(world: World, count: int) -> list[int]:
    return [make_contact(world.a.owner, f"+55119{i:08d}", f"Pessoa {i}") for i in range(count)]


def test_a_whole_filter_bulk_action_runs_as_a_job(world: World) -> None:
    owner = world.a.owner
    ids = _people(world, 30)
    tag = run(owner.tenant_id, lambda s: tags.create_tag(s, name="Lote").id)
    flt = ContactFilter(search="pessoa")
    job_id = run(
        owner.tenant_id,
        lambda s: (
            bulk.start_on_filter(s, actor=owner, action="tag", args={"tag_id": tag}, flt=flt).id
        ),
    )
    assert run(owner.tenant_id, lambda s: s.get(Job, job_id).total) == 30
    jobs.run_pending("test", limit=7)  # several chunks
    job = run(owner.tenant_id, lambda s: s.get(Job, job_id))
    assert (job.status, job.processed) == (JobStatus.DONE.value, 30)
    page = run(
        owner.tenant_id,
        lambda s: listing.contact_page(
            s, actor=owner, flt=ContactFilter(tag_ids=[tag]), per_page=100
        ),
    )
    assert sorted(r.contact.id for r in page.rows) == sorted(ids)


def test_selection_actions_and_delete_rules(world: World) -> None:
    owner, agent = world.a.owner, world.a.agent
    ids = _people(world, 3)
    run(
        owner.tenant_id,
        lambda s: fields.create_definition(
            s, entity="contact", key="plan", label="Plan", type="select", options=["Pro"]
        ),
    )
    done = run(
        owner.tenant_id,
        lambda s: bulk.on_selection(
            s, actor=owner, action="field", args={"key": "plan", "value": "pro"}, contact_ids=ids
        ),
    )
    assert done == 3
    assert run(owner.tenant_id, lambda s: s.get(Contact, ids[0]).custom_fields) == {"plan": "Pro"}
    with pytest.raises(PermissionDenied):
        run(
            owner.tenant_id,
            lambda s: bulk.on_selection(s, actor=agent, action="delete", args={}, contact_ids=ids),
        )
    beta = run(
        world.b.tenant_id,
        lambda s: bulk.on_selection(
            s, actor=world.b.owner, action="owner", args={}, contact_ids=ids
        ),
    )
    assert beta == 0  # another tenant's ids are simply not there
    assert (
        run(
            owner.tenant_id,
            lambda s: bulk.on_selection(
                s, actor=owner, action="delete", args={}, contact_ids=ids[:2]
            ),
        )
        == 2
    )
    assert run(owner.tenant_id, lambda s: s.count(Contact)) == 1


def test_export_picks_columns_and_is_audited(world: World) -> None:
    owner = world.a.owner
    make_contact(owner, "+5511988887777", "Ana", email="ana@x.io", company="Pão")
    text, count = run(
        owner.tenant_id,
        lambda s: export.export_csv(
            s,
            actor=owner,
            flt=ContactFilter(),
            columns=["name", "phone", "email"],
            headers=str.upper,
        ),
    )
    assert count == 1
    assert text.lstrip("\ufeff").splitlines() == ["NAME,PHONE,EMAIL", "Ana,+5511988887777,ana@x.io"]
    entry = run(owner.tenant_id, lambda s: s.first(AuditEntry, AuditEntry.action == "export"))
    assert entry is not None and entry.user_id == owner.user_id
    assert entry.detail["rows"] == 1 and entry.detail["columns"] == ["name", "phone", "email"]


def test_merge_keeps_notes_tags_profile_and_both_ids(world: World) -> None:
    owner = world.a.owner
    phone_id = make_contact(owner, "+5511988887777", "Ana", email="ana@x.io")

    def lid_contact(scope):  # type: ignore[no-untyped-def]
        resolver = ContactResolver(scope, participants=INBOX_PARTICIPANTS)
        contact = resolver.resolve([Identity("lid", "123456789012345")], "Ana LID")
        tag = tags.create_tag(scope, name="VIP")
        tags.tag_contacts(scope, tag_id=tag.id, contact_ids=[contact.id])
        timeline.add_note(scope, contact_id=contact.id, user_id=owner.user_id, body="called")
        contact.company = "Padaria"
        return contact.id

    lid_id = run(owner.tenant_id, lid_contact)
    suggestions = run(
        owner.tenant_id, lambda s: merging.suggest_duplicates(s, actor=owner, contact_id=phone_id)
    )
    assert suggestions == []  # nothing ties them yet: a person decides
    run(
        owner.tenant_id,
        lambda s: merging.merge_contacts(s, actor=owner, survivor_id=phone_id, merged_id=lid_id),
    )
    with session_scope() as session:
        survivor = session.get(Contact, phone_id)
        merged = session.get(Contact, lid_id)
        # The merged row stays, pointing at the survivor, so every id that names it resolves.
        assert survivor is not None and merged is not None and merged.merged_into_id == phone_id
        assert (survivor.company, survivor.email, survivor.tags) == ("Padaria", "ana@x.io", ["VIP"])
        kinds = {i.kind for i in session.exec(select(ContactIdentity)).all()}
        assert kinds == {"phone", "lid"}
        assert [n.contact_id for n in session.exec(select(Note)).all()] == [phone_id]


def test_duplicates_are_suggested_by_email_and_phone_forms(world: World) -> None:
    owner = world.a.owner
    first = make_contact(owner, "+5511988887777", "Ana", email="ana@x.io")
    second = make_contact(owner, "+5521977776666", "Ana 2", email="ana@x.io")
    found = run(
        owner.tenant_id, lambda s: merging.suggest_duplicates(s, actor=owner, contact_id=first)
    )
    assert [(f.contact_id, f.reason) for f in found] == [(second, "crm.dup_same_email")]


def test_the_crm_works_on_sqlite_too(sqlite_world: World) -> None:
    owner = sqlite_world.a.owner
    make_contact(owner, "(11) 98888-7777", "José Conceição", company="Pão Quente")
    for text in ("jose", "pao quente", "98888-7777"):
        page = run(
            owner.tenant_id,
            lambda s, t=text: listing.contact_page(s, actor=owner, flt=ContactFilter(search=t)),
        )
        assert [r.contact.name for r in page.rows] == ["José Conceição"], text
    from whatsapp_saas.crm import importer

    job_id = run(
        owner.tenant_id,
        lambda s: (
            importer.start_import(
                s,
                actor=owner,
                data="Nome;Telefone\nBia;21977776666\nX;1\n",
                mapping=["name", "phone"],
                duplicates="merge",
            ).id
        ),
    )
    jobs.run_pending("test")
    got = run(owner.tenant_id, lambda s: importer.progress(s, job_id=job_id))
    assert (got.created, got.failed) == (1, 1)
