"""The conversation owner in the inbox header: who answers now, and a switch to change it.

Human (an attendant took over: automations pause), Flow (a menu is running), AI, or None
(nobody holds it; automations may answer). Read when the conversation is opened (the box is
keyed by the conversation, so it remounts and reloads) and after each change.
"""

from __future__ import annotations

import reflex as rx

from whatsapp_saas.accounts.service import CurrentUser
from whatsapp_saas.automations.ai import assistant_configured
from whatsapp_saas.automations.owner import OWNER_CHOICES, change_owner_as, shown_owner
from whatsapp_saas.tenancy.scope import TenantScope
from whatsapp_saas.ui.actions import act
from whatsapp_saas.ui.base_state import AppState

COLORS = {"human": "blue", "flow": "green", "ai": "purple", "none": "gray"}


class OwnerState(AppState):
    owner: str = ""
    owner_conversation: str = ""
    owner_error: str = ""
    ai_available: bool = False  # "AI" is offered only when an assistant would answer

    @rx.event
    async def load_owner(self, conversation_id: str) -> None:
        self.owner_conversation, self.owner = str(conversation_id), ""
        if not self.owner_conversation.isdigit():
            return
        cid = int(self.owner_conversation)

        def read(scope: TenantScope, user: CurrentUser) -> tuple[str, bool]:
            owner = shown_owner(scope, actor=user, conversation_id=cid)
            return owner, assistant_configured(scope)

        outcome = await act(self, read)
        self.owner_error = outcome.error
        if outcome.ok and outcome.value is not None:
            self.owner, self.ai_available = outcome.value

    @rx.event
    async def change_owner(self, choice: str) -> None:
        if not self.owner_conversation.isdigit() or choice not in OWNER_CHOICES:
            return
        cid = int(self.owner_conversation)

        def work(scope: TenantScope, user: CurrentUser) -> str:
            return change_owner_as(scope, actor=user, conversation_id=cid, choice=choice)

        outcome = await act(self, work)
        self.owner_error = outcome.error
        if outcome.ok and outcome.value is not None:
            self.owner = outcome.value


T = OwnerState.t


def _owner_option(kind: str) -> rx.Component:
    if kind == "ai":
        return rx.el.option(T["owner.ai"], value=kind, disabled=~OwnerState.ai_available)
    return rx.el.option(T[f"owner.{kind}"], value=kind)


def owner_switch(conversation_id: rx.Var) -> rx.Component:
    """The badge and the select; remounted (and reloaded) for each conversation."""
    return rx.hstack(
        rx.badge(
            T["owner.label"],
            ": ",
            rx.match(
                OwnerState.owner,
                *[(kind, T[f"owner.{kind}"]) for kind in OWNER_CHOICES],
                "…",
            ),
            color_scheme=rx.match(OwnerState.owner, *COLORS.items(), "gray"),
            data_testid="conversation-owner",
        ),
        rx.el.select(
            *[_owner_option(kind) for kind in OWNER_CHOICES],
            value=OwnerState.owner,
            on_change=OwnerState.change_owner,
            aria_label=T["owner.change"],
            class_name="native-select",
        ),
        rx.cond(
            OwnerState.owner_error != "",
            rx.text(OwnerState.owner_error, color_scheme="red", size="1"),
        ),
        key=conversation_id,
        on_mount=OwnerState.load_owner(conversation_id),
        spacing="1",
        align="center",
    )
