"""Start a conversation from the inbox: the customer's phone, the number to send from, and an
optional first message. Errors show next to their field; what was typed stays in the form."""

from __future__ import annotations

from typing import Any

import reflex as rx

from whatsapp_saas.accounts.service import CurrentUser
from whatsapp_saas.errors import UserError
from whatsapp_saas.inbox.new_conversation import start_conversation
from whatsapp_saas.tenancy.scope import TenantScope
from whatsapp_saas.ui.actions import act
from whatsapp_saas.ui.components import error_callout, text_field
from whatsapp_saas.ui.inbox.plans import PlansState
from whatsapp_saas.ui.inbox.state import InboxState

# Which field an error belongs to; anything else shows above the buttons.
ERROR_FIELDS = {
    "error.phone_invalid": "phone",
    "contacts.error_phone_invalid": "phone",
    "error.cmp_number_required": "number",
    "error.inbox_message_too_long": "text",
}


class NewConversationState(InboxState):
    new_open: bool = False
    new_error: str = ""
    new_error_field: str = ""

    @rx.event
    def set_new_open(self, is_open: bool) -> None:
        self.new_open = is_open
        self.new_error = self.new_error_field = ""

    @rx.event
    async def start_new(self, form: dict[str, Any]):  # type: ignore[no-untyped-def]
        number = str(form.get("number_id") or "")
        phone, name = str(form.get("phone") or ""), str(form.get("name") or "")
        text = str(form.get("text") or "")
        codes: list[str] = []

        def work(scope: TenantScope, me: CurrentUser) -> int | None:
            try:
                return start_conversation(
                    scope,
                    actor=me,
                    number_id=int(number) if number.isdigit() else None,
                    phone=phone,
                    name=name or None,
                    text=text or None,
                ).id
            except UserError as err:
                codes.append(err.code)
                raise

        outcome = await act(self, work)
        if not outcome.ok:
            self.new_error = outcome.error
            self.new_error_field = ERROR_FIELDS.get(codes[0], "") if codes else ""
            return None
        self.new_open, self.new_error, self.new_error_field = False, "", ""
        user = await self._user()
        if user is not None:
            await self._reload_list(user)
            await self._open(user, str(outcome.value))
        return PlansState.load_plans


N = NewConversationState
T = N.t


def _error_for(field: str) -> rx.Component:
    return rx.cond(
        N.new_error_field == field,
        rx.text(N.new_error, size="1", color_scheme="red", role="alert"),
    )


def _number_field() -> rx.Component:
    return rx.vstack(
        rx.el.label(T["cmp.new_from"], html_for="new-number", class_name="field-label"),
        rx.el.select(
            rx.foreach(N.numbers, lambda n: rx.el.option(n["name"], value=n["id"])),
            id="new-number",
            name="number_id",
            class_name="native-select",
        ),
        _error_for("number"),
        spacing="1",
        width="100%",
    )


def _form() -> rx.Component:
    return rx.form(
        rx.vstack(
            text_field(
                "cmp.new_phone",
                "phone",
                id="new-phone",
                type_="tel",
                required=True,
                placeholder="11 98765-4321",
                auto_complete="off",
            ),
            rx.cond(
                N.new_error_field == "phone",
                _error_for("phone"),
                rx.text(T["cmp.new_phone_hint"], size="1", color_scheme="gray"),
            ),
            text_field("cmp.new_name", "name", id="new-name"),
            _number_field(),
            rx.el.label(T["cmp.new_text"], html_for="new-text", class_name="field-label"),
            rx.text_area(id="new-text", name="text", rows="3", width="100%"),
            _error_for("text"),
            rx.cond(N.new_error_field == "", error_callout(N.new_error)),
            rx.hstack(
                rx.dialog.close(
                    rx.button(T["ibx.cancel"], variant="soft", color_scheme="gray", type="button")
                ),
                rx.button(T["cmp.new_start"], type="submit"),
                justify="end",
                width="100%",
            ),
            spacing="2",
            width="100%",
        ),
        on_submit=N.start_new,
        reset_on_submit=False,
    )


def new_conversation() -> rx.Component:
    """The "New conversation" button and its dialog."""
    return rx.dialog.root(
        rx.dialog.trigger(
            rx.button(rx.icon("plus", size=14), T["cmp.new_conversation"], size="1", variant="soft")
        ),
        rx.dialog.content(
            rx.dialog.title(T["cmp.new_conversation"]),
            rx.dialog.description(
                T["cmp.new_description"], font_size="var(--font-size-1)", color="var(--gray-11)"
            ),
            _form(),
            max_width="440px",
            data_testid="new-conversation",
        ),
        open=N.new_open,
        on_open_change=N.set_new_open,
    )
