"""The composer's components: text box, quick replies, emoji, attach, voice, note toggle.

Keyboard for the quick-reply list and pasting images live in ``assets/composer.js``.
"""

from __future__ import annotations

import reflex as rx
from reflex_components_core.core.upload import get_upload_files_context_var_data

from whatsapp_saas.ui import upload_guard
from whatsapp_saas.ui.components import error_callout
from whatsapp_saas.ui.inbox.composer import EMOJIS, UPLOAD_ID
from whatsapp_saas.ui.inbox.composer import ComposerState as C

T = C.t
UPLOAD_MAX_BYTES = 100 * 1024 * 1024  # the largest kind (documents); each kind is checked too


def _quick_reply_option(r: rx.Var) -> rx.Component:
    return rx.button(
        rx.text("/", r["shortcut"], weight="bold"),
        rx.text(r["text"], size="1", truncate=True),
        variant="ghost",
        size="1",
        on_click=C.use_quick_reply(r["text"]),
        data_testid="quick-reply-option",
        role="option",
        tab_index=-1,
        type="button",
        justify_content="flex-start",
        width="100%",
    )


def _quick_replies() -> rx.Component:
    return rx.cond(
        C.quick_reply_open,
        rx.card(
            rx.vstack(
                rx.hstack(
                    rx.text(T["ibx.quick_replies"], size="1", weight="bold"),
                    rx.text(T["cmp.quick_reply_keys"], size="1", color_scheme="gray", flex="1"),
                    rx.icon_button(
                        rx.icon("x", size=14),
                        size="1",
                        variant="ghost",
                        type="button",
                        on_click=C.close_quick_replies,
                        aria_label=T["cmp.close_quick_replies"],
                        title=T["cmp.close_quick_replies"],
                        data_testid="quick-reply-close",
                    ),
                    width="100%",
                    align="center",
                ),
                rx.cond(
                    C.quick_reply_options.length() > 0,
                    rx.foreach(C.quick_reply_options, _quick_reply_option),
                    rx.text(T["ibx.no_quick_replies"], size="1", color_scheme="gray"),
                ),
                spacing="1",
                width="100%",
                role="listbox",
                aria_label=T["ibx.quick_replies"],
            ),
            # Floats over the messages, so the text box and Send never move down.
            position="absolute",
            bottom="100%",
            left="0.75em",
            right="0.75em",
            max_height="40vh",
            overflow_y="auto",
            z_index="5",
            box_shadow="var(--shadow-4)",
            data_testid="quick-reply-list",
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
    # No on_drop: a chosen (or pasted) file waits in the browser for the preview's Send.
    return rx.upload.root(
        rx.icon_button(
            rx.icon("paperclip", size=16),
            variant="soft",
            size="2",
            type="button",
            aria_label=T["ibx.attach"],
            title=T["ibx.attach"],
        ),
        id=UPLOAD_ID,
        multiple=False,
        max_size=UPLOAD_MAX_BYTES,
        on_drop_rejected=upload_guard.drop_rejected(T, upload_guard.MEDIA),
        no_drag=True,
        border="none",
        padding="0",
    )


def _chosen(js: str, type_: type) -> rx.Var:
    """A value computed in the browser from the file waiting in the upload box."""
    return rx.Var(_js_expr=js, _var_type=type_, _var_data=get_upload_files_context_var_data())


_FIRST = f"((filesById['{UPLOAD_ID}'] || [])[0])"
_IS_IMAGE = f"!!({_FIRST} && {_FIRST}.type.startsWith('image/'))"
_HAS_FILE = _chosen(f"!!{_FIRST}", bool)
_IS_AUDIO = _chosen(f"!!({_FIRST} && {_FIRST}.type.startsWith('audio/'))", bool)
# A fresh object URL per render is cheap: it points at the same File, nothing is copied.
_PREVIEW_URL = _chosen(f"({_IS_IMAGE} ? URL.createObjectURL({_FIRST}) : '')", str)


def _attachment_preview() -> rx.Component:
    """WhatsApp's preview: see the file, add a caption, then Send or Cancel."""
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(T["cmp.attach_title"]),
            rx.dialog.description(
                T["cmp.attach_description"], font_size="var(--font-size-1)", color="var(--gray-11)"
            ),
            rx.vstack(
                rx.cond(
                    _PREVIEW_URL != "",
                    rx.image(
                        src=_PREVIEW_URL,
                        alt=rx.selected_files(UPLOAD_ID)[0],
                        max_height="45vh",
                        max_width="100%",
                        object_fit="contain",
                        data_testid="attach-preview-image",
                    ),
                ),
                rx.foreach(
                    rx.selected_files(UPLOAD_ID),
                    lambda name: rx.text(name, size="2", data_testid="attach-file-name"),
                ),
                rx.cond(_IS_AUDIO, rx.text(T["cmp.attach_voice_hint"], size="1")),
                error_callout(C.error),
                rx.cond(
                    _IS_AUDIO,
                    rx.fragment(),  # a voice note has no caption on WhatsApp
                    rx.input(
                        value=C.attach_caption,
                        on_change=C.set_attach_caption,
                        placeholder=T["cmp.caption"],
                        aria_label=T["cmp.caption"],
                        id="attach-caption",
                        width="100%",
                    ),
                ),
                rx.hstack(
                    rx.button(
                        T["ibx.cancel"],
                        variant="soft",
                        color_scheme="gray",
                        type="button",
                        on_click=C.cancel_attachment,
                    ),
                    rx.button(
                        T["ibx.send"],
                        type="button",
                        on_click=C.upload(rx.upload_files(upload_id=UPLOAD_ID)),
                        data_testid="attach-send",
                    ),
                    justify="end",
                    width="100%",
                ),
                spacing="3",
                width="100%",
            ),
            data_testid="attach-preview",
        ),
        open=_HAS_FILE,
        on_open_change=C.attachment_open_changed,
    )


def _voice() -> rx.Component:
    """Shown only where the browser can record (see assets/voice.js)."""
    start, stop = C.start_voice, C.stop_voice
    return rx.hstack(
        rx.icon_button(
            rx.icon("mic", size=16),
            variant="soft",
            size="2",
            type="button",
            on_click=start,
            aria_label=T["ibx.voice"],
            title=T["ibx.voice"],
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
        C.replying,
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
        _attachment_preview(),
        rx.form(
            rx.vstack(
                # Uncontrolled: a box whose value the server echoes back loses the letters
                # typed while the echo is on its way (a slow link, a busy server), and a
                # debounced one does too once typing pauses longer than its delay. Every
                # keystroke still reaches the server in order (set_draft); when the server
                # itself changes the draft, `composer_key` changes and the box remounts with
                # it. Enter sends through assets/composer.js.
                rx.text_area(
                    default_value=C.draft,
                    key=C.composer_key,
                    on_change=C.set_draft,
                    placeholder=rx.cond(
                        C.note_mode, T["ibx.note_placeholder"], T["ibx.placeholder"]
                    ),
                    aria_label=T["ibx.placeholder"],
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
        position="relative",
    )
