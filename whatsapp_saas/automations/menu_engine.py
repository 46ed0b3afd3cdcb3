"""Running menu sessions on stored inbound messages, inside the spine subscriber's transaction.

:func:`answer` is called first by the rules engine: when the conversation has an active menu
session, the message is the customer's answer and the menu replies instead of the rules. It
claims ``menu:<session>:msg:<message>`` in ``automation_runs`` before any effect, in the same
transaction, so a repeat delivery of the same event does nothing twice.

The timeout and the expiry are evaluated lazily, when the next inbound message arrives: an
expired session ends and the message goes to the rules; a timed-out one runs the menu's
timeout action. :func:`sweep_timeouts` (the scheduler role, every few seconds) runs the
timeout action of sessions whose customer went silent; one indexed query on ``timeout_at``.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from whatsapp_saas.automations import ai, effects
from whatsapp_saas.automations.menus import (
    TARGET_AGENT,
    TARGET_AI,
    TARGET_DEPARTMENT,
    TARGET_MENU,
    TARGET_RULE,
    AutomationMenu,
    MenuSession,
    child_path,
    node_at,
    parent_path,
    parse_answer,
    render,
)
from whatsapp_saas.automations.models import AutomationRule, AutomationRun, RunStatus
from whatsapp_saas.automations.owner import Owner, effective_owner, set_owner
from whatsapp_saas.automations.rules import CAPTION_MAX
from whatsapp_saas.automations.variables import values_for
from whatsapp_saas.contacts.models import Contact
from whatsapp_saas.db import announce_after_commit
from whatsapp_saas.i18n import DEFAULT_LANGUAGE, translate
from whatsapp_saas.inbox.conversation_rows import conversation_event
from whatsapp_saas.inbox.events import ConversationChange
from whatsapp_saas.inbox.models import Conversation, Message
from whatsapp_saas.models_base import as_utc, utcnow
from whatsapp_saas.tenancy.models import Tenant
from whatsapp_saas.tenancy.scope import TenantScope

EVENT = "menu_answer"
# The customer's language is Portuguese unless the menu says otherwise (the builder pre-fills
# these in the manager's language).
DEFAULT_REPROMPT = "Desculpe, não entendi. Responda com o número de uma opção."
DEFAULT_HANDOFF = "Um momento, um atendente vai falar com você."


def active_session(scope: TenantScope, *, conversation_id: int) -> MenuSession | None:
    return scope.first(
        MenuSession,
        MenuSession.conversation_id == conversation_id,
        col(MenuSession.ended_at).is_(None),
    )


def start(
    scope: TenantScope,
    *,
    conversation: Conversation,
    menu: AutomationMenu,
    now: datetime | None = None,
) -> str:
    """Start (or restart) ``menu`` on the conversation: own it as a flow, send the root."""
    now = now or utcnow()
    session = scope.first(MenuSession, MenuSession.conversation_id == conversation.id)
    if session is None:
        session = MenuSession(
            tenant_id=scope.tenant_id, conversation_id=conversation.id or 0, menu_id=menu.id or 0
        )
    session.menu_id, session.node, session.reprompts = menu.id or 0, "", 0
    session.started_at = now
    _prompted(session, menu, now)
    session.expires_at = now + timedelta(minutes=max(menu.expiry_minutes, 1))
    session.ended_at, session.end_reason = None, ""
    scope.session.add(session)
    set_owner(scope, conversation_id=conversation.id or 0, kind=Owner.FLOW.value, at=now)
    return _send_node(scope, _target(scope, conversation, menu), menu.tree, render(menu.tree))


def answer(scope: TenantScope, *, message: Message, now: datetime) -> str | None:
    """Answer ``message`` from the conversation's menu session; None: no session applies
    (the rules run), otherwise what the menu did ("done" when it had already answered)."""
    session = active_session(scope, conversation_id=message.conversation_id)
    if session is None:
        return None
    conversation = scope.get(Conversation, message.conversation_id)
    if effective_owner(scope, conversation=conversation, now=now) is not Owner.FLOW:
        return None  # a human (or the AI) took over: the rules engine logs the pause
    menu = scope.session.get(AutomationMenu, session.menu_id)
    if menu is None or not menu.enabled or now >= as_utc(session.expires_at):
        _end(scope, session, "expired", now)
        return None
    run = _claim(scope, session, menu, message, now)
    if run is None:
        return "done"
    target = _target(scope, conversation, menu)
    detail = _step(scope, session, menu, target, message, now)
    run.results = [{"type": "menu", "ok": True, "detail": detail}]
    scope.session.add(run)
    scope.session.add(session)
    scope.session.flush()
    return detail


def _step(
    scope: TenantScope,
    session: MenuSession,
    menu: AutomationMenu,
    target: effects.Target,
    message: Message,
    now: datetime,
) -> str:
    if now >= as_utc(session.timeout_at):
        return _timeout(scope, session, menu, target, now)
    node = node_at(menu.tree, session.node)
    if node is None:  # the menu was edited under the session: start over
        return _show(scope, session, menu, target, "", now)
    choice = parse_answer(message.body or message.caption, node, menu.keywords)
    if choice.kind == "back":
        return _show(scope, session, menu, target, parent_path(session.node), now)
    if choice.kind == "human":
        return _to_human(scope, session, menu, target, None, now)
    if choice.kind == "unknown":
        session.reprompts += 1
        if session.reprompts > menu.reprompt_limit:
            return _to_human(scope, session, menu, target, None, now)
        shown = render(node, back_hint(scope, path=session.node))
        prompt = f"{menu.reprompt_message or DEFAULT_REPROMPT}\n\n{shown}"
        _prompted(session, menu, now)
        return "reprompt " + _send(scope, target, prompt)
    return _choose(scope, session, menu, target, child_path(session.node, choice.index), now)


def _choose(
    scope: TenantScope,
    session: MenuSession,
    menu: AutomationMenu,
    target: effects.Target,
    path: str,
    now: datetime,
) -> str:
    option = node_at(menu.tree, path) or {}
    kind = option.get("target")
    if kind == TARGET_MENU:
        return _show(scope, session, menu, target, path, now)
    if option.get("message") or option.get("media_id"):
        _send_node(scope, target, option, str(option.get("message") or ""))
    if kind == TARGET_DEPARTMENT:
        return _to_human(scope, session, menu, target, option, now, quiet=True)
    if kind == TARGET_AGENT:
        _assign_agent(scope, target.conversation, int(option["user_id"]))
        return _to_human(scope, session, menu, target, option, now, quiet=True)
    if kind == TARGET_AI:
        if ai.assistant_configured(scope):
            set_owner(
                scope, conversation_id=target.conversation.id or 0, kind=Owner.AI.value, at=now
            )
            _end(scope, session, "ai", now)
            return "ai"
        # No assistant answers yet: a person does (the hand-over message unless the option
        # said something already), and the run log says why.
        said = bool(option.get("message") or option.get("media_id"))
        handed = _to_human(scope, session, menu, target, None, now, quiet=said)
        return f"ai: {ai.NOT_CONFIGURED} ({handed})"
    if kind == TARGET_RULE:
        _end(scope, session, "rule", now)
        return _run_rule(scope, target, int(option["rule_id"]))
    return _show(scope, session, menu, target, "", now)


def _show(
    scope: TenantScope,
    session: MenuSession,
    menu: AutomationMenu,
    target: effects.Target,
    path: str,
    now: datetime,
) -> str:
    node = node_at(menu.tree, path) or menu.tree
    session.node, session.reprompts = path, 0
    _prompted(session, menu, now)
    text = render(node, back_hint(scope, path=path))
    return f"menu {path or 'root'} " + _send_node(scope, target, node, text)


def back_hint(scope: TenantScope, *, path: str) -> str:
    """What a sub-menu says under its options: ``#`` or ``0`` goes back, in the tenant's
    language; nothing on the root (there is nowhere to go back to)."""
    if not path:
        return ""
    tenant = scope.session.get(Tenant, scope.tenant_id)
    return translate(tenant.language if tenant is not None else DEFAULT_LANGUAGE, "menu.back_hint")


def _to_human(
    scope: TenantScope,
    session: MenuSession,
    menu: AutomationMenu,
    target: effects.Target,
    option: dict[str, Any] | None,
    now: datetime,
    *,
    quiet: bool = False,
) -> str:
    """Hand over: the option's department (if any), the owner becomes human, the flow ends."""
    if not quiet:
        _send(scope, target, menu.handoff_message or DEFAULT_HANDOFF)
    action: dict[str, Any] = {"type": "hand_to_human"}
    if option is not None and option.get("department_id"):
        action["department_id"] = option["department_id"]
    detail = effects.perform(scope, target=target, action=action)["detail"]
    _end(scope, session, "human", now)
    return f"human {detail}"


def _timeout(
    scope: TenantScope,
    session: MenuSession,
    menu: AutomationMenu,
    target: effects.Target,
    now: datetime,
) -> str:
    if menu.timeout_action == "end":
        _end(scope, session, "timeout", now)
        return "timeout end"
    if menu.timeout_action == "restart":
        return "timeout " + _show(scope, session, menu, target, "", now)
    return "timeout " + _to_human(scope, session, menu, target, None, now)


def _assign_agent(scope: TenantScope, conversation: Conversation, user_id: int) -> None:
    from whatsapp_saas.accounts.models import User

    user = scope.get(User, user_id)  # another tenant's: NotFound, the action fails whole
    conversation.assignee_id = user.id
    scope.session.add(conversation)
    scope.session.flush()
    announce_after_commit(
        scope.session, conversation_event(conversation, ConversationChange.ASSIGNED)
    )


def _run_rule(scope: TenantScope, target: effects.Target, rule_id: int) -> str:
    rule = scope.get(AutomationRule, rule_id)
    results = [effects.perform(scope, target=target, action=dict(a)) for a in rule.actions]
    return f"rule {rule.name}: " + ", ".join(str(r["detail"]) for r in results)


def _send(scope: TenantScope, target: effects.Target, text: str) -> str:
    return effects.send_message(scope, target, {"message": text})


def _send_node(scope: TenantScope, target: effects.Target, node: dict[str, Any], text: str) -> str:
    """A node's message, after its file when it has one. A menu's options go as their own
    text (a caption is short, and a list under a picture reads badly on a phone)."""
    media_id = node.get("media_id")
    if not media_id:
        return _send(scope, target, text)
    if not node.get("options") and len(text) <= CAPTION_MAX:
        return effects.send_message(scope, target, {"message": text, "media_id": media_id})
    effects.send_message(scope, target, {"message": "", "media_id": media_id})
    return _send(scope, target, text)


def _target(scope: TenantScope, conversation: Conversation, menu: AutomationMenu) -> effects.Target:
    contact = scope.get(Contact, conversation.contact_id)
    return effects.Target(conversation, contact, menu.name, values_for(scope, contact=contact))


def _prompted(session: MenuSession, menu: AutomationMenu, now: datetime) -> None:
    session.prompted_at = now
    session.timeout_at = now + timedelta(minutes=max(menu.timeout_minutes, 1))


def _end(scope: TenantScope, session: MenuSession, reason: str, now: datetime) -> None:
    session.ended_at, session.end_reason = now, reason
    scope.session.add(session)
    scope.session.flush()


def _claim(
    scope: TenantScope,
    session: MenuSession,
    menu: AutomationMenu,
    message: Message,
    now: datetime,
) -> AutomationRun | None:
    key = f"menu:{session.id}:msg:{message.id}"
    return _new_run(scope, key, menu, message.conversation_id, message.id)


def _new_run(
    scope: TenantScope,
    key: str,
    menu: AutomationMenu,
    conversation_id: int | None,
    message_id: int | None,
) -> AutomationRun | None:
    """Insert the run row under a unique key first; None if that key was handled already."""
    run = AutomationRun(
        tenant_id=scope.tenant_id,
        idempotency_key=key,
        rule_name=menu.name,
        conversation_id=conversation_id,
        message_id=message_id,
        event=EVENT,
        status=RunStatus.FIRED.value,
    )
    try:
        with scope.session.begin_nested():
            scope.session.add(run)
            scope.session.flush()
    except IntegrityError:
        return None
    return run


def auto_start(scope: TenantScope, *, message: Message, now: datetime, is_new: Any) -> bool:
    """A menu marked "start on a new conversation" greets the first message of one;
    ``is_new(conversation)`` says whether it is (the rules engine's own test)."""
    menu = scope.first(
        AutomationMenu,
        col(AutomationMenu.start_on_new_conversation).is_(True),
        col(AutomationMenu.enabled).is_(True),
    )
    if menu is None:
        return False
    conversation = scope.get(Conversation, message.conversation_id)
    if (
        not is_new(conversation)
        or effective_owner(scope, conversation=conversation, now=now) is not Owner.FLOW
    ):
        return False
    run = _new_run(
        scope, f"menustart:{menu.id}:msg:{message.id}", menu, conversation.id, message.id
    )
    if run is None:
        return True
    run.results = [
        {
            "type": "send_menu",
            "ok": True,
            "detail": start(scope, conversation=conversation, menu=menu),
        }
    ]
    scope.session.add(run)
    scope.session.flush()
    return True


def sweep_timeouts(session: Session, *, now: datetime, limit: int = 200) -> int:
    """Run the timeout action of every silent session (each once: a key per prompt)."""
    query = (
        select(MenuSession)
        .where(col(MenuSession.ended_at).is_(None), col(MenuSession.timeout_at) <= now)
        .order_by(col(MenuSession.timeout_at))
        .limit(limit)
    )
    done = 0
    for row in session.exec(query).all():
        with session.begin_nested():
            done += _sweep_one(TenantScope(session, row.tenant_id), row, now)
    return done


def _sweep_one(scope: TenantScope, row: MenuSession, now: datetime) -> int:
    menu = scope.session.get(AutomationMenu, row.menu_id)
    conversation = scope.get(Conversation, row.conversation_id)
    if menu is None or not menu.enabled or now >= as_utc(row.expires_at):
        _end(scope, row, "expired", now)
        return 0
    if effective_owner(scope, conversation=conversation, now=now) is not Owner.FLOW:
        _end(scope, row, "human", now)  # a person answers: the flow is over
        return 0
    stamp = int(as_utc(row.timeout_at).timestamp())
    run = _new_run(scope, f"menutimeout:{row.id}:{stamp}", menu, conversation.id, None)
    if run is None:
        return 0
    detail = _timeout(scope, row, menu, _target(scope, conversation, menu), now)
    run.results = [{"type": "menu", "ok": True, "detail": detail}]
    scope.session.add(run)
    scope.session.add(row)
    scope.session.flush()
    return 1
