"""Settings → Quick replies: the tenant's saved answers, typed as ``/shortcut`` in the inbox.

The service lets every member of the tenant manage them (they are the team's shared
vocabulary), so the page does too.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import reflex as rx
from sqlmodel import Session

from whatsapp_saas.i18n import translate
from whatsapp_saas.inbox import quick_replies as service
from whatsapp_saas.inbox.models import QuickReply
from whatsapp_saas.tenancy.scope import TenantScope
from whatsapp_saas.ui import routes
from whatsapp_saas.ui.actions import act
from whatsapp_saas.ui.base_state import AppState
from whatsapp_saas.ui.components import error_callout, success_callout, text_field
from whatsapp_saas.ui.db import in_session
from whatsapp_saas.ui.layout import shell

ROUTE = "/settings/quick-replies"


class QuickRepliesState(AppState):
    replies: list[dict[str, str]] = []
    error: str = ""
    notice: str = ""
    # The form edits the reply with this id ("" = a new one); form_key remounts it with fresh
    # default values whenever that changes.
    editing_id: str = ""
    edit_shortcut: str = ""
    edit_text: str = ""
    form_key: int = 0

    @rx.var
    def form_title(self) -> str:
        language = self.lang or "pt-BR"
        if self.editing_id:
            return translate(language, "qr.edit_title", shortcut=self.edit_shortcut)
        return translate(language, "qr.new")

    @rx.event
    async def load(self):  # type: ignore[no-untyped-def]
        redirect = await self.require_login()
        if redirect is not None:
            return redirect
        self.error = self.notice = ""
        if self.editing_id:
            # Only when needed: remounting the form would wipe what the user already typed.
            self._reset_form()
        await self._refresh()
        return None

    async def _refresh(self) -> None:
        user = await self._current_user()
        if user is None:
            return
        rows = await in_session(lambda s: _rows(s, user.tenant_id))
        self.replies = rows

    async def _act(self, work: Callable[[TenantScope], Any]) -> Any:
        """Run a change for the signed-in user's tenant; a refusal becomes a translated error."""
        self.notice = ""
        outcome = await act(self, lambda scope, _me: work(scope))
        self.error = outcome.error
        await self._refresh()
        return outcome.value

    def _reset_form(self) -> None:
        self.editing_id = self.edit_shortcut = self.edit_text = ""
        self.form_key += 1

    @rx.event
    async def save(self, form: dict[str, Any]) -> None:
        shortcut, text = str(form.get("shortcut", "")), str(form.get("text", ""))
        editing = int(self.editing_id) if self.editing_id else None
        saved = await self._act(lambda scope: _save(scope, editing, shortcut, text))
        if saved is not None:
            self._reset_form()
            self.notice = self._tr("qr.saved", shortcut=saved)

    @rx.event
    def edit(self, reply_id: str) -> None:
        row = next((r for r in self.replies if r["id"] == reply_id), None)
        if row is None:
            return
        self.error = self.notice = ""
        self.editing_id, self.edit_shortcut, self.edit_text = (
            row["id"],
            row["shortcut"],
            row["text"],
        )
        self.form_key += 1

    @rx.event
    def cancel_edit(self) -> None:
        self.error = ""
        self._reset_form()

    @rx.event
    async def delete(self, reply_id: str) -> None:
        deleted = await self._act(lambda scope: _delete(scope, int(reply_id)))
        if deleted is not None:
            self.notice = self._tr("qr.deleted", shortcut=deleted)
            if self.editing_id == reply_id:
                self._reset_form()


def _rows(session: Session, tenant_id: int) -> list[dict[str, str]]:
    replies = service.list_quick_replies(TenantScope(session, tenant_id))
    return [{"id": str(r.id), "shortcut": r.shortcut, "text": r.text} for r in replies]


def _save(scope: TenantScope, reply_id: int | None, shortcut: str, text: str) -> str:
    if reply_id is None:
        return service.create_quick_reply(scope, shortcut=shortcut, text=text).shortcut
    return service.update_quick_reply(
        scope, reply_id=reply_id, shortcut=shortcut, text=text
    ).shortcut


def _delete(scope: TenantScope, reply_id: int) -> str:
    shortcut = scope.get(QuickReply, reply_id).shortcut
    service.delete_quick_reply(scope, reply_id=reply_id)
    return shortcut


# --- page -----------------------------------------------------------------------------------

S = QuickRepliesState
T = S.t


def _form() -> rx.Component:
    editing = S.editing_id != ""
    return rx.form(
        rx.vstack(
            rx.heading(S.form_title, size="4", as_="h2"),
            text_field(
                "qr.shortcut",
                "shortcut",
                id="qr-shortcut",
                required=True,
                max_length=33,
                default_value=S.edit_shortcut,
                placeholder="hello",
            ),
            rx.text(T["qr.shortcut_hint"], size="1", color_scheme="gray"),
            rx.vstack(
                rx.el.label(T["qr.text"], html_for="qr-text", class_name="field-label"),
                rx.text_area(
                    id="qr-text",
                    name="text",
                    required=True,
                    rows="4",
                    width="100%",
                    default_value=S.edit_text,
                ),
                spacing="1",
                width="100%",
            ),
            rx.hstack(
                rx.button(rx.cond(editing, T["qr.save"], T["qr.create"]), type="submit"),
                rx.cond(
                    editing,
                    rx.button(
                        T["qr.cancel"], type="button", variant="soft", on_click=S.cancel_edit
                    ),
                ),
            ),
            spacing="3",
            width="100%",
            max_width="560px",
        ),
        key=S.form_key,
        on_submit=S.save,
        reset_on_submit=False,
    )


def _row(row: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.code("/" + row["shortcut"])),
        rx.table.cell(rx.text(row["text"], white_space="pre-wrap")),
        rx.table.cell(
            rx.hstack(
                rx.button(T["qr.edit"], size="1", variant="soft", on_click=S.edit(row["id"])),
                rx.button(
                    T["qr.delete"],
                    size="1",
                    variant="soft",
                    color_scheme="red",
                    on_click=S.delete(row["id"]),
                ),
            )
        ),
        data_testid="quick-reply-row",
    )


def _table() -> rx.Component:
    headers = ["qr.shortcut", "qr.text", "qr.actions"]
    return rx.cond(
        S.replies.length() > 0,
        rx.table.root(
            rx.table.header(rx.table.row(*[rx.table.column_header_cell(T[h]) for h in headers])),
            rx.table.body(rx.foreach(S.replies, _row)),
            width="100%",
        ),
        rx.text(T["qr.empty"], color_scheme="gray"),
    )


def quick_replies_page() -> rx.Component:
    return shell(
        rx.link(T["qr.back"], href=routes.SETTINGS),
        rx.text(T["qr.intro"]),
        error_callout(S.error),
        success_callout(S.notice),
        _form(),
        _table(),
        title=T["qr.title"],
    )
