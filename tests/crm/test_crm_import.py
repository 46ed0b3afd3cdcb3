"""CSV import edge cases: encodings, separators, phone forms, bad rows, duplicates inside the
file, duplicates policies, and an interrupted import that resumes without duplicating rows."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from tests.crm.conftest import World
from tests.crm.crm_helpers import make_contact, run
from whatsapp_saas.contacts.models import Contact, ContactIdentity
from whatsapp_saas.crm import fields, importer, jobs
from whatsapp_saas.crm.import_rows import propose_mapping
from whatsapp_saas.crm.models import FieldDefinition, ImportRow, Job, JobStatus
from whatsapp_saas.db import session_scope
from whatsapp_saas.errors import PermissionDenied
from whatsapp_saas.models_base import utcnow

HEADER = "Nome;Telefone;E-mail;Empresa;Etiquetas;Cidade\n"


def _start(
    world: World, data: bytes | str, mapping: list[str] | None = None, duplicates: str = "merge"
) -> int:
    owner = world.a.owner

    def work(scope):  # type: ignore[no-untyped-def]
        table = importer.read_table(data)
        defs = fields.definitions(scope)
        chosen = mapping or propose_mapping(table.rows[0], defs)
        return importer.start_import(
            scope, actor=owner, data=data, mapping=chosen, duplicates=duplicates, file_name="x.csv"
        ).id

    return run(owner.tenant_id, work)


def _progress(world: World, job_id: int) -> importer.ImportProgress:
    return run(world.a.tenant_id, lambda s: importer.progress(s, job_id=job_id))


@pytest.fixture
def city(world: World) -> None:
    run(
        world.a.tenant_id,
        lambda s: fields.create_definition(
            s, entity="contact", key="cidade", label="Cidade", type="text"
        ),
    )


def test_mapping_is_proposed_from_portuguese_and_english_headers(world: World, city: None) -> None:
    defs = run(world.a.tenant_id, lambda s: fields.definitions(s))
    assert propose_mapping(
        ["Nome", "Telefone", "E-mail", "Empresa", "Etiquetas", "Cidade"], defs
    ) == ["name", "phone", "email", "company", "tags", "field:cidade"]
    assert propose_mapping(
        ["Full name", "Phone number", "Email", "Company", "Labels", "?"], defs
    ) == ["name", "phone", "email", "company", "tags", ""]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252"])
@pytest.mark.parametrize("sep", [";", ","])
def test_encodings_and_separators(world: World, city: None, encoding: str, sep: str) -> None:
    text = HEADER + "José Conceição;(11) 98888-7777;jose@x.io;Pão & Cia;vip, novo;São Paulo\n"
    data = text.replace(";", sep).replace("vip, novo", '"vip, novo"' if sep == "," else "vip, novo")
    job_id = _start(world, data.encode(encoding))
    jobs.run_pending("test")
    assert _progress(world, job_id).created == 1
    contact = run(world.a.tenant_id, lambda s: s.first(Contact))
    assert contact is not None
    assert (contact.name, contact.phone, contact.company) == (
        "José Conceição",
        "+5511988887777",
        "Pão & Cia",
    )
    assert contact.custom_fields == {"cidade": "São Paulo"}
    assert sorted(contact.tags) == ["novo", "vip"]


def test_phone_forms_are_one_number_and_bad_rows_are_reported(world: World, city: None) -> None:
    data = (
        HEADER
        + "\n".join(
            [
                "Ana;(11) 98888-7777;;;;",
                "Ana 2;011988887777;;;;",
                "Ana 3;+55 11 98888 7777;;;;",
                "Ana 4;5511988887777;;;;",
                "Bad;12345;;;;",
                "No id;;;;;",
                "Bad mail;;ana@;;;",
            ]
        )
        + "\n"
    )
    job_id = _start(world, data)
    jobs.run_pending("test")
    got = _progress(world, job_id)
    assert (got.created, got.merged, got.skipped, got.failed) == (1, 3, 0, 3)
    assert run(world.a.tenant_id, lambda s: s.count(Contact)) == 1
    job = run(world.a.tenant_id, lambda s: s.get(Job, job_id))
    report = run(
        world.a.tenant_id,
        lambda s: importer.failed_rows_csv(
            s, job=job, translate=lambda code, value: f"{code}:{value}"
        ),
    )
    lines = report.lstrip("\ufeff").splitlines()
    assert lines[0].endswith("crm.import_reason_header:")
    assert lines[1:] == [
        "Bad;12345;;;;;crm.import_bad_phone:12345",
        "No id;;;;;;crm.import_no_id:",
        "Bad mail;;ana@;;;;crm.import_bad_email:ana@",
    ]


def test_duplicate_policies(world: World, city: None) -> None:
    owner = world.a.owner
    existing = make_contact(owner, "+5511988887777", "Old name")
    data = HEADER + "New name;11988887777;ana@x.io;;;\nOther;;ana@x.io;;;\n"
    skip = _start(world, data, duplicates="skip")
    jobs.run_pending("test")
    assert (_progress(world, skip).skipped, _progress(world, skip).created) == (1, 1)
    create = _start(world, data, duplicates="create")
    jobs.run_pending("test")
    assert _progress(world, create).created == 2
    merge = _start(world, data, duplicates="merge")
    jobs.run_pending("test")
    assert _progress(world, merge).merged == 2
    contact = run(owner.tenant_id, lambda s: s.get(Contact, existing))
    # Row 1 merged by phone (and gave it the email); row 2 then merged by that email.
    assert contact.name == "Other" and contact.email == "ana@x.io"


def test_a_field_value_that_fails_validation_fails_the_whole_row(world: World) -> None:
    run(
        world.a.tenant_id,
        lambda s: fields.create_definition(
            s, entity="contact", key="score", label="Score", type="number", max_value=10
        ),
    )
    job_id = _start(world, "Nome;Telefone;Score\nAna;11988887777;99\nBia;11977776666;3\n")
    jobs.run_pending("test")
    assert (_progress(world, job_id).created, _progress(world, job_id).failed) == (1, 1)
    assert run(world.a.tenant_id, lambda s: s.count(Contact)) == 1  # no half-imported Ana


def test_an_interrupted_import_resumes_without_duplicating(world: World) -> None:
    rows = "\n".join(f"P{i};+55119{i:08d}" for i in range(1, 451))
    job_id = _start(world, "Nome;Telefone\n" + rows + "\n")
    with session_scope(write=True) as session:
        assert jobs.claim(session, holder="dying", now=utcnow()) == job_id
    assert not jobs.run_chunk(job_id, "dying", limit=200)  # one chunk committed, then it dies
    assert _progress(world, job_id).created == 200
    # A second runner cannot take the job while the lease holds...
    with session_scope(write=True) as session:
        assert jobs.claim(session, holder="rescuer", now=utcnow()) is None
    # ...and takes it over once the lease has run out; the dead runner can no longer write.
    later = utcnow() + timedelta(seconds=jobs.LEASE_SECONDS + 1)
    with session_scope(write=True) as session:
        assert jobs.claim(session, holder="rescuer", now=later) == job_id
    assert jobs.run_chunk(job_id, "dying", limit=200)  # not its job anymore: stops at once
    while not jobs.run_chunk(job_id, "rescuer", limit=200, clock=lambda: later):
        pass
    got = _progress(world, job_id)
    assert (got.total, got.created, got.pending) == (450, 450, 0)
    with session_scope() as session:
        assert len(session.exec(select(ContactIdentity)).all()) == 450
        assert session.get(Job, job_id).status == JobStatus.DONE.value  # type: ignore[union-attr]


def test_a_crash_inside_a_chunk_leaves_no_partial_rows(world: World, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    job_id = _start(world, "Nome;Telefone\nA;11988887777\nB;11977776666\n")
    original = importer.RowImporter.import_row
    calls = {"n": 0}

    def dying(self, row):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] == 2:
            raise KeyboardInterrupt  # the process is killed half-way through the chunk
        original(self, row)

    monkeypatch.setattr(importer.RowImporter, "import_row", dying)
    with session_scope(write=True) as session:
        jobs.claim(session, holder="dying", now=utcnow())
    with pytest.raises(KeyboardInterrupt):
        jobs.run_chunk(job_id, "dying")
    assert run(world.a.tenant_id, lambda s: s.count(Contact)) == 0  # the chunk rolled back
    monkeypatch.setattr(importer.RowImporter, "import_row", original)
    later = utcnow() + timedelta(seconds=jobs.LEASE_SECONDS + 1)
    with session_scope(write=True) as session:
        assert jobs.claim(session, holder="rescuer", now=later) == job_id
    assert jobs.run_chunk(job_id, "rescuer", clock=lambda: later)
    assert _progress(world, job_id).created == 2
    assert run(world.a.tenant_id, lambda s: s.count(Contact)) == 2


def test_only_managers_import_and_rows_stay_in_their_tenant(world: World) -> None:
    agent = world.a.agent
    with pytest.raises(PermissionDenied):
        run(
            agent.tenant_id,
            lambda s: importer.start_import(
                s,
                actor=agent,
                data="Nome;Telefone\nA;11988887777\n",
                mapping=["name", "phone"],
                duplicates="merge",
            ),
        )
    job_id = _start(world, "Nome;Telefone\nA;11988887777\n")
    jobs.run_pending("test")
    assert run(world.b.tenant_id, lambda s: s.count(Contact)) == 0
    with pytest.raises(LookupError):
        run(world.b.tenant_id, lambda s: importer.import_job(s, actor=world.b.owner, job_id=job_id))
    with session_scope() as session:
        assert {r.tenant_id for r in session.exec(select(ImportRow)).all()} == {world.a.tenant_id}
    assert run(world.b.tenant_id, lambda s: s.count(FieldDefinition)) == 0
