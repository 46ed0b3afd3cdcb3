"""Bus handlers that turn committed domain events into typed live updates for the browsers.

They publish on the process's tenant channel, which bootstrap builds (``App.realtime``) and
passes to :func:`register`."""

from __future__ import annotations

from whatsapp_saas.automations.handoff import HandedToHuman
from whatsapp_saas.contacts.events import ContactUpdated
from whatsapp_saas.events.bus import EventBus
from whatsapp_saas.events.live import LiveParts, LivePublisher
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
from whatsapp_saas.realtime.events import (
    AccessChanged,
    ContactsChanged,
    ConversationChanged,
    HandoffRequested,
    MembershipChanged,
    MessageAdded,
    MessageChanged,
    NumbersChanged,
    TypingChanged,
)
from whatsapp_saas.whatsapp.events import NumberStateChanged, QrCodeUpdated


class LiveUpdates:
    """The handlers, bound to the channel they publish on."""

    def __init__(self, channel: LivePublisher) -> None:
        self.channel = channel

    def on_number_changed(self, event: NumberStateChanged | QrCodeUpdated) -> None:
        self.channel.publish(NumbersChanged(event.tenant_id, event.number_id))

    def on_message_stored(self, event: MessageStored) -> None:
        self.channel.publish(
            MessageAdded(event.tenant_id, event.conversation_id, event.message_id, event.number_id)
        )

    def on_message_changed(self, event: MessageStatusChanged | MessageMediaUpdated) -> None:
        self.channel.publish(
            MessageChanged(event.tenant_id, event.conversation_id, event.message_id)
        )

    def on_conversation_updated(self, event: ConversationUpdated) -> None:
        self.channel.publish(
            ConversationChanged(
                event.tenant_id,
                event.conversation_id,
                event.number_id,
                event.assignee_id,
                event.department_id,
            )
        )

    def on_conversation_read(self, event: ConversationRead) -> None:
        self.channel.publish(
            ConversationChanged(event.tenant_id, event.conversation_id, event.number_id)
        )

    def on_typing(self, event: TypingIndicated) -> None:
        self.channel.publish(
            TypingChanged(event.tenant_id, event.conversation_id, event.typing, event.number_id)
        )

    def on_access_changed(self, event: UserAccessChanged) -> None:
        # Every web worker re-checks its open tabs of the tenant and drops those no longer entitled.
        self.channel.publish(AccessChanged(event.tenant_id, event.user_id))

    def on_membership_changed(self, event: DepartmentMembershipChanged) -> None:
        self.channel.publish(MembershipChanged(event.tenant_id, event.user_id))

    def on_contact_updated(self, event: ContactUpdated) -> None:
        self.channel.publish(ContactsChanged(event.tenant_id, event.contact_id))

    def on_handed_to_human(self, event: HandedToHuman) -> None:
        self.channel.publish(
            HandoffRequested(event.tenant_id, event.conversation_id, event.user_ids)
        )


def register(bus: EventBus, parts: LiveParts) -> None:
    live = LiveUpdates(parts.realtime)
    watch_user_access()
    bus.subscribe(UserAccessChanged, live.on_access_changed)
    bus.subscribe(DepartmentMembershipChanged, live.on_membership_changed)
    bus.subscribe(NumberStateChanged, live.on_number_changed)
    bus.subscribe(QrCodeUpdated, live.on_number_changed)
    bus.subscribe(MessageStored, live.on_message_stored)
    bus.subscribe(MessageStatusChanged, live.on_message_changed)
    bus.subscribe(MessageMediaUpdated, live.on_message_changed)
    bus.subscribe(ConversationUpdated, live.on_conversation_updated)
    bus.subscribe(ContactUpdated, live.on_contact_updated)
    bus.subscribe(ConversationRead, live.on_conversation_read)
    bus.subscribe(TypingIndicated, live.on_typing)
    bus.subscribe(HandedToHuman, live.on_handed_to_human)
