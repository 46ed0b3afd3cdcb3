"""The composer: text, emoji, quick replies ("/"), replies to a message, notes, uploads.

Everything typed belongs to one conversation: the draft, the message being replied to and the
quick-reply list are kept per conversation id, so switching conversations never carries text
(or a quote) over to another customer. Drafts live in the browser's localStorage (see
:mod:`whatsapp_saas.ui.inbox.drafts`) and survive a reload.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

import reflex as rx

from whatsapp_saas.inbox import service as inbox
from whatsapp_saas.inbox.audio import prepare_voice
from whatsapp_saas.inbox.replies import enqueue_voice_reply
from whatsapp_saas.ui import upload_guard
from whatsapp_saas.ui.db import in_session
from whatsapp_saas.ui.inbox import drafts, loaders
from whatsapp_saas.ui.inbox.state import InboxState

UPLOAD_ID = "inbox-upload"
FOCUS_COMPOSER = "window.waComposer && window.waComposer.focus()"
RESET_FILE = "window.waComposer && window.waComposer.resetFile()"

EMOJIS = [
    "😀",
    "😂",
    "😊",
    "😍",
    "👍",
    "🙏",
    "👏",
    "🎉",
    "❤️",
    "🔥",
    "😢",
    "😮",
    "🤝",
    "✅",
    "⏰",
    "📦",
]


@dataclass(frozen=True, slots=True)
class ChosenFile:
    data: bytes
    mimetype: str
    name: str


def is_shortcut(text: str) -> bool:
    """What opens the quick-reply list: "/" and a shortcut, no spaces."""
    return text.startswith("/") and not any(c.isspace() for c in text)


async def read_uploads(files: list[rx.UploadFile]) -> list[ChosenFile]:
    """The one step that reads the browser's files (size limits and checks belong here)."""
    chosen = []
    for file in files:
        data = await file.read()
        mimetype = file.content_type or "application/octet-stream"
        chosen.append(ChosenFile(data, mimetype, file.name or "file"))
    return chosen


class ComposerState(InboxState):
    # {"owner": ..., "drafts": {conversation id: text}}; other tabs of the browser follow along.
    drafts_json: str = rx.LocalStorage("{}", name="wa_drafts", sync=True)
    note_mode: bool = False
    reply_to_id: str = ""
    reply_to_preview: str = ""
    reply_to_conversation: str = ""
    suggestions: list[dict[str, str]] = []
    suggestions_for: str = ""  # "<conversation>:<draft>" they were looked up for
    quick_replies_closed_for: str = ""  # Escape closed the list for this "<conversation>:<draft>"
    attach_caption: str = ""
    sending: bool = False
    # The text box is uncontrolled (see composer_view.composer): the server's own edits to a
    # draft (a quick reply, an emoji, the clear after sending) bump this to remount it.
    composer_revision: int = 0

    @rx.var
    def composer_key(self) -> str:
        return f"{self.selected_id}-{self.composer_revision}"

    @rx.var
    def draft(self) -> str:
        return drafts.read(self.drafts_json, drafts.owner_of(self.user_email), self.selected_id)

    @rx.var
    def quick_reply_open(self) -> bool:
        key = f"{self.selected_id}:{self.draft}"
        return is_shortcut(self.draft) and self.quick_replies_closed_for != key

    @rx.var
    def quick_reply_options(self) -> list[dict[str, str]]:
        fresh = self.suggestions_for == f"{self.selected_id}:{self.draft}"
        return self.suggestions if fresh else []

    @rx.var
    def replying(self) -> bool:
        return self.reply_to_id != "" and self.reply_to_conversation == self.selected_id

    def _store_draft(self, text: str, conversation_id: str | None = None) -> None:
        owner = drafts.owner_of(self.user_email)
        cid = self.selected_id if conversation_id is None else conversation_id
        self.drafts_json = drafts.write(self.drafts_json, owner, cid, text)

    async def _quick_replies(self, text: str) -> list[dict[str, str]]:
        user = await self._current_user()
        if user is None:
            return []
        return await in_session(lambda s: loaders.quick_replies(s, user, text[1:]))

    @rx.event
    async def set_draft(self, value: str) -> None:
        self._store_draft(value)
        self.quick_replies_closed_for = ""  # typing again reopens a list closed with Escape
        if is_shortcut(value):
            self.suggestions = await self._quick_replies(value)
            self.suggestions_for = f"{self.selected_id}:{value}"

    @rx.event
    def use_quick_reply(self, text: str):  # type: ignore[no-untyped-def]
        return self._insert_quick_reply(text)

    def _replace_draft(self, text: str, conversation_id: str | None = None) -> None:
        """A draft the server wrote, not the attendant's typing: the text box shows it."""
        self._store_draft(text, conversation_id)
        self.composer_revision += 1

    def _insert_quick_reply(self, text: str):  # type: ignore[no-untyped-def]
        self._replace_draft(text)
        self.suggestions, self.suggestions_for = [], ""
        return rx.call_script(FOCUS_COMPOSER)

    @rx.event
    def close_quick_replies(self):  # type: ignore[no-untyped-def]
        self.quick_replies_closed_for = f"{self.selected_id}:{self.draft}"
        return rx.call_script(FOCUS_COMPOSER)

    @rx.event
    def add_emoji(self, emoji: str):  # type: ignore[no-untyped-def]
        self._replace_draft(self.draft + emoji)
        return rx.call_script(FOCUS_COMPOSER)

    @rx.event
    def toggle_note(self) -> None:
        self.note_mode = not self.note_mode

    @rx.event
    def reply_to(self, message_id: str, preview: str) -> None:
        self.reply_to_id, self.reply_to_preview = message_id, preview[:120]
        self.reply_to_conversation = self.selected_id

    @rx.event
    def cancel_reply(self) -> None:
        self.reply_to_id = self.reply_to_preview = self.reply_to_conversation = ""

    def _quoted_id(self) -> int | None:
        return int(self.reply_to_id) if self.replying and self.reply_to_id.isdigit() else None

    @rx.event
    def start_voice(self):  # type: ignore[no-untyped-def]
        """Recording and upload happen in the browser (assets/voice.js)."""
        if self.selected_id.isdigit():
            return rx.call_script(
                f"window.waVoice && window.waVoice.start({int(self.selected_id)})"
            )
        return None

    @rx.event
    def stop_voice(self):  # type: ignore[no-untyped-def]
        return rx.call_script("window.waVoice && window.waVoice.stop()")

    @rx.event
    async def send(self, _form: dict[str, Any] | None = None):  # type: ignore[no-untyped-def]
        text, cid = self.draft, self._conversation_id()
        if not text.strip() or not cid:
            return None
        if is_shortcut(text.strip()):
            # Enter on "/pi" inserts the quick reply it names; it never sends "/pi" itself.
            found = await self._quick_replies(text.strip())
            if found:
                return self._insert_quick_reply(found[0]["text"])
        quoted, conversation = self._quoted_id(), self.selected_id
        self.sending = True
        if self.note_mode:
            ok = await self._act(
                lambda scope, me: inbox.add_internal_note(
                    scope, actor=me, conversation_id=cid, text=text
                )
            )
        else:
            ok = await self._act(
                lambda scope, me: inbox.enqueue_text_reply(
                    scope, actor=me, conversation_id=cid, text=text, quoted_message_id=quoted
                )
            )
        self.sending = False
        if ok:
            self._replace_draft("", conversation)
            self.suggestions, self.suggestions_for = [], ""
            self.cancel_reply()
            return rx.call_script(FOCUS_COMPOSER)
        return None

    @rx.event
    def set_attach_caption(self, value: str) -> None:
        self.attach_caption = value

    @rx.event
    def cancel_attachment(self):  # type: ignore[no-untyped-def]
        return self._drop_attachment()

    def _drop_attachment(self):  # type: ignore[no-untyped-def]
        self.attach_caption, self.error = "", ""
        return [
            rx.clear_selected_files(UPLOAD_ID),
            rx.call_script(RESET_FILE),
            rx.call_script(FOCUS_COMPOSER),
        ]

    @rx.event
    def attachment_open_changed(self, is_open: bool):  # type: ignore[no-untyped-def]
        """Escape or a click outside the preview cancels it, like the Cancel button."""
        return None if is_open else self._drop_attachment()

    @rx.event
    @upload_guard.accepts(upload_guard.MEDIA)
    async def upload(self, files: list[rx.UploadFile]):  # type: ignore[no-untyped-def]
        """Send the files chosen (or pasted) in the preview, the caption with the first one."""
        self.error = await upload_guard.refusal(self, files, upload_guard.MEDIA)
        if self.error:
            return None  # the preview stays open, with the reason in it
        cid, quoted = self._conversation_id(), self._quoted_id()
        caption = self.attach_caption.strip() or None
        for file in await read_uploads(files):
            if not await self._send_file(cid, file, caption, quoted):
                return None  # the preview stays open, with the error in it
            caption = None
        self.cancel_reply()
        return self._drop_attachment()

    async def _send_file(
        self, cid: int, file: ChosenFile, caption: str | None, quoted: int | None
    ) -> bool:
        if file.mimetype.lower().startswith("audio/"):
            # WhatsApp plays only OGG/Opus as a voice note: convert first (inbox.audio).
            audio = await asyncio.to_thread(prepare_voice, file.data, file.mimetype, file.name)
            return await self._act(
                lambda scope, me: enqueue_voice_reply(
                    scope, actor=me, conversation_id=cid, audio=audio, quoted_message_id=quoted
                )
            )
        return await self._act(
            lambda scope, me: inbox.enqueue_media_reply(
                scope,
                actor=me,
                conversation_id=cid,
                data=file.data,
                mimetype=file.mimetype,
                filename=file.name,
                caption=caption,
                quoted_message_id=quoted,
            )
        )
