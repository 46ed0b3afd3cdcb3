"""The newer actions on PostgreSQL: tags, fields, deals, agents, follow-ups, snooze, AI,
delayed actions run by the scheduler after a restart, signed and retried webhooks, and the
bot guard."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import pytest
from auto_helpers import World, _user, add_rule, automated, conversation, inbound, runs

from whatsapp_saas.accounts.models import Role
from whatsapp_saas.automations import jobs
from whatsapp_saas.automations.engine import scheduler_pass
from whatsapp_saas.automations.models import AutomationJob, AutomationRule
from whatsapp_saas.automations.settings import save_settings
from whatsapp_saas.contacts.models import Contact
from whatsapp_saas.crm.fields import create_definition
from whatsapp_saas.crm.tags import contact_tags, create_tag, set_contact_tags
from whatsapp_saas.db import session_scope
from whatsapp_saas.deals.models import Deal, Stage
from whatsapp_saas.deals.pipelines import create_pipeline
from whatsapp_saas.errors import UserError
from whatsapp_saas.inbox.models import Conversation, Department, DepartmentMember
from whatsapp_saas.models_base import utcnow
from whatsapp_saas.scheduling.followups import save_rule
from whatsapp_saas.scheduling.models import FollowUp
from whatsapp_saas.scheduling.scheduler import Scheduler, SchedulerConfig
from whatsapp_saas.security.secrets import TenantSecret
from whatsapp_saas.tenancy.scope import TenantScope
from whatsapp_saas.ui.automations.forms import action_row


def scope_of(session: Any, world: World) -> TenantScope:
    return TenantScope(session, world.tenant_id)


def results(world: World) -> list[dict[str, Any]]:
    return [r for run in runs(world) if run.rule_id for r in run.results]


def test_remove_tag_goes_through_crm_tags(world: World) -> None:
    inbound(world, "olá")
    with session_scope() as session:
        scope = scope_of(session, world)
        set_contact_tags(
            scope,
            contact_id=conversation(world).contact_id,
            tag_ids=[create_tag(scope, name="lead").id or 0],
        )
    add_rule(world, actions=[{"type": "remove_tag", "tag": "Lead"}])
    inbound(world, "preço")
    with session_scope() as session:
        assert (
            contact_tags(scope_of(session, world), contact_id=conversation(world).contact_id) == []
        )
        contact = scope_of(session, world).first(Contact)
        assert contact is not None and contact.tags == []
    assert results(world)[0]["ok"]


def test_set_field_validated_by_crm_fields(world: World) -> None:
    with session_scope() as session:
        create_definition(scope_of(session, world), entity="contact", key="score", label="S",
                          type="number")  # fmt: skip
    add_rule(world, actions=[{"type": "set_field", "key": "score", "value": "42"},
                             {"type": "set_field", "key": "score", "value": "many"},
                             {"type": "set_field", "key": "nope", "value": "1"}])  # fmt: skip
    inbound(world, "preço")
    with session_scope() as session:
        contact = scope_of(session, world).first(Contact)
        assert contact is not None and contact.custom_fields["score"] in (42, 42.0, "42")
    ok, bad, unknown = results(world)
    assert ok["ok"] and not bad["ok"] and not unknown["ok"]
    assert "FieldErrors" in bad["detail"]


def test_create_then_move_deal(world: World) -> None:
    with session_scope() as session:
        scope = scope_of(session, world)
        pipeline = create_pipeline(scope, actor=world.owner, name="Vendas", language="en")
        stages = [s.id or 0 for s in scope.all(Stage, Stage.pipeline_id == pipeline.id)]
    add_rule(world, actions=[{"type": "create_deal", "stage_id": stages[0], "title": "Lead"}])
    add_rule(world, name="Move", trigger={"type": "keyword", "keyword": "fechar"},
             actions=[{"type": "move_deal", "stage_id": stages[1]}])  # fmt: skip
    inbound(world, "preço")
    inbound(world, "quero fechar")
    with session_scope() as session:
        (deal,) = scope_of(session, world).all(Deal)
        assert deal.title == "Lead" and deal.stage_id == stages[1]
        assert deal.conversation_id == conversation(world).id


def _department(world: World, *members: int) -> int:
    with session_scope() as session:
        scope = scope_of(session, world)
        department = scope.add(Department(tenant_id=world.tenant_id, name="Vendas"))
        session.flush()
        for user_id in members:
            scope.add(DepartmentMember(tenant_id=world.tenant_id, department_id=department.id or 0,
                                       user_id=user_id))  # fmt: skip
        return department.id or 0


@pytest.mark.parametrize("strategy", ["round_robin", "least_busy"])
def test_assign_agent_spreads_conversations(world: World, strategy: str) -> None:
    with session_scope() as session:
        third = _user(session, world.tenant_id, "Acme3", Role.AGENT)
    department = _department(world, world.agent.user_id, third.user_id)
    action = {"type": "assign_agent", "department_id": department, "strategy": strategy}
    add_rule(world, trigger={"type": "message_received"}, actions=[action])
    for phone in ("+5511988880001", "+5511988880002"):
        inbound(world, "olá", phone=phone)
    with session_scope() as session:
        rows = scope_of(session, world).all(Conversation)
        assert sorted(r.assignee_id or 0 for r in rows) == sorted(
            [world.agent.user_id, third.user_id]
        )
        assert {r.department_id for r in rows} == {department}
        assert {r.owner_kind for r in rows} == {"human"}


def test_follow_up_start_and_stop(world: World) -> None:
    with session_scope() as session:
        rule = save_rule(
            scope_of(session, world), name="F", steps=[{"delay_hours": 1, "text": "E aí?"}]
        )
        rule_id = rule.id
    add_rule(world, actions=[{"type": "start_follow_up", "follow_up_rule_id": rule_id}])
    add_rule(world, name="Stop", trigger={"type": "keyword", "keyword": "pare"},
             actions=[{"type": "stop_follow_up"}])  # fmt: skip
    inbound(world, "preço")
    with session_scope() as session:
        (row,) = scope_of(session, world).all(FollowUp)
        assert row.status == "pending"
    inbound(world, "pare")
    with session_scope() as session:
        (row,) = scope_of(session, world).all(FollowUp)
        assert row.status != "pending"


def test_hand_to_ai_without_an_assistant_goes_to_a_person(world: World) -> None:
    add_rule(world, actions=[{"type": "hand_to_ai"}])
    inbound(world, "preço")
    assert conversation(world).owner_kind == "human"  # no AI assistant exists yet


def test_snooze_then_the_scheduler_reopens(world: World) -> None:
    add_rule(world, actions=[{"type": "snooze", "minutes": 30}])
    inbound(world, "preço")
    assert conversation(world).status == "pending"
    with session_scope(write=True) as session:
        assert scheduler_pass(session, utcnow()) == 0  # not yet due
    with session_scope(write=True) as session:
        assert scheduler_pass(session, utcnow() + timedelta(minutes=31)) == 1
    assert conversation(world).status == "open"


def test_a_delayed_action_is_a_row_that_survives_a_restart(world: World) -> None:
    add_rule(world, actions=[{"type": "send_message", "message": "Depois", "delay_minutes": 10},
                             {"type": "add_tag", "tag": "agora"}])  # fmt: skip
    inbound(world, "preço")
    assert automated(world) == []  # nothing sent yet: the first action waits
    with session_scope() as session:
        (job,) = scope_of(session, world).all(AutomationJob)
        assert job.status == "pending" and job.kind == "action"
        assert job.due_at > utcnow() + timedelta(minutes=9)
    # "Restart": a brand-new scheduler (no state carried over) finds the row in the database.
    later = utcnow() + timedelta(minutes=11)
    config = SchedulerConfig(use_lease=False, campaign_every=1e9, optout_scan_every=1e9)
    scheduler = Scheduler(config, clock=lambda: later, passes=(scheduler_pass,))
    report = scheduler.run_once()
    assert report is not None and report.extra == 1
    (reply,) = automated(world)
    assert reply.body == "Depois" and reply.automation_rule == "Price"
    assert scheduler.run_once() is not None and len(automated(world)) == 1  # ran once
    with session_scope() as session:
        (job,) = scope_of(session, world).all(AutomationJob)
        assert job.status == "done"


class _Hook(BaseHTTPRequestHandler):
    received: list[tuple[dict[str, str], bytes]] = []
    fail_first = 0

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).received.append((dict(self.headers), body))
        failing = len(type(self).received) <= type(self).fail_first
        self.send_response(500 if failing else 204)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        return


@pytest.fixture
def hook_server() -> Iterator[tuple[str, type[_Hook]]]:
    handler = type("Hook", (_Hook,), {"received": [], "fail_first": 1})
    server = HTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/hook", handler
    server.shutdown()


def test_webhook_is_signed_and_retried_with_backoff(
    world: World, hook_server: tuple[str, type[_Hook]]
) -> None:
    url, handler = hook_server
    add_rule(world, actions=[{"type": "webhook", "url": url, "secret": "s3cret"}])
    inbound(world, "preço")
    assert handler.received == []  # nothing leaves the spine's transaction
    now = utcnow()
    with session_scope(write=True) as session:
        assert scheduler_pass(session, now) == 1
    with session_scope() as session:
        (job,) = scope_of(session, world).all(AutomationJob)
        assert job.status == "pending" and job.attempts == 1 and job.last_error == "HTTP 500"
        retry_at = job.due_at
    assert retry_at >= now + jobs.WEBHOOK_BACKOFF - timedelta(seconds=1)
    with session_scope(write=True) as session:
        assert scheduler_pass(session, now + timedelta(seconds=5)) == 0  # backing off
    with session_scope(write=True) as session:
        assert scheduler_pass(session, retry_at) == 1
    with session_scope() as session:
        (job,) = scope_of(session, world).all(AutomationJob)
        assert job.status == "done"
    assert len(handler.received) == 2
    headers, body = handler.received[-1]
    expected = "sha256=" + hmac.new(b"s3cret", body, hashlib.sha256).hexdigest()
    assert headers[jobs.SIGNATURE_HEADER] == expected
    payload = json.loads(body)
    assert payload["rule"] == "Price" and payload["contact"]["phone"] == "+5511988880001"


def test_a_webhook_that_never_answers_fails_for_good(world: World) -> None:
    add_rule(world, actions=[{"type": "webhook", "url": "http://127.0.0.1:9/x", "secret": "k"}])
    inbound(world, "preço")
    at = utcnow()
    for _ in range(jobs.WEBHOOK_ATTEMPTS):
        with session_scope(write=True) as session:
            scheduler_pass(session, at)
        at += jobs.WEBHOOK_BACKOFF_CAP
    with session_scope() as session:
        (job,) = scope_of(session, world).all(AutomationJob)
        assert job.status == "failed" and job.attempts == jobs.WEBHOOK_ATTEMPTS


def test_bot_ignore_list_and_heuristics_skip_with_a_log_entry(world: World) -> None:
    add_rule(world, trigger={"type": "message_received"})
    with session_scope() as session:
        save_settings(scope_of(session, world), bot_ignore_phones="+55 11 98888-0002",
                      bot_max_per_minute=3)  # fmt: skip
    inbound(world, "olá", phone="+5511988880002")
    inbound(world, "Esta é uma mensagem automática. Retornaremos em breve.")
    assert automated(world) == []
    assert [(r.status, r.error) for r in runs(world)] == [
        ("bot", "ignore_list"), ("bot", "auto_reply_text")
    ]  # fmt: skip
    for text in ("a", "b", "c"):
        inbound(world, text)
    statuses = [r.error for r in runs(world) if r.status == "bot"]
    assert statuses[-1] == "too_many_per_minute"


def test_a_webhook_secret_is_sealed_kept_when_left_blank_and_never_in_the_rule(
    world: World, hook_server: tuple[str, type[_Hook]]
) -> None:
    url, handler = hook_server
    handler.fail_first = 0
    rule_id = add_rule(world, actions=[{"type": "webhook", "url": url, "secret": "s3cret"}])
    add_rule(world, rule_id=rule_id, actions=[{"type": "webhook", "url": url, "secret": ""}])
    with session_scope() as session:
        scope = scope_of(session, world)
        (rule,) = scope.all(AutomationRule)
        (secret,) = scope.all(TenantSecret)
        assert "s3cret" not in json.dumps(rule.actions) and b"s3cret" not in secret.ciphertext
        assert action_row(rule.actions[0])["secret"] == "", "never sent back to the browser"
    inbound(world, "preço")
    with session_scope(write=True) as session:
        assert scheduler_pass(session, utcnow()) == 1
    with session_scope() as session:
        (job,) = scope_of(session, world).all(AutomationJob)
        assert "s3cret" not in json.dumps(job.action) and job.status == "done"
    headers, body = handler.received[-1]
    expected = "sha256=" + hmac.new(b"s3cret", body, hashlib.sha256).hexdigest()
    assert headers[jobs.SIGNATURE_HEADER] == expected


def test_a_new_webhook_without_a_secret_is_refused(world: World) -> None:
    with pytest.raises(UserError) as err:
        add_rule(world, actions=[{"type": "webhook", "url": "https://x.io/h", "secret": ""}])
    assert err.value.code == "error.auto_secret_required"
