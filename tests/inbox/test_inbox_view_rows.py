"""What the Inbox page shows, as plain rows: WhatsApp formatting (safely), conversation rows,
tick tooltips, who sent each message, and the chat kept whole across live reloads."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from whatsapp_saas.contacts.models import Contact
from whatsapp_saas.i18n import translate
from whatsapp_saas.inbox.models import Conversation, Message
from whatsapp_saas.inbox.queries import ConversationItem
from whatsapp_saas.ui.inbox.formatting import parts
from whatsapp_saas.ui.inbox.views import _message_row, conversation_row, initials, merge_reload


def _styles(text: str) -> list[tuple[str, str]]:
    out = []
    for p in parts(text):
        flags = "".join(f for f, on in (("b", p.b), ("i", p.i), ("s", p.s), ("m", p.m)) if on)
        out.append((p.text, flags + (f"<{p.href}>" if p.href else "")))
    return out


def test_whatsapp_formatting() -> None:
    assert _styles("Oi *Maria*, tudo _bem_? ~caro~") == [
        ("Oi ", ""),
        ("Maria", "b"),
        (", tudo ", ""),
        ("bem", "i"),
        ("? ", ""),
        ("caro", "s"),
    ]
    assert _styles("código: ```a *b* c```") == [("código: ", ""), ("a *b* c", "m")]
    assert _styles("*_ambos_*") == [("ambos", "bi")]
    assert _styles("2*3*4 e snake_case_name") == [("2*3*4 e snake_case_name", "")]


def test_links_are_http_only_and_stop_before_punctuation() -> None:
    assert _styles("Veja https://loja.com.br/p?id=1_2.") == [
        ("Veja ", ""),
        ("https://loja.com.br/p?id=1_2", "<https://loja.com.br/p?id=1_2>"),
        (".", ""),
    ]
    assert [p.href for p in parts("javascript:alert(1) data:text/html,x")] == [""]


def test_injection_stays_plain_text() -> None:
    evil = '<img src=x onerror="alert(1)"> *<script>alert(2)</script>*'
    found = parts(evil)
    assert (
        "".join(p.text for p in found) == '<img src=x onerror="alert(1)"> <script>alert(2)</script>'
    )
    assert all(p.href == "" for p in found)


def test_initials() -> None:
    assert initials("Olivia Souza Lima") == "OL"
    assert initials("ana") == "A"
    assert initials("") == ""


def test_conversation_row_has_assignee_tag_status() -> None:
    conv = Conversation(
        id=7,
        tenant_id=1,
        number_id=3,
        contact_id=5,
        status="pending",
        assignee_id=9,
        department_id=4,
        unread_count=2,
        last_message_preview="*Olivia*: Oi",
        last_message_at=datetime(2026, 12, 1, 12, tzinfo=UTC),
    )
    contact = Contact(id=5, tenant_id=1, name="Dona Maria", phone="+5521987654321")
    row = conversation_row(
        ConversationItem(conv, contact), {3: "Vendas"}, {9: "Bruno Reis"}, {4: "Financeiro"}
    )
    assert (row["initials"], row["assignee"], row["tag"], row["status"], row["unread"]) == (
        "BR",
        "Bruno Reis",
        "Financeiro",
        "pending",
        "2",
    )
    assert (row["preview"], row["phone"]) == ("Olivia: Oi", "+55 21 98765-4321")
    conv.department_id, conv.assignee_id = None, None
    row = conversation_row(ConversationItem(conv, contact), {3: "Vendas"}, {}, {})
    assert (row["initials"], row["tag"]) == ("", "Vendas")


def _message(**fields: Any) -> Message:
    base: dict[str, Any] = {
        "id": 1,
        "tenant_id": 1,
        "conversation_id": 7,
        "number_id": 3,
        "direction": "out",
        "body": "*oi*",
        "status": "read",
        "created_at": datetime(2026, 12, 1, 12, tzinfo=UTC),
    }
    return Message(**(base | fields))


def test_tick_tooltips_are_translated_and_outbound_shows_its_sender() -> None:
    tz = ZoneInfo("UTC")
    row = _message_row(_message(author_user_id=9), tz, {}, {9: "Bruno"}, "pt-BR")
    assert translate("pt-BR", row["tick_key"]) == "Lida"
    assert translate("en", row["tick_key"]) == "Read"
    assert (row["sender"], row["sender_key"]) == ("Bruno", "")
    row = _message_row(_message(status="delivered", sent_by="campaign"), tz, {}, {}, "en")
    assert translate("pt-BR", row["tick_key"]) == "Entregue"
    assert (row["sender"], translate("en", row["sender_key"])) == ("", "Campaign")
    row = _message_row(_message(direction="in", status="delivered"), tz, {}, {9: "Bruno"}, "en")
    assert (row["sender"], row["sender_key"]) == ("", "")
    assert row["parts"] == [{"text": "oi", "href": "", "b": "1", "i": "", "s": "", "m": ""}]
    for status in ("queued", "sending", "sent", "delivered", "read", "failed"):
        key = f"ibx.tick_{status}"
        assert translate("en", key) != key and translate("pt-BR", key) != translate("en", key)


def _rows(*ids: int) -> list[dict[str, str]]:
    return [{"id": str(i)} for i in ids]


def test_a_live_reload_keeps_the_older_messages_scrolled_to() -> None:
    shown = _rows(*range(1, 101))  # the attendant loaded two pages: 1..100
    newest = _rows(*range(52, 102))  # the live reload brings the newest 50: 52..101
    assert [m["id"] for m in merge_reload(shown, newest)] == [str(i) for i in range(1, 102)]
    # A burst bigger than a page leaves a gap: show only the newest page.
    assert merge_reload(_rows(1, 2, 3), _rows(60, 61)) == _rows(60, 61)
    assert merge_reload([], _rows(5)) == _rows(5)
