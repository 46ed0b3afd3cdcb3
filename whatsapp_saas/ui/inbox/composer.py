"""The composer: text, emoji, quick replies ("/"), replies to a message, notes, uploads."""

from __future__ import annotations

from typing import Any

import reflex as rx

from whatsapp_saas.inbox import service as inbox
from whatsapp_saas.ui import upload_guard
from whatsapp_saas.ui.db import in_session
from whatsapp_saas.ui.inbox import loaders
from whatsapp_saas.ui.inbox.state import InboxState

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


class ComposerState(InboxState):
    draft: str = ""
    note_mode: bool = False
    reply_to_id: str = ""
    reply_to_preview: str = ""
    suggestions: list[dict[str, str]] = []
    sending: bool = False

    @rx.var
    def quick_reply_open(self) -> bool:
        return self.draft.startswith("/") and " " not in self.draft

    @rx.event
    async def set_draft(self, value: str) -> None:
        self.draft = value
        if not self.draft.startswith("/") or " " in self.draft:
            self.suggestions = []
            return
        user = await self.current_user()
        if user is not None:
            prefix = self.draft[1:]
            self.suggestions = await in_session(lambda s: loaders.quick_replies(s, user, prefix))

    @rx.event
    def use_quick_reply(self, text: str) -> None:
        self.draft, self.suggestions = text, []

    @rx.event
    def add_emoji(self, emoji: str) -> None:
        self.draft = self.draft + emoji

    @rx.event
    def toggle_note(self) -> None:
        self.note_mode = not self.note_mode

    @rx.event
    def reply_to(self, message_id: str, preview: str) -> None:
        self.reply_to_id, self.reply_to_preview = message_id, preview[:120]

    @rx.event
    def cancel_reply(self) -> None:
        self.reply_to_id = self.reply_to_preview = ""

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
    async def send(self, _form: dict[str, Any] | None = None) -> None:
        text, cid = self.draft, self._conversation_id()
        quoted = int(self.reply_to_id) if self.reply_to_id else None
        if not text.strip() or not cid:
            return
        self.sending = True
        if self.note_mode:
            ok = await self.act(lambda scope, me: inbox.add_internal_note(scope, me, cid, text))
        else:
            ok = await self.act(
                lambda scope, me: inbox.enqueue_text_reply(
                    scope, me, cid, text, quoted_message_id=quoted
                )
            )
        self.sending = False
        if ok:
            self.draft, self.suggestions = "", []
            self.cancel_reply()

    @rx.event
    @upload_guard.accepts(upload_guard.MEDIA)
    async def upload(self, files: list[rx.UploadFile]) -> None:
        self.error = await upload_guard.refusal(self, files, upload_guard.MEDIA)
        if self.error:
            return
        cid = self._conversation_id()
        quoted = int(self.reply_to_id) if self.reply_to_id else None
        for file in files:
            data = await file.read()
            mimetype = file.content_type or "application/octet-stream"
            name = file.name or "file"
            caption = self.draft.strip() or None
            ok = await self.act(
                lambda scope, me, d=data, m=mimetype, n=name, c=caption: inbox.enqueue_media_reply(
                    scope,
                    me,
                    cid,
                    data=d,
                    mimetype=m,
                    filename=n,
                    caption=c,
                    quoted_message_id=quoted,
                )
            )
            if not ok:
                return
            self.draft = ""
        self.cancel_reply()
