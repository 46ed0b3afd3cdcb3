"""Bus handlers that turn committed domain events into typed live updates for the browsers."""

from __future__ import annotations

from whatsapp_saas.events.bus import EventBus
from whatsapp_saas.inbox.events import (
    ConversationRead,
    ConversationUpdated,
    DepartmentMembershipChanged,
    MessageMediaUpdated,
    MessageStatusChanged,
    MessageStored,
    TypingIndicated,
)
from whatsapp_saas.realtime.access import UserAccessChanged, watch_user_access
from whatsapp_saas.realtime.channel import get_channel
from whatsapp_saas.realtime.events import (
    AccessChanged,
    ConversationChanged,
    MembershipChanged,
    MessageAdded,
    MessageChanged,
    NumbersChanged,
    TypingChanged,
)
from whatsapp_saas.whatsapp.events import NumberStateChanged, QrCodeUpdated


def on_number_changed(event: NumberStateChanged | QrCodeUpdated) -> None:
    get_channel().publish(NumbersChanged(event.tenant_id, event.number_id))


def on_message_stored(event: MessageStored) -> None:
    get_channel().publish(
        MessageAdded(event.tenant_id, event.conversation_id, event.message_id, event.number_id)
    )


def on_message_changed(event: MessageStatusChanged | MessageMediaUpdated) -> None:
    get_channel().publish(MessageChanged(event.tenant_id, event.conversation_id, event.message_id))


def on_conversation_updated(event: ConversationUpdated) -> None:
    get_channel().publish(
        ConversationChanged(
            event.tenant_id,
            event.conversation_id,
            event.number_id,
            event.assignee_id,
            event.department_id,
        )
    )


def on_conversation_read(event: ConversationRead) -> None:
    get_channel().publish(
        ConversationChanged(event.tenant_id, event.conversation_id, event.number_id)
    )


def on_typing(event: TypingIndicated) -> None:
    get_channel().publish(
        TypingChanged(event.tenant_id, event.conversation_id, event.typing, event.number_id)
    )


def on_access_changed(event: UserAccessChanged) -> None:
    # Every web worker re-checks its open tabs of the tenant and drops those no longer entitled.
    get_channel().publish(AccessChanged(event.tenant_id, event.user_id))


def on_membership_changed(event: DepartmentMembershipChanged) -> None:
    get_channel().publish(MembershipChanged(event.tenant_id, event.user_id))


def register(bus: EventBus) -> None:
    watch_user_access()
    bus.subscribe(UserAccessChanged, on_access_changed)
    bus.subscribe(DepartmentMembershipChanged, on_membership_changed)
    bus.subscribe(NumberStateChanged, on_number_changed)
    bus.subscribe(QrCodeUpdated, on_number_changed)
    bus.subscribe(MessageStored, on_message_stored)
    bus.subscribe(MessageStatusChanged, on_message_changed)
    bus.subscribe(MessageMediaUpdated, on_message_changed)
    bus.subscribe(ConversationUpdated, on_conversation_updated)
    bus.subscribe(ConversationRead, on_conversation_read)
    bus.subscribe(TypingIndicated, on_typing)
