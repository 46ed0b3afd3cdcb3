"""The attendant's own signature for WhatsApp replies, set in Settings.

When set, every text reply goes out as "*Signature*:\\ntext" (see inbox.service.signed), so the
customer sees who is answering, as WhatsApp desks do.
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from whatsapp_saas.accounts import service as accounts
from whatsapp_saas.accounts.models import User
from whatsapp_saas.tenancy.scope import TenantScope
from whatsapp_saas.ui.actions import act
from whatsapp_saas.ui.base_state import AppState
from whatsapp_saas.ui.db import in_session

FIELD_ID = "agent-signature"


class SignatureState(AppState):
    signature: str = ""
    signature_error: str = ""
    signature_saved: str = ""

    @rx.event
    async def load_signature(self) -> None:
        user = await self._current_user()
        if user is None:
            return
        row = await in_session(lambda s: TenantScope(s, user.tenant_id).get(User, user.user_id))
        self.signature, self.signature_error, self.signature_saved = row.signature or "", "", ""

    @rx.event
    async def save_signature(self, form: dict[str, Any]) -> None:
        text = str(form.get("signature", ""))
        outcome = await act(
            self, lambda scope, me: accounts.set_signature(scope, actor=me, signature=text)
        )
        self.signature_error = outcome.error
        self.signature_saved = self._tr("settings.saved") if outcome.ok else ""
        if outcome.ok and outcome.value is not None:
            self.signature = outcome.value.signature or ""


def signature_form() -> rx.Component:
    T = SignatureState.t
    return rx.form(
        rx.vstack(
            rx.el.label(T["ibx.signature"], html_for=FIELD_ID, class_name="field-label"),
            rx.hstack(
                rx.input(
                    id=FIELD_ID,
                    name="signature",
                    default_value=SignatureState.signature,
                    key=SignatureState.signature,
                    max_length=accounts.SIGNATURE_MAX,
                    placeholder=T["ibx.signature_placeholder"],
                    width="18em",
                ),
                rx.button(T["settings.save"], type="submit"),
                align="center",
            ),
            rx.text(T["ibx.signature_help"], size="1", color_scheme="gray"),
            rx.cond(
                SignatureState.signature_error != "",
                rx.text(SignatureState.signature_error, size="2", color_scheme="red", role="alert"),
            ),
            rx.cond(
                SignatureState.signature_saved != "",
                rx.text(SignatureState.signature_saved, size="2", color_scheme="green"),
            ),
            spacing="1",
        ),
        on_submit=SignatureState.save_signature,
        on_mount=SignatureState.load_signature,
        reset_on_submit=False,
    )
