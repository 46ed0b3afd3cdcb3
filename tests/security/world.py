"""The isolation suite's world: a victim tenant full of data and an attacker tenant.

Everything is created through the app's own services in the running app's database, so the
rows are exactly what real use produces. Text the attacker must never see carries a marker
(``SECRET_*``) that the suite looks for in every answer the app sends back.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from whatsapp_saas.accounts import service as accounts
from whatsapp_saas.accounts.service import CurrentUser
from whatsapp_saas.automations import hook_service
from whatsapp_saas.automations import menu_service as menus
from whatsapp_saas.automations import service as automations
from whatsapp_saas.contacts.models import Contact
from whatsapp_saas.db import session_scope
from whatsapp_saas.deals import pipelines
from whatsapp_saas.deals import service as deals
from whatsapp_saas.deals.validation import DealValues
from whatsapp_saas.inbox import departments, quick_replies
from whatsapp_saas.inbox import service as inbox
from whatsapp_saas.inbox.ingest import ingest_event
from whatsapp_saas.inbox.media import LocalMediaStore
from whatsapp_saas.inbox.models import Message
from whatsapp_saas.scheduling import campaigns, followups, schedules
from whatsapp_saas.security.crypto import keyring_from_settings
from whatsapp_saas.tenancy.scope import TenantScope
from whatsapp_saas.whatsapp import gateway as gw
from whatsapp_saas.whatsapp import service as numbers
from whatsapp_saas.whatsapp.events import InboundMessageArrived
from whatsapp_saas.whatsapp.models import WhatsAppNumber

PASSWORD = "correct horse battery"
VICTIM_NUMBER_PHONE = "+5511900000001"
HIDDEN_PHONE, OPEN_PHONE = "+5511988880001", "+5511988880002"

SECRET_HIDDEN_MESSAGE = "secret-hidden-message-7f3a"
SECRET_HIDDEN_CONTACT = "SecretHiddenContact"
SECRET_HIDDEN_SCHEDULE = "secret-hidden-schedule-9d1e"
SECRET_HIDDEN_FOLLOW_UP = "secret-hidden-followup-41b2"
SECRET_OPEN_MESSAGE = "secret-open-message-22c1"
SECRET_OPEN_SCHEDULE = "secret-open-schedule-0b7d"
SECRET_CAMPAIGN = "secret-campaign-5e6f"
SECRET_QUICK_REPLY = "secret-quick-reply-8a8a"
SECRET_DEPARTMENT = "SecretSalesDept"
SECRET_TENANT = "SecretVictimCo"
SECRET_HIDDEN_DEAL = "secret-hidden-deal-6c3b"
SECRET_RULE = "secret-automation-rule-4d4d"


@dataclass
class Victim:
    """Tenant A and the ids of its rows."""

    tenant_id: int
    number_id: int
    department_id: int
    hidden_conversation_id: int  # in the department; the agent outside it may not see it
    hidden_contact_id: int
    hidden_message_id: int
    hidden_media_message_id: int
    hidden_schedule_id: int
    hidden_follow_up_id: int
    open_conversation_id: int  # unclaimed: every member may see it
    open_contact_id: int
    open_message_id: int
    open_schedule_id: int
    campaign_id: int
    quick_reply_id: int
    invite_id: int
    # Deals: one on each contact, in the default pipeline's first stage.
    pipeline_id: int = 0
    stage_id: int = 0  # the pipeline's second stage: where an attacker would move a deal
    hidden_deal_id: int = 0
    open_deal_id: int = 0
    users: dict[str, int] = field(default_factory=dict)
    crm: dict[str, int] = field(default_factory=dict)  # tag, segment, definition, job
    rule_id: int = 0  # an automation rule whose reply is SECRET_RULE
    menu_id: int = 0  # a chatbot menu whose message is SECRET_RULE
    hook_path: str = ""  # a "Webhook received" rule's inbound URL (its reply is SECRET_RULE)


@dataclass
class World:
    victim: Victim
    attacker_tenant_id: int
    attacker_number_id: int
    tokens: dict[str, str]  # actor -> session token (the disabled user's is revoked)
    emails: dict[str, str]


ACTORS = ("owner", "admin", "agent_out", "agent_in", "disabled", "attacker")


def _email(actor: str) -> str:
    return f"{actor}@attacker.test" if actor == "attacker" else f"{actor}@victim.test"


def seed(media_root: Path) -> World:
    users = _people()
    victim = _victim_data(users, media_root)
    with session_scope() as s:
        attacker_scope = TenantScope(s, users["attacker"].tenant_id)
        attacker_number = numbers.add_number(attacker_scope, name="Attacker main")
        assert attacker_number.id is not None
        attacker_number_id = attacker_number.id
    tokens = {actor: _sign_in(_email(actor)) for actor in ACTORS}
    with session_scope() as s:
        scope = TenantScope(s, victim.tenant_id)
        accounts.set_user_active(
            scope, actor=users["owner"], user_id=users["disabled"].user_id, active=False
        )
    victim.users = {actor: users[actor].user_id for actor in ACTORS if actor != "attacker"}
    victim.crm = _crm_data(users["owner"], victim.hidden_contact_id)
    return World(
        victim,
        users["attacker"].tenant_id,
        attacker_number_id,
        tokens,
        {a: _email(a) for a in ACTORS},
    )


def _people() -> dict[str, CurrentUser]:
    with session_scope() as s:
        owner = accounts.signup(
            s,
            company_name=SECRET_TENANT,
            name="Victim Owner",
            email=_email("owner"),
            password=PASSWORD,
            language="en",
        )
        attacker = accounts.signup(
            s,
            company_name="Attacker Co",
            name="Attacker",
            email=_email("attacker"),
            password=PASSWORD,
            language="en",
        )
        assert owner.id is not None and attacker.id is not None
        people = {"owner": accounts._current(s, owner), "attacker": accounts._current(s, attacker)}
    roles = {"admin": "admin", "agent_out": "agent", "agent_in": "agent", "disabled": "admin"}
    for actor, role in roles.items():
        people[actor] = _invited(people["owner"], actor, role)
    return people


def _invited(owner: CurrentUser, actor: str, role: str) -> CurrentUser:
    with session_scope() as s:
        issued = accounts.invite_user(
            TenantScope(s, owner.tenant_id), actor=owner, email=_email(actor), name=actor, role=role
        )
        user = accounts.accept_invite(s, token=issued.token, password=PASSWORD)
        return accounts._current(s, user)


def _sign_in(email: str) -> str:
    with session_scope() as s:
        return accounts.sign_in(s, email=email, password=PASSWORD).token


def _victim_data(users: dict[str, CurrentUser], media_root: Path) -> Victim:
    owner = users["owner"]
    with session_scope() as s:
        scope = TenantScope(s, owner.tenant_id)
        number = numbers.add_number(scope, name="Victim main")
        number.phone = VICTIM_NUMBER_PHONE
        department = departments.create_department(scope, actor=owner, name=SECRET_DEPARTMENT)
        assert department.id is not None and number.id is not None
        departments.add_member(
            scope, actor=owner, department_id=department.id, user_id=users["agent_in"].user_id
        )
        number_id, department_id = number.id, department.id
    hidden_message = _customer_writes(
        owner.tenant_id, number_id, HIDDEN_PHONE, SECRET_HIDDEN_MESSAGE
    )
    open_message = _customer_writes(owner.tenant_id, number_id, OPEN_PHONE, SECRET_OPEN_MESSAGE)
    with session_scope() as s:
        scope = TenantScope(s, owner.tenant_id)
        hidden, opened = scope.get(Message, hidden_message), scope.get(Message, open_message)
        hidden_cid, open_cid = hidden.conversation_id, opened.conversation_id
        hidden_conversation = inbox.transfer(
            scope, actor=owner, conversation_id=hidden_cid, department_id=department_id
        )
        hidden_contact_id = hidden_conversation.contact_id
        open_contact_id = inbox.get_conversation(
            scope, actor=owner, conversation_id=open_cid
        ).contact_id
        scope.get(Contact, hidden_contact_id).name = SECRET_HIDDEN_CONTACT
        media_id = _media_message(scope, hidden_cid, number_id, media_root)
        plans = _plans(
            scope, owner, number_id, (hidden_cid, hidden_contact_id), (open_cid, open_contact_id)
        )
        reply = quick_replies.create_quick_reply(scope, shortcut="secret", text=SECRET_QUICK_REPLY)
        deal_ids = _deals(scope, owner, hidden_contact_id, open_contact_id)
        s.flush()
        assert reply.id is not None
        reply_id = reply.id
        rule = automations.save_rule(
            scope,
            actor=owner,
            name="Victim rule",
            trigger={"type": "keyword", "match": "equals", "keyword": "never-sent-keyword"},
            conditions=[],
            actions=[{"type": "send_message", "message": SECRET_RULE}],
        )
        assert rule.id is not None
        rule_id = rule.id
        menu = menus.save_menu(
            scope,
            actor=owner,
            name="Victim menu",
            tree={"message": SECRET_RULE, "options": [{"label": "Sales", "target": "ai"}]},
        )
        assert menu.id is not None
        menu_id = menu.id
        hook_path = _hook_rule(scope, owner)
    with session_scope() as s:
        invite = accounts.invite_user(
            TenantScope(s, owner.tenant_id),
            actor=owner,
            email="pending@victim.test",
            name="Pending",
        )
    return Victim(
        tenant_id=owner.tenant_id,
        number_id=number_id,
        department_id=department_id,
        hidden_conversation_id=hidden_cid,
        hidden_contact_id=hidden_contact_id,
        hidden_message_id=hidden_message,
        hidden_media_message_id=media_id,
        hidden_schedule_id=plans[0],
        hidden_follow_up_id=plans[1],
        open_conversation_id=open_cid,
        open_contact_id=open_contact_id,
        open_message_id=open_message,
        open_schedule_id=plans[2],
        campaign_id=plans[3],
        quick_reply_id=reply_id,
        invite_id=invite.invite_id,
        pipeline_id=deal_ids[0],
        stage_id=deal_ids[1],
        hidden_deal_id=deal_ids[2],
        open_deal_id=deal_ids[3],
        rule_id=rule_id,
        menu_id=menu_id,
        hook_path=hook_path,
    )


def _hook_rule(scope: TenantScope, owner: CurrentUser) -> str:
    """A webhook rule and its URL (its secret is thrown away: no attacker has it)."""
    rule = automations.save_rule(
        scope,
        actor=owner,
        name="Victim hook",
        trigger={"type": "webhook_received"},
        conditions=[],
        actions=[{"type": "send_message", "message": SECRET_RULE}],
    )
    keyring = keyring_from_settings()
    return hook_service.ensure_hook(scope, actor=owner, rule_id=rule.id or 0, keyring=keyring).path


def _deals(
    scope: TenantScope, owner: CurrentUser, hidden_contact: int, open_contact: int
) -> tuple[int, int, int, int]:
    """The default pipeline, and a deal on the hidden contact and one on the open contact."""
    [pipeline] = pipelines.ensure_default_pipeline(scope, language="en")
    first, second = pipelines.stages_of(scope, pipeline_id=int(pipeline.id or 0))[:2]
    made = [
        deals.create_deal(
            scope,
            actor=owner,
            values=DealValues(title, contact, int(first.id or 0), 1000, owner.user_id),
        )
        for title, contact in ((SECRET_HIDDEN_DEAL, hidden_contact), ("Open deal", open_contact))
    ]
    return int(pipeline.id or 0), int(second.id or 0), int(made[0].id or 0), int(made[1].id or 0)


def _customer_writes(tenant_id: int, number_id: int, phone: str, body: str) -> int:
    jid = f"{phone[1:]}@s.whatsapp.net"
    msg = gw.MessageReceived(
        session_id=str(number_id),
        message_id=f"IN-{phone[1:]}",
        chat=jid,
        sender_jid=jid,
        sender_lid=None,
        push_name="Customer",
        timestamp=datetime.now(UTC),
        text=body,
    )
    result = ingest_event(InboundMessageArrived(tenant_id, number_id, msg))
    assert result.outcome.stored, result
    return result.outcome.stored[0].message_id


def _media_message(scope: TenantScope, conversation_id: int, number_id: int, root: Path) -> int:
    """A stored image in the hidden conversation, on disk where the running app reads it."""
    data = b"\x89PNG\r\n\x1a\n" + b"secret-image" * 8
    key = LocalMediaStore(root).put(scope.tenant_id, data, mimetype="image/png", filename="s.png")
    message = scope.add(
        Message(
            tenant_id=scope.tenant_id,
            conversation_id=conversation_id,
            number_id=number_id,
            wa_message_id="IN-MEDIA-1",
            direction="in",
            type="image",
            media_kind="image",
            media_mimetype="image/png",
            media_filename="s.png",
            media_size=len(data),
            media_storage_key=key,
            media_status="stored",
            status="delivered",
        )
    )
    scope.session.flush()
    assert message.id is not None
    return message.id


def _plans(
    scope: TenantScope,
    owner: CurrentUser,
    number_id: int,
    hidden: tuple[int, int],
    opened: tuple[int, int],
) -> tuple[int, int, int, int]:
    """A schedule and a follow-up in the hidden conversation, a schedule in the open one and
    a draft campaign: nothing due for years, so the app's scheduler leaves them alone."""
    when = datetime(2031, 1, 15, 9, 30)

    def schedule(pair: tuple[int, int], body: str) -> int:
        row = schedules.create_schedule(
            scope,
            actor=owner,
            number_id=number_id,
            contact_id=pair[1],
            when_local=when,
            text=body,
            conversation_id=pair[0],
        )
        scope.session.flush()
        assert row.id is not None
        return row.id

    hidden_schedule = schedule(hidden, SECRET_HIDDEN_SCHEDULE)
    open_schedule = schedule(opened, SECRET_OPEN_SCHEDULE)
    follow_up = followups.start_follow_up(
        scope,
        actor=owner,
        conversation_id=hidden[0],
        steps=[{"delay_hours": 24 * 30, "text": SECRET_HIDDEN_FOLLOW_UP}],
        business_hours_only=False,
    )
    draft = campaigns.create_campaign(
        scope,
        name=SECRET_CAMPAIGN,
        number_id=number_id,
        text="Hello {name}",
        contact_ids=[opened[1]],
        user_id=owner.user_id,
    )
    scope.session.flush()
    assert follow_up.id is not None and draft.campaign.id is not None
    return hidden_schedule, follow_up.id, open_schedule, draft.campaign.id


def _crm_data(owner: CurrentUser, contact_id: int) -> dict[str, int]:
    """A tag, a custom field, a note and a personal segment of the owner, and a draft import
    naming the hidden contact's secret: what the CRM handlers must not touch or show."""
    from whatsapp_saas.crm import fields, importer, segments, tags, timeline
    from whatsapp_saas.crm.filters import ContactFilter

    with session_scope() as s:
        scope = TenantScope(s, owner.tenant_id)
        tag = tags.create_tag(scope, name="SecretTag", color="red")
        assert tag.id is not None
        tags.set_contact_tags(scope, contact_id=contact_id, tag_ids=[tag.id], user_id=owner.user_id)
        definition = fields.create_definition(
            scope, entity="contact", key="secret_code", label="Secret code", type="text"
        )
        timeline.add_note(
            scope,
            contact_id=contact_id,
            user_id=owner.user_id,
            body=SECRET_HIDDEN_CONTACT + " note",
        )
        segment = segments.create_segment(
            scope, actor=owner, name="Secret segment", filters=ContactFilter(search="secret")
        )
        job = importer.upload(
            scope, actor=owner, data=f"Nome;Telefone\n{SECRET_HIDDEN_CONTACT};11988887777\n"
        )
        s.flush()
        assert definition.id is not None and segment.id is not None and job.id is not None
        return {"tag": tag.id, "segment": segment.id, "definition": definition.id, "job": job.id}


def victim_number(world: World) -> WhatsAppNumber:
    with session_scope() as s:
        return TenantScope(s, world.victim.tenant_id).get(WhatsAppNumber, world.victim.number_id)
