"""Bus handlers that turn committed domain events into tenant events for the browsers."""

from __future__ import annotations

from whatsapp_saas.events.bus import EventBus
from whatsapp_saas.inbox.events import (
    ConversationRead,
    ConversationUpdated,
    MessageMediaUpdated,
    MessageStatusChanged,
    MessageStored,
    TypingIndicated,
)
from whatsapp_saas.realtime.access import UserAccessChanged, watch_user_access
from whatsapp_saas.realtime.channel import TenantEvent, get_channel
from whatsapp_saas.whatsapp.events import NumberStateChanged, QrCodeUpdated

InboxChange = (
    MessageStored
    | MessageStatusChanged
    | MessageMediaUpdated
    | ConversationUpdated
    | ConversationRead
)


def on_number_changed(event: NumberStateChanged | QrCodeUpdated) -> None:
    get_channel().publish(TenantEvent(event.tenant_id, "numbers", {"number_id": event.number_id}))


def on_inbox_changed(event: InboxChange) -> None:
    kind = "message" if isinstance(event, MessageStored) else "change"
    payload = {"conversation_id": event.conversation_id, "kind": kind}
    get_channel().publish(TenantEvent(event.tenant_id, "inbox", payload))


def on_typing(event: TypingIndicated) -> None:
    payload = {"conversation_id": event.conversation_id, "kind": "typing", "typing": event.typing}
    get_channel().publish(TenantEvent(event.tenant_id, "inbox", payload))


def on_access_changed(event: UserAccessChanged) -> None:
    # The relay re-checks every open tab of the tenant and unlinks those no longer entitled.
    get_channel().publish(TenantEvent(event.tenant_id, "access", {"user_id": event.user_id}))


def register(bus: EventBus) -> None:
    watch_user_access()
    bus.subscribe(UserAccessChanged, on_access_changed)
    bus.subscribe(NumberStateChanged, on_number_changed)
    bus.subscribe(QrCodeUpdated, on_number_changed)
    for event_type in (
        MessageStored,
        MessageStatusChanged,
        MessageMediaUpdated,
        ConversationUpdated,
        ConversationRead,
    ):
        bus.subscribe(event_type, on_inbox_changed)
    bus.subscribe(TypingIndicated, on_typing)
