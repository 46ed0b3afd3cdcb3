"""The "Webhook received" trigger: its URL over HTTP (``build_api()``) on PostgreSQL, the
durable run of the rule (the spine drained as its runner would), and managing the secret."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from auto_helpers import PHONES, World, automated, make_world, runs
from hook_helpers import add_hook_rule, body, post
from sqlmodel import col, select
from starlette.testclient import TestClient

from whatsapp_saas.automations import hook_service, service
from whatsapp_saas.automations.hook_models import AutomationHook
from whatsapp_saas.contacts.models import Contact
from whatsapp_saas.db import session_scope
from whatsapp_saas.errors import PermissionDenied, UserError
from whatsapp_saas.events.cli import drain as drain_spine
from whatsapp_saas.events.models import EventRecord
from whatsapp_saas.inbox.models import Conversation
from whatsapp_saas.security.crypto import keyring_from_settings
from whatsapp_saas.tenancy.scope import NotFound, TenantScope
from whatsapp_saas.ui.api import build_api
from whatsapp_saas.ui.automations.forms import FIELD_OF_ERROR


@pytest.fixture
def client(db: str) -> Iterator[TestClient]:
    with TestClient(build_api()) as test_client:
        yield test_client


def _events(world: World) -> int:
    with session_scope() as session:
        query = sa.select(sa.func.count()).where(col(EventRecord.tenant_id) == world.tenant_id)
        return int(session.execute(query).scalar_one())


def _contacts(world: World) -> int:
    with session_scope() as session:
        rows = session.exec(select(Contact).where(Contact.tenant_id == world.tenant_id)).all()
        return len(rows)


def test_the_secret_header_queues_the_rules_reply_once(world: World, client: TestClient) -> None:
    hook = add_hook_rule(world)
    response = post(client, hook.path, body(PHONES[0]), secret=hook.secret)
    assert response.status_code == 202, response.text
    assert response.json()["status"] == "accepted"
    assert automated(world) == []  # the rule runs in the durable subscriber, not the request
    drain_spine()
    drain_spine()  # a second pass finds nothing more to do
    replies = automated(world)
    assert [m.body for m in replies] == ["Olá Maria, pedido 123: enviado"]
    assert replies[0].automation_rule == "Order shipped"
    fired = [r for r in runs(world) if r.rule_id == hook.rule_id]
    assert len(fired) == 1 and fired[0].event == "webhook_received"
    assert fired[0].status == "fired" and fired[0].idempotency_key.startswith("rule:")
    with session_scope() as session:  # the run log a manager reads
        log = service.run_log(
            TenantScope(session, world.tenant_id), actor=world.owner, rule_id=hook.rule_id
        )
        assert [r.event for r in log] == ["webhook_received"]


def test_a_signed_body_is_accepted_and_a_new_phone_becomes_a_contact(
    world: World, client: TestClient
) -> None:
    hook = add_hook_rule(world)
    content = body("(11) 97777-0000")  # read in the number's country
    assert post(client, hook.path, content, signed_with=hook.secret).status_code == 202
    drain_spine()
    with session_scope() as session:
        contact = session.exec(select(Contact).where(Contact.phone == "+5511977770000")).one()
        conversation = session.exec(
            select(Conversation).where(Conversation.contact_id == contact.id)
        ).one()
        assert conversation.number_id == world.number_id and contact.tenant_id == world.tenant_id
    assert [m.conversation_id for m in automated(world)] == [conversation.id]


def test_bad_proofs_are_401_and_change_nothing(world: World, client: TestClient) -> None:
    hook = add_hook_rule(world)
    content = body("+5511977770001")
    before = (_events(world), _contacts(world))
    for response in (
        post(client, hook.path, content),  # no secret at all
        post(client, hook.path, content, secret="whsec_wrong"),
        post(client, hook.path, content, secret=""),
        post(client, hook.path, content, signed_with="whsec_wrong"),
        client.post(hook.path, content=content, headers={"X-Signature": "sha256=" + "0" * 64}),
        client.post(hook.path, content=content, headers={"X-Signature": hook.secret}),
    ):
        assert response.status_code == 401, response.text
        assert response.json()["error"] == "unauthorized"
    drain_spine()
    assert (_events(world), _contacts(world)) == before
    assert automated(world) == []


def test_a_signature_of_another_body_is_refused(world: World, client: TestClient) -> None:
    hook = add_hook_rule(world)
    signed = post(client, hook.path, body("+5511977770003"), signed_with=hook.secret)
    assert signed.status_code == 202
    tampered = client.post(
        hook.path,
        content=body("+5511977770004"),
        headers={"X-Signature": signed.request.headers["X-Signature"]},
    )
    assert tampered.status_code == 401


def test_another_tenants_token_and_unknown_tokens(world: World, client: TestClient) -> None:
    victim = add_hook_rule(world)
    other = make_world("Beta")
    attacker = add_hook_rule(other)
    before = (_events(world), _contacts(world))
    # The attacker's own secret does not open the victim's URL.
    assert post(client, victim.path, body(), secret=attacker.secret).status_code == 401
    assert post(client, victim.path, body(), signed_with=attacker.secret).status_code == 401
    unknown = post(client, "/hooks/automations/not-a-token", body(), secret=attacker.secret)
    assert unknown.status_code == 404 and unknown.json()["error"] == "not_found"
    assert post(client, "/hooks/automations/" + "x" * 200, body()).status_code == 404
    drain_spine()
    assert (_events(world), _contacts(world)) == before


def test_a_disabled_or_changed_rule_is_404(world: World, client: TestClient) -> None:
    hook = add_hook_rule(world)
    with session_scope() as session:
        scope = TenantScope(session, world.tenant_id)
        service.set_enabled(scope, actor=world.owner, rule_id=hook.rule_id, enabled=False)
    assert post(client, hook.path, body(), secret=hook.secret).status_code == 404
    # A rule whose trigger is no longer the webhook keeps its row, but not its URL.
    with session_scope() as session:
        scope = TenantScope(session, world.tenant_id)
        service.save_rule(
            scope,
            actor=world.owner,
            rule_id=hook.rule_id,
            name="Now a keyword",
            trigger={"type": "keyword", "keyword": "oi"},
            conditions=[],
            actions=[{"type": "send_message", "message": "x"}],
        )
    assert post(client, hook.path, body(), secret=hook.secret).status_code == 404


@pytest.mark.parametrize(
    ("content", "field"),
    [
        (b"{not json", "body"),
        (b"[1, 2]", "body"),
        (b'{"text": "no phone"}', "phone"),
        (b'{"phone": "12"}', "phone"),
        (b'{"phone": "+5511988880001", "text": 5}', "text"),
        (b'{"phone": "+5511988880001", "fields": {"a": {"b": 1}}}', "fields.a"),
        (b'{"phone": "+5511988880001", "fields": ["x"]}', "fields"),
        ("\xff\xfe".encode("latin-1"), "body"),
    ],
)
def test_bad_input_is_422_naming_the_field(
    world: World, client: TestClient, content: bytes, field: str
) -> None:
    hook = add_hook_rule(world)
    before = (_events(world), _contacts(world))
    response = post(client, hook.path, content, secret=hook.secret)
    assert response.status_code == 422, response.text
    assert response.json()["field"] == field
    assert response.json()["message"]
    assert (_events(world), _contacts(world)) == before


def test_the_answer_speaks_the_callers_language(world: World, client: TestClient) -> None:
    hook = add_hook_rule(world)
    response = client.post(
        hook.path,
        content=b'{"text": "x"}',
        headers={"X-Webhook-Secret": hook.secret, "Accept-Language": "pt-BR"},
    )
    assert response.status_code == 422
    assert "obrigatório" in response.json()["message"]


def test_an_oversize_body_is_413(world: World, client: TestClient) -> None:
    hook = add_hook_rule(world)
    big = body(text="x" * (70 * 1024))
    before = (_events(world), _contacts(world))
    response = post(client, hook.path, big, secret=hook.secret)
    assert response.status_code == 413
    assert (_events(world), _contacts(world)) == before


def test_a_retry_with_the_same_idempotency_key_replies_once(
    world: World, client: TestClient
) -> None:
    hook = add_hook_rule(world)
    content = body(PHONES[0])
    first = post(client, hook.path, content, secret=hook.secret, key="order-123-shipped")
    assert first.status_code == 202
    drain_spine()
    # The caller did not see the answer and sends it again, twice (once before the run).
    again = post(client, hook.path, content, secret=hook.secret, key="order-123-shipped")
    third = post(client, hook.path, content, signed_with=hook.secret, key="order-123-shipped")
    assert again.status_code == third.status_code == 202
    drain_spine()
    assert len(automated(world)) == 1
    assert len([r for r in runs(world) if r.rule_id == hook.rule_id]) == 1
    # Another key is another notification.
    assert post(client, hook.path, content, secret=hook.secret, key="order-124").status_code == 202
    drain_spine()
    assert len(automated(world)) == 2


def test_a_bad_idempotency_key_is_422(world: World, client: TestClient) -> None:
    hook = add_hook_rule(world)
    response = post(client, hook.path, body(), secret=hook.secret, key="k" * 201)
    assert response.status_code == 422 and response.json()["field"] == "Idempotency-Key"


def test_the_rule_is_rate_limited(
    world: World, client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(hook_service, "PER_MINUTE", 2)
    hook = add_hook_rule(world)
    codes = [post(client, hook.path, body(), secret=hook.secret).status_code for _ in range(3)]
    assert codes == [202, 202, 429]
    # A stranger without the secret cannot use up the rule's allowance.
    other = add_hook_rule(world, name="Other")
    for _ in range(3):
        assert post(client, other.path, body(), secret="whsec_wrong").status_code == 401
    assert post(client, other.path, body(), secret=other.secret).status_code == 202


def test_the_chosen_number_writes(world: World, client: TestClient) -> None:
    from whatsapp_saas.whatsapp.models import WhatsAppNumber

    with session_scope() as session:
        second = WhatsAppNumber(tenant_id=world.tenant_id, name="Second", phone="+5511900000001")
        session.add(second)
        session.flush()
        second_id = second.id
    hook = add_hook_rule(world, trigger={"type": "webhook_received", "number_id": str(second_id)})
    assert post(client, hook.path, body(PHONES[1]), secret=hook.secret).status_code == 202
    drain_spine()
    with session_scope() as session:
        [reply] = automated(world)
        conversation = session.get(Conversation, reply.conversation_id)
        assert conversation is not None and conversation.number_id == second_id


def test_conditions_still_apply(world: World, client: TestClient) -> None:
    hook = add_hook_rule(world, conditions=[{"type": "has_tag", "tags": "vip"}])
    assert post(client, hook.path, body(PHONES[0]), secret=hook.secret).status_code == 202
    drain_spine()
    assert automated(world) == []


def test_rotating_the_secret(world: World, client: TestClient) -> None:
    hook = add_hook_rule(world)
    with session_scope() as session:
        scope = TenantScope(session, world.tenant_id)
        rotated = hook_service.rotate_secret(
            scope, actor=world.owner, rule_id=hook.rule_id, keyring=keyring_from_settings()
        )
        again = hook_service.hook_of(scope, actor=world.owner, rule_id=hook.rule_id)
    assert rotated.fresh and rotated.secret != hook.secret and rotated.path == hook.path
    assert again is not None and not again.fresh and again.masked.endswith(rotated.secret[-4:])
    assert post(client, hook.path, body(), secret=hook.secret).status_code == 401
    assert post(client, hook.path, body(), secret=rotated.secret).status_code == 202


def test_the_secret_is_stored_encrypted(world: World) -> None:
    hook = add_hook_rule(world)
    with session_scope() as session:
        row = session.exec(
            select(AutomationHook).where(AutomationHook.rule_id == hook.rule_id)
        ).one()
        assert hook.secret.encode() not in row.secret_ciphertext
        assert hook.secret.encode()[6:] not in row.secret_ciphertext  # not even in part
        dumped = session.execute(sa.text("SELECT * FROM automation_hooks")).all()
        assert hook.secret not in repr(dumped)


def test_managing_the_hook_is_for_the_tenants_managers(world: World) -> None:
    hook = add_hook_rule(world)
    other = make_world("Beta")
    keyring = keyring_from_settings()
    with session_scope() as session:
        scope = TenantScope(session, world.tenant_id)
        for call in (
            lambda: hook_service.hook_of(scope, actor=world.agent, rule_id=hook.rule_id),
            lambda: hook_service.rotate_secret(
                scope, actor=world.agent, rule_id=hook.rule_id, keyring=keyring
            ),
        ):
            with pytest.raises(PermissionDenied):
                call()
        foreign = TenantScope(session, other.tenant_id)
        for call in (
            lambda: hook_service.hook_of(foreign, actor=other.owner, rule_id=hook.rule_id),
            lambda: hook_service.rotate_secret(
                foreign, actor=other.owner, rule_id=hook.rule_id, keyring=keyring
            ),
            lambda: hook_service.ensure_hook(
                foreign, actor=other.owner, rule_id=hook.rule_id, keyring=keyring
            ),
        ):
            with pytest.raises(NotFound):
                call()
    with session_scope() as session:
        scope = TenantScope(session, world.tenant_id)
        view = hook_service.hook_of(scope, actor=world.owner, rule_id=hook.rule_id)
        assert view is not None and view.path == hook.path  # unchanged


def test_a_webhook_trigger_names_only_the_tenants_numbers(world: World) -> None:
    other = make_world("Beta")
    with session_scope() as session, pytest.raises(UserError) as refused:
        service.save_rule(
            TenantScope(session, world.tenant_id),
            actor=world.owner,
            name="Stolen number",
            trigger={"type": "webhook_received", "number_id": str(other.number_id)},
            conditions=[],
            actions=[{"type": "send_message", "message": "x"}],
        )
    assert refused.value.code == "error.auto_hook_number_invalid"
    assert refused.value.params == {"field": "hook_number"}
    assert FIELD_OF_ERROR[refused.value.code] == "hook_number"  # shown under the number


def test_a_dry_run_says_a_webhook_rule_waits_for_its_url(world: World) -> None:
    add_hook_rule(world)
    with session_scope() as session:
        lines = service.dry_run(TenantScope(session, world.tenant_id), actor=world.owner, text="oi")
    assert [(line.verdict.fired, line.verdict.reason) for line in lines] == [
        (False, "auto.why_webhook")
    ]


def test_sqlite_too(sqlite_world: World) -> None:
    """The same route and run on both databases (the throttle writes in a transaction of its
    own between the hook's lookup and the contact's creation)."""
    hook = add_hook_rule(sqlite_world)
    with TestClient(build_api()) as test_client:
        content = body("+5511977770009")
        response = post(test_client, hook.path, content, secret=hook.secret, key="k1")
        assert response.status_code == 202, response.text
        assert (
            post(test_client, hook.path, content, secret=hook.secret, key="k1").status_code == 202
        )
    drain_spine()
    assert [m.body for m in automated(sqlite_world)] == ["Olá , pedido 123: enviado"]
