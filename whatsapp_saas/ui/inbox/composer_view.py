"""The composer's components: text box, quick replies, emoji, attach, voice, note toggle."""

from __future__ import annotations

import reflex as rx

from whatsapp_saas.ui.inbox.composer import EMOJIS
from whatsapp_saas.ui.inbox.composer import ComposerState as C

T = C.t
UPLOAD_ID = "inbox-upload"
UPLOAD_MAX_BYTES = 100 * 1024 * 1024  # the largest kind (documents); each kind is checked too


def _quick_replies() -> rx.Component:
    return rx.cond(
        C.quick_reply_open,
        rx.card(
            rx.vstack(
                rx.text(T["ibx.quick_replies"], size="1", weight="bold"),
                rx.cond(
                    C.suggestions.length() > 0,
                    rx.foreach(
                        C.suggestions,
                        lambda r: rx.button(
                            rx.text("/", r["shortcut"], weight="bold"),
                            rx.text(r["text"], size="1", truncate=True),
                            variant="ghost",
                            size="1",
                            on_click=C.use_quick_reply(r["text"]),
                            data_testid="quick-reply-option",
                            justify="start",
                            width="100%",
                        ),
                    ),
                    rx.text(T["ibx.no_quick_replies"], size="1", color_scheme="gray"),
                ),
                spacing="1",
                width="100%",
            ),
            width="100%",
        ),
    )


def _emoji_picker() -> rx.Component:
    return rx.popover.root(
        rx.popover.trigger(
            rx.button(
                "😀",
                variant="soft",
                size="2",
                aria_label=T["ibx.emoji"],
                title=T["ibx.emoji"],
                type="button",
            )
        ),
        rx.popover.content(
            rx.grid(
                *[
                    rx.button(e, variant="ghost", size="2", on_click=C.add_emoji(e), type="button")
                    for e in EMOJIS
                ],
                columns="8",
                spacing="1",
            ),
        ),
    )


def _attach() -> rx.Component:
    return rx.upload.root(
        rx.button(
            rx.icon("paperclip", size=16), T["ibx.attach"], variant="soft", size="2", type="button"
        ),
        id=UPLOAD_ID,
        multiple=False,
        max_size=UPLOAD_MAX_BYTES,
        on_drop=C.upload(rx.upload_files(upload_id=UPLOAD_ID)),
        no_drag=True,
        border="none",
        padding="0",
    )


def _voice() -> rx.Component:
    """Shown only where the browser can record (see assets/voice.js)."""
    start, stop = C.start_voice, C.stop_voice
    return rx.hstack(
        rx.button(
            rx.icon("mic", size=16),
            T["ibx.voice"],
            variant="soft",
            size="2",
            type="button",
            on_click=start,
            class_name="voice-start",
        ),
        rx.button(
            rx.icon("square", size=16),
            T["ibx.voice_stop"],
            color_scheme="red",
            size="2",
            type="button",
            on_click=stop,
            class_name="voice-stop",
        ),
        spacing="1",
        class_name="voice-controls",
    )


def _reply_banner() -> rx.Component:
    return rx.cond(
        C.reply_to_id != "",
        rx.hstack(
            rx.text(T["ibx.replying_to"], size="1", weight="bold"),
            rx.text(C.reply_to_preview, size="1", truncate=True, flex="1"),
            rx.button(
                T["ibx.cancel"], size="1", variant="ghost", on_click=C.cancel_reply, type="button"
            ),
            width="100%",
            padding="0.25em 0.5em",
            background="var(--gray-3)",
            border_radius="6px",
        ),
    )


def composer() -> rx.Component:
    return rx.vstack(
        _quick_replies(),
        _reply_banner(),
        rx.form(
            rx.vstack(
                rx.text_area(
                    value=C.draft,
                    on_change=C.set_draft,
                    placeholder=rx.cond(
                        C.note_mode, T["ibx.note_placeholder"], T["ibx.placeholder"]
                    ),
                    aria_label=T["ibx.placeholder"],
                    enter_key_submit=True,
                    rows="2",
                    width="100%",
                    background=rx.cond(C.note_mode, "var(--amber-2)", "inherit"),
                    id="composer",
                ),
                rx.hstack(
                    _emoji_picker(),
                    _attach(),
                    _voice(),
                    rx.hstack(
                        rx.switch(
                            checked=C.note_mode,
                            on_change=lambda _v: C.toggle_note(),
                            id="note-mode",
                        ),
                        rx.el.label(
                            T["ibx.note_mode"], html_for="note-mode", class_name="field-label"
                        ),
                        align="center",
                    ),
                    rx.spacer(),
                    rx.button(
                        rx.cond(C.note_mode, T["ibx.add_note"], T["ibx.send"]),
                        type="submit",
                        loading=C.sending,
                    ),
                    width="100%",
                    align="center",
                    wrap="wrap",
                ),
                width="100%",
            ),
            on_submit=lambda _form_data: C.send(),
            reset_on_submit=False,
            width="100%",
        ),
        width="100%",
        padding="0.75em",
        border_top="1px solid var(--gray-5)",
        spacing="2",
    )
