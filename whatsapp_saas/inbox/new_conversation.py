"""Starting a conversation from the inbox: a phone number typed by a person, and the number
of the company to write from.

The phone goes through :mod:`whatsapp_saas.phones` (read in the sending number's country when
it has no country code), the contact is found or created, and the conversation is opened and
assigned to whoever started it. An optional first message is queued like any reply.
"""

from __future__ import annotations

from whatsapp_saas import phones
from whatsapp_saas.accounts.service import CurrentUser
from whatsapp_saas.contacts.service import create_contact
from whatsapp_saas.errors import UserError
from whatsapp_saas.inbox.models import Conversation
from whatsapp_saas.inbox.replies import enqueue_text_reply
from whatsapp_saas.inbox.service import open_conversation
from whatsapp_saas.tenancy.scope import TenantScope
from whatsapp_saas.whatsapp.models import WhatsAppNumber


def start_conversation(
    scope: TenantScope,
    *,
    actor: CurrentUser,
    number_id: int | None,
    phone: str,
    name: str | None = None,
    text: str | None = None,
) -> Conversation:
    """The conversation with ``phone`` on ``number_id`` (existing or new), its first message
    queued when ``text`` is given. Bad input is a UserError and writes nothing."""
    if number_id is None:
        raise UserError("error.cmp_number_required")
    number = scope.get(WhatsAppNumber, number_id)
    e164 = phones.require_e164(phone, _region_of(number))
    contact = create_contact(scope, phone=e164, name=name)
    assert contact.id is not None
    conversation = open_conversation(scope, actor=actor, number_id=number_id, contact_id=contact.id)
    assert conversation.id is not None
    if text and text.strip():
        enqueue_text_reply(scope, actor=actor, conversation_id=conversation.id, text=text)
    return conversation


def _region_of(number: WhatsAppNumber) -> str:
    """Numbers typed without +country are read in the sending number's country."""
    return phones.region_of(number.phone) or phones.DEFAULT_REGION
