"""Inbound webhooks: managing a rule's URL and secret, and accepting a request to it.

:func:`accept` runs inside one transaction: it finds the rule by its URL's token, checks the
secret, finds or creates the contact (by phone) and the conversation (on the rule's number),
and records a :class:`~whatsapp_saas.automations.events.WebhookReceived` event with them, so
either all of it commits or none. The rule's actions run later, in the automations' durable
subscriber (``hook_engine``): the request only waits for the commit. The secret is never
logged, and kept only encrypted (``hook_models``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlmodel import Session, col, select

from whatsapp_saas import phones
from whatsapp_saas.accounts import throttle
from whatsapp_saas.accounts.service import CurrentUser
from whatsapp_saas.automations import hooks
from whatsapp_saas.automations.events import WebhookReceived
from whatsapp_saas.automations.hook_models import AutomationHook, hook_aad
from whatsapp_saas.automations.models import AutomationRule
from whatsapp_saas.contacts.service import create_contact
from whatsapp_saas.db import announce_after_commit
from whatsapp_saas.errors import PermissionDenied, UserError
from whatsapp_saas.inbox.conversation_rows import conversation_event, find_or_create_one
from whatsapp_saas.inbox.events import ConversationChange
from whatsapp_saas.inbox.models import Conversation
from whatsapp_saas.models_base import utcnow
from whatsapp_saas.security.crypto import CryptoError, Keyring, decrypt, encrypt
from whatsapp_saas.tenancy.scope import TenantScope
from whatsapp_saas.whatsapp.models import WhatsAppNumber

log = logging.getLogger(__name__)

PATH_PREFIX = "/hooks/automations/"
PER_MINUTE = 120  # requests one rule's URL accepts per minute (the throttle's counters)
MINUTE_MS = 60_000


@dataclass(frozen=True, slots=True)
class HookView:
    """What the builder shows: the URL's path, and the secret in full only right after it
    was made (``secret``), otherwise masked."""

    path: str
    secret: str
    masked: str

    @property
    def fresh(self) -> bool:
        return bool(self.secret)


class HookRefused(Exception):
    """The request is refused with ``status``; ``code`` is an i18n key, ``field`` what was
    wrong with the input (422)."""

    def __init__(self, status: int, code: str, field: str = "", **params: object) -> None:
        super().__init__(code)
        self.status, self.code, self.field, self.params = status, code, field, params


@dataclass(frozen=True, slots=True)
class Accepted:
    rule_id: int
    contact_id: int
    conversation_id: int


# --- managing (managers only) -------------------------------------------------------------------


def _require_manager(actor: CurrentUser) -> None:
    if not actor.is_manager:
        raise PermissionDenied()


def _view(hook: AutomationHook, secret: str = "") -> HookView:
    return HookView(PATH_PREFIX + hook.token, secret, hooks.masked(hook.secret_hint))


def _seal(hook: AutomationHook, keyring: Keyring, secret: str) -> None:
    hook.secret_ciphertext = encrypt(
        keyring, secret.encode(), hook_aad(hook.tenant_id, hook.rule_id)
    )
    hook.secret_hint = secret[-hooks.HINT_LEN :]
    hook.rotated_at = utcnow()


def hook_of(scope: TenantScope, *, actor: CurrentUser, rule_id: int) -> HookView | None:
    """The rule's URL and masked secret (None: it has none yet; another tenant's: NotFound)."""
    _require_manager(actor)
    scope.get(AutomationRule, rule_id)
    hook = scope.first(AutomationHook, AutomationHook.rule_id == rule_id)
    return _view(hook) if hook is not None else None


def ensure_hook(
    scope: TenantScope, *, actor: CurrentUser, rule_id: int, keyring: Keyring
) -> HookView:
    """The rule's URL, made (with a new secret, shown this once) if it has none."""
    _require_manager(actor)
    scope.get(AutomationRule, rule_id)
    hook = scope.first(AutomationHook, AutomationHook.rule_id == rule_id)
    if hook is not None:
        return _view(hook)
    hook = AutomationHook(
        tenant_id=scope.tenant_id, rule_id=rule_id, token=hooks.new_token(), secret_ciphertext=b""
    )
    secret = hooks.new_secret()
    _seal(hook, keyring, secret)
    scope.add(hook)
    scope.session.flush()
    return _view(hook, secret)


def rotate_secret(
    scope: TenantScope, *, actor: CurrentUser, rule_id: int, keyring: Keyring
) -> HookView:
    """A new secret for the rule's URL (the old one stops working at once); shown once."""
    _require_manager(actor)
    scope.get(AutomationRule, rule_id)
    hook = scope.first(AutomationHook, AutomationHook.rule_id == rule_id)
    if hook is None:
        return ensure_hook(scope, actor=actor, rule_id=rule_id, keyring=keyring)
    secret = hooks.new_secret()
    _seal(hook, keyring, secret)
    scope.session.add(hook)
    scope.session.flush()
    return _view(hook, secret)


# --- accepting a request ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class HookRequest:
    token: str
    body: bytes
    given_secret: str = ""
    signature: str = ""
    idempotency_key: str = ""


def _hook_by_token(session: Session, token: str) -> AutomationHook | None:
    # The one lookup outside a TenantScope: the URL's token is what names the tenant.
    if not token or len(token) > 64:
        return None
    query = select(AutomationHook).where(col(AutomationHook.token) == token)
    return session.exec(query).first()


def _secret(hook: AutomationHook, keyring: Keyring) -> str:
    try:
        return decrypt(
            keyring, hook.secret_ciphertext, hook_aad(hook.tenant_id, hook.rule_id)
        ).decode()
    except CryptoError as exc:
        log.warning("automation hook %s: its secret does not decrypt (%s)", hook.id, exc)
        raise HookRefused(503, "hook.error_unavailable") from exc


def authenticate(session: Session, *, keyring: Keyring, request: HookRequest) -> AutomationRule:
    """The enabled webhook rule this request may trigger; HookRefused (404, 401) otherwise.

    The secret is checked before the rule's state, so a caller without it learns nothing
    about the rule (disabled or not) from the answer."""
    hook = _hook_by_token(session, request.token)
    if hook is None:
        raise HookRefused(404, "hook.error_not_found")
    secret = _secret(hook, keyring)
    proof = {"given_secret": request.given_secret, "signature": request.signature}
    if not hooks.authentic(secret, body=request.body, **proof):
        raise HookRefused(401, "hook.error_unauthorized")
    rule = session.get(AutomationRule, hook.rule_id)
    live = rule is not None and rule.enabled and rule.tenant_id == hook.tenant_id
    if not live or rule is None or rule.trigger.get("type") != hooks.TRIGGER_WEBHOOK:
        raise HookRefused(404, "hook.error_not_found")
    return rule


def accept(session: Session, *, keyring: Keyring, request: HookRequest) -> Accepted:
    """Check the request and record its event, with the contact and conversation it names."""
    rule = authenticate(session, keyring=keyring, request=request)
    try:
        throttle.take(
            session,
            rule=throttle.Rule(f"hook:{rule.id}", PER_MINUTE, MINUTE_MS, code=throttle.BUSY),
        )
    except UserError as exc:
        raise HookRefused(429, exc.code, "", **exc.params) from exc
    try:
        payload = hooks.parse_payload(request.body)
        dedupe = hooks.dedupe_of(request.idempotency_key)
    except hooks.HookInputError as exc:
        raise HookRefused(422, exc.code, exc.field) from exc
    scope = TenantScope(session, rule.tenant_id)
    number = _number(scope, rule)
    conversation = _conversation(scope, number, payload.phone)
    assert rule.id is not None and conversation.id is not None
    announce_after_commit(
        session,
        WebhookReceived(
            tenant_id=scope.tenant_id,
            rule_id=rule.id,
            contact_id=conversation.contact_id,
            conversation_id=conversation.id,
            text=payload.text,
            fields=payload.fields,
            dedupe=dedupe,
        ),
    )
    return Accepted(rule.id, conversation.contact_id, conversation.id)


def _number(scope: TenantScope, rule: AutomationRule) -> WhatsAppNumber:
    """The trigger's number, or the tenant's first one."""
    chosen = rule.trigger.get("number_id")
    query = scope.select(WhatsAppNumber).order_by(col(WhatsAppNumber.id)).limit(1)
    if chosen:
        query = query.where(col(WhatsAppNumber.id) == int(chosen))
    number = scope.session.exec(query).first()
    if number is None:
        raise HookRefused(422, "hook.error_no_number", "number_id")
    return number


def _conversation(scope: TenantScope, number: WhatsAppNumber, phone: str) -> Conversation:
    region = phones.region_of(number.phone) or phones.DEFAULT_REGION
    e164 = phones.to_e164(phone, region)
    if e164 is None:
        raise HookRefused(422, "hook.error_phone_invalid", "phone")
    contact = create_contact(scope, phone=e164)
    scope.session.flush()
    assert number.id is not None and contact.id is not None
    conversation_id, created = find_or_create_one(scope, number_id=number.id, contact_id=contact.id)
    conversation = scope.get(Conversation, conversation_id)
    if created:  # the inbox lists it at once, like one an attendant starts
        announce_after_commit(
            scope.session, conversation_event(conversation, ConversationChange.CREATED)
        )
    return conversation
