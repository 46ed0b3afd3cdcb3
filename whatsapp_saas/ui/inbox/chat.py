"""The chat window: message bubbles with ticks, media, quotes, reactions, notes and system
lines. Scrolling (open at the newest message, follow new ones, load older ones) is done in
the browser by assets/chat_scroll.js, which reads the ids and attributes set here."""

from __future__ import annotations

import reflex as rx

from whatsapp_saas.ui.dates import local_time
from whatsapp_saas.ui.inbox.composer import ComposerState
from whatsapp_saas.ui.inbox.state import InboxState as S
from whatsapp_saas.ui.media_urls import backend_url

T = S.t


def _media(m: rx.Var) -> rx.Component:
    # Absolute backend URLs: in dev mode the pages and our /media route are on different ports.
    url = backend_url(m["media_url"])
    return rx.cond(
        m["media_url"] != "",
        rx.match(
            m["media_kind"],
            (
                "image",
                rx.link(
                    rx.image(
                        src=url,
                        alt=T["ibx.image"],
                        max_width="260px",
                        border_radius="6px",
                    ),
                    href=url,
                    is_external=True,
                ),
            ),
            ("sticker", rx.image(src=url, alt="sticker", max_width="120px")),
            ("audio", rx.audio(src=url, controls=True, width="260px", height="40px")),
            ("video", rx.video(src=url, controls=True, width="260px", height="180px")),
            rx.link(
                rx.hstack(
                    rx.icon("file_down", size=16),
                    rx.text(rx.cond(m["filename"] != "", m["filename"], T["ibx.download"])),
                ),
                href=backend_url(m["media_url"] + "?download=1"),
            ),
        ),
        rx.cond(
            m["media_status"] == "pending",
            rx.hstack(rx.spinner(size="1"), rx.text(T["ibx.media_pending"], size="1")),
            rx.cond(
                m["media_status"] == "failed",
                rx.hstack(
                    rx.text(
                        T["ibx.media_failed"], size="1", color_scheme="red", title=m["media_error"]
                    ),
                    rx.button(
                        T["ibx.retry_media"],
                        size="1",
                        variant="ghost",
                        on_click=S.retry_media(m["id"]),
                    ),
                ),
            ),
        ),
    )


def _status_line(m: rx.Var) -> rx.Component:
    return rx.hstack(
        rx.text(local_time(m["at"]), size="1", color_scheme="gray", data_testid="message-time"),
        rx.cond(
            m["tick"] != "",
            rx.text(
                m["tick"],
                size="1",
                color=rx.match(
                    m["tick_color"],
                    ("blue", "var(--blue-10)"),
                    ("red", "var(--red-10)"),
                    "var(--gray-10)",
                ),
                data_testid="message-tick",
                title=T[m["tick_key"]],
                aria_label=T[m["tick_key"]],
            ),
        ),
        spacing="1",
        justify="end",
    )


def _failure(m: rx.Var) -> rx.Component:
    return rx.cond(
        m["status"] == "failed",
        rx.hstack(
            rx.text(T["ibx.failed"], ": ", m["failure_reason"], size="1", color_scheme="red"),
            rx.button(
                T["ibx.retry"],
                size="1",
                variant="soft",
                color_scheme="red",
                on_click=S.retry(m["id"]),
            ),
            align="center",
        ),
    )


def _bubble(m: rx.Var) -> rx.Component:
    outgoing = m["direction"] == "out"
    note = m["note"] == "yes"
    return rx.box(
        rx.vstack(
            rx.cond(
                note,
                rx.text(
                    rx.icon("lock", size=12),
                    " ",
                    T["ibx.note"],
                    " · ",
                    m["author"],
                    size="1",
                    weight="bold",
                ),
            ),
            rx.cond(
                m["quoted"] != "",
                rx.box(
                    rx.text(m["quoted"], size="1", color_scheme="gray"),
                    border_left="3px solid var(--accent-8)",
                    padding_left="6px",
                ),
            ),
            rx.cond(
                outgoing & ((m["sender"] != "") | (m["sender_key"] != "")),
                rx.text(
                    rx.cond(
                        m["sender"] != "",
                        m["sender"],
                        # "Automation · <rule or menu>" when the message names what sent it
                        T[m["sender_key"]].to(str).replace("{name}", m["sender_name"].to(str)),
                    ),
                    size="1",
                    weight="bold",
                    color_scheme="grass",
                    data_testid="message-sender",
                ),
            ),
            _media(m),
            rx.cond(
                m["body"] != "",
                rx.text(
                    formatted(m["parts"]),
                    white_space="pre-wrap",
                    overflow_wrap="anywhere",
                    data_testid="message-text",
                ),
            ),
            rx.cond(
                m["caption"] != "",
                rx.text(
                    formatted(m["caption_parts"]),
                    white_space="pre-wrap",
                    overflow_wrap="anywhere",
                    size="2",
                ),
            ),
            rx.cond(m["reactions"] != "", rx.text(m["reactions"], size="2")),
            _status_line(m),
            _failure(m),
            rx.cond(
                ~note,
                rx.button(
                    T["ibx.reply"],
                    size="1",
                    variant="ghost",
                    on_click=ComposerState.reply_to(
                        m["id"], m["body"] + m["caption"] + m["filename"]
                    ),
                ),
            ),
            spacing="1",
        ),
        max_width="70%",
        padding="0.5em 0.75em",
        border_radius="10px",
        background=rx.cond(
            note, "var(--amber-3)", rx.cond(outgoing, "var(--grass-3)", "var(--gray-3)")
        ),
        border=rx.cond(note, "1px dashed var(--amber-8)", "none"),
        align_self=rx.cond(outgoing | note, "flex-end", "flex-start"),
        data_testid=rx.cond(
            note, "note-bubble", rx.cond(outgoing, "outgoing-bubble", "incoming-bubble")
        ),
        data_mid=m["id"],
    )


def formatted(parts: rx.Var) -> rx.Component:
    """WhatsApp formatting (see formatting.py): every part is a text node or an http(s) link."""
    return rx.foreach(parts.to(list[dict[str, str]]), _part)


def _part(p: rx.Var) -> rx.Component:
    return rx.cond(
        p["href"] != "",
        rx.link(p["text"], href=p["href"], is_external=True, rel="noopener noreferrer nofollow"),
        rx.el.span(
            p["text"],
            font_weight=rx.cond(p["b"] != "", "bold", "inherit"),
            font_style=rx.cond(p["i"] != "", "italic", "inherit"),
            text_decoration=rx.cond(p["s"] != "", "line-through", "inherit"),
            font_family=rx.cond(p["m"] != "", "var(--code-font-family, monospace)", "inherit"),
        ),
    )


def system_text(m: rx.Var) -> rx.Var:
    """The translated line, with its {who}, {to} and {department} filled in."""
    template = T[m["system_key"]].to(str)
    return (
        template.replace("{who}", m["who"])
        .replace("{to}", m["to"])
        .replace("{department}", m["department"])
    )


def _system_line(m: rx.Var) -> rx.Component:
    return rx.center(
        rx.text(
            system_text(m),
            " · ",
            local_time(m["at"]),
            size="1",
            color_scheme="gray",
            padding="0.15em 0.75em",
            border_radius="999px",
            background="var(--gray-3)",
            text_align="center",
        ),
        width="100%",
        data_testid="system-line",
        data_mid=m["id"],
    )


def _row(row: rx.Var) -> rx.Component:
    # Rows are strings but for the formatted parts (lists), which formatted() casts back.
    m = row.to(dict[str, str])
    return rx.cond(m["direction"] == "system", _system_line(m), _bubble(m))


def message_list() -> rx.Component:
    return rx.box(
        _scroller(),
        rx.button(
            T["ibx.new_messages"],
            id="new-messages-pill",
            class_name="new-messages-pill",
            size="1",
            radius="full",
            type="button",
            data_testid="new-messages-pill",
        ),
        position="relative",
        flex="1",
        min_height="0",
        width="100%",
        display="flex",
    )


def _scroller() -> rx.Component:
    return rx.vstack(
        rx.cond(
            S.older_cursor != "",
            rx.button(
                T["ibx.load_older"],
                size="1",
                variant="ghost",
                on_click=S.load_older,
                id="load-older",
                align_self="center",
            ),
        ),
        rx.foreach(S.messages, _row),
        rx.cond(
            S.typing.contains(S.selected_id),
            rx.text(
                T["ibx.typing"],
                size="2",
                color_scheme="gray",
                style={"font_style": "italic"},
                data_testid="typing",
            ),
        ),
        rx.box(id="chat-end"),
        spacing="2",
        width="100%",
        padding="1em",
        overflow_y="auto",
        flex="1",
        height="100%",
        id="chat-scroll",
        class_name="chat-scroll",
        data_conversation=S.selected_id,
        data_testid="chat-scroll",
    )
