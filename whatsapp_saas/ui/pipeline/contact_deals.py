"""A contact's deals, for the contact profile and the inbox side panel.

Self-contained: ``deals_section(contact_id, conversation_id)`` loads its own rows on mount
(remounted when the contact changes), creates deals through the shared deal dialog with the
contact (and conversation) fixed, moves them with a "Move to stage" list, and follows the
tenant's ``deals`` ticks that name its contact. Mount it once per page.
"""

from __future__ import annotations

import reflex as rx
from sqlmodel import Session

from whatsapp_saas.accounts.service import CurrentUser
from whatsapp_saas.deals import board, pipelines
from whatsapp_saas.deals import service as deals
from whatsapp_saas.deals.money import format_brl
from whatsapp_saas.inbox.access import get_conversation
from whatsapp_saas.tenancy.scope import TenantScope
from whatsapp_saas.ui.actions import act
from whatsapp_saas.ui.base_state import AppState
from whatsapp_saas.ui.db import in_session
from whatsapp_saas.ui.pipeline.deal_form import DealFormState
from whatsapp_saas.ui.pipeline.deal_form_view import deal_dialog
from whatsapp_saas.ui.realtime import TenantFeed, feed_token


def _rows(
    session: Session, user: CurrentUser, contact_id: int, language: str
) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    scope = TenantScope(session, user.tenant_id)
    options: list[dict[str, str]] = []
    names: dict[int, str] = {}
    for pipeline in pipelines.list_pipelines(scope):
        for stage in pipelines.stages_of(scope, pipeline_id=int(pipeline.id or 0)):
            names[int(stage.id or 0)] = stage.name
            options.append({"id": str(stage.id), "label": f"{pipeline.name} · {stage.name}"})
    rows = [
        {
            "id": str(d.id),
            "title": d.title,
            "value": format_brl(d.value_cents, language),
            "stage_id": str(d.stage_id),
            "stage": names.get(d.stage_id, ""),
        }
        for d in board.contact_deals(scope, actor=user, contact_id=contact_id)
    ]
    return rows, options


class ContactDealsState(AppState):
    cd_contact_id: str = ""
    cd_conversation_id: str = ""
    cd_deals: list[dict[str, str]] = []
    cd_stages: list[dict[str, str]] = []
    cd_error: str = ""

    @rx.event
    async def load_contact_deals(self, contact_id: str, conversation_id: str) -> None:
        self.cd_contact_id = contact_id if str(contact_id).isdigit() else ""
        self.cd_conversation_id = conversation_id if str(conversation_id).isdigit() else ""
        self.cd_error = ""
        user = await self._current_user()
        if user is None:
            self._forget()
            self.cd_deals = []
            return
        if not self.cd_contact_id and self.cd_conversation_id:
            self.cd_contact_id = await self._contact_of(user, int(self.cd_conversation_id))
        feed = await self.get_state(TenantFeed)
        await feed._link_to(feed_token(user.tenant_id))
        await self._reload(user)

    async def _contact_of(self, user: CurrentUser, conversation_id: int) -> str:
        """The inbox mounts the section with the open conversation only: find its contact."""

        def read(session: Session) -> str:
            scope = TenantScope(session, user.tenant_id)
            return str(
                get_conversation(scope, actor=user, conversation_id=conversation_id).contact_id
            )

        try:
            return await in_session(read)
        except LookupError:
            return ""

    async def _reload(self, user: CurrentUser) -> None:
        if not self.cd_contact_id:
            self.cd_deals, self.cd_stages = [], []
            return
        contact, language = int(self.cd_contact_id), self.lang or "pt-BR"
        self.cd_deals, self.cd_stages = await in_session(
            lambda s: _rows(s, user, contact, language)
        )

    @rx.event
    async def move_contact_deal(self, deal_id: str, stage_id: str) -> None:
        if not (str(deal_id).isdigit() and str(stage_id).isdigit()):
            return
        outcome = await act(
            self,
            lambda scope, me: deals.move_deal(
                scope, actor=me, deal_id=int(deal_id), stage_id=int(stage_id)
            ),
        )
        self.cd_error = outcome.error
        user = await self._current_user()
        if user is not None:
            await self._reload(user)

    @rx.event
    async def on_contact_deals_tick(self) -> None:
        feed = await self.get_state(TenantFeed)
        if not self.cd_contact_id or f"c{self.cd_contact_id}" not in feed.deals_changed:
            return
        user = await self._current_user()
        if user is not None:
            await self._reload(user)


C = ContactDealsState
T = C.t


def _deal_row(row: rx.Var) -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.text(row["title"], size="2", weight="medium", truncate=True),
            rx.spacer(),
            rx.text(row["value"], size="1", white_space="nowrap"),
            width="100%",
        ),
        rx.el.select(
            rx.foreach(C.cd_stages, lambda o: rx.el.option(o["label"], value=o["id"])),
            value=row["stage_id"],
            on_change=lambda value: C.move_contact_deal(row["id"], value),
            aria_label=T["deals.move_to"] + ": " + row["title"],
            class_name="native-select deal-move",
        ),
        spacing="1",
        width="100%",
        padding="0.4em",
        border="1px solid var(--gray-5)",
        border_radius="6px",
        data_testid="contact-deal",
    )


def deals_section(
    contact_id: rx.Var | str = "", conversation_id: rx.Var | str = ""
) -> rx.Component:
    """The contact's deals, with **New deal** (contact and conversation fixed).

    The contact profile passes ``contact_id``; the inbox panel may pass only the open
    ``conversation_id`` (its contact is looked up, with the viewer's rights).
    """
    loader = rx.box(on_mount=C.load_contact_deals(contact_id, conversation_id), display="none")
    trigger = rx.box(
        rx.box(on_mount=C.on_contact_deals_tick, display="none"),
        key=TenantFeed.deals_tick.to_string(),
        display="none",
    )
    return rx.vstack(
        rx.box(
            loader,
            key=rx.Var.create(contact_id).to(str) + "-" + rx.Var.create(conversation_id).to(str),
            display="none",
        ),
        trigger,
        rx.hstack(
            rx.text(T["deals.section"], size="2", weight="bold"),
            rx.spacer(),
            rx.button(
                rx.icon("plus", size=12),
                T["deals.add_for_contact"],
                size="1",
                variant="soft",
                on_click=DealFormState.open_for_contact(C.cd_contact_id, C.cd_conversation_id),
                data_testid="contact-new-deal",
            ),
            width="100%",
            align="center",
        ),
        rx.cond(
            C.cd_error != "",
            rx.text(C.cd_error, size="1", color_scheme="red", role="alert"),
        ),
        rx.cond(
            C.cd_deals.length() > 0,
            rx.vstack(rx.foreach(C.cd_deals, _deal_row), spacing="2", width="100%"),
            rx.text(T["deals.section_empty"], size="1", color_scheme="gray"),
        ),
        deal_dialog(),
        spacing="2",
        width="100%",
        data_testid="contact-deals",
    )
