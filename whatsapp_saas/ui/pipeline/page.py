"""The Pipeline page: the chooser, **New deal**, the board, and (managers) the settings."""

from __future__ import annotations

import reflex as rx

from whatsapp_saas.ui import routes
from whatsapp_saas.ui.components import error_callout, success_callout
from whatsapp_saas.ui.layout import shell
from whatsapp_saas.ui.pipeline.components import board, drop_form, pipeline_chooser
from whatsapp_saas.ui.pipeline.deal_form import DealFormState
from whatsapp_saas.ui.pipeline.deal_form_view import deal_dialog
from whatsapp_saas.ui.pipeline.settings import settings_section
from whatsapp_saas.ui.pipeline.state import PipelineState
from whatsapp_saas.ui.realtime import TenantFeed

S = PipelineState
T = S.t
ROUTE = routes.PIPELINE


def _feed_trigger() -> rx.Component:
    """Remounted on every deals tick of the tenant's feed; its mount reloads what changed."""
    return rx.box(
        rx.box(on_mount=S.on_deals_tick, display="none"),
        key=TenantFeed.deals_tick.to_string(),
        display="none",
    )


def _language_trigger() -> rx.Component:
    """Remounted when the UI language changes: the board's texts are re-formatted."""
    return rx.box(rx.box(on_mount=S.relabel, display="none"), key=S.lang, display="none")


def _new_deal_button() -> rx.Component:
    return rx.button(
        rx.icon("plus", size=16),
        T["deals.new_deal"],
        on_click=DealFormState.open_new(S.pipeline_id),
        data_testid="new-deal",
    )


def pipeline_page() -> rx.Component:
    return shell(
        rx.flex(
            pipeline_chooser(),
            rx.spacer(),
            _new_deal_button(),
            spacing="3",
            align="center",
            wrap="wrap",
            width="100%",
        ),
        error_callout(S.error),
        success_callout(S.notice),
        rx.text(T["deals.drag_hint"], size="1", color_scheme="gray", class_name="phone-hide"),
        board(),
        settings_section(),
        deal_dialog(),
        drop_form(),
        _feed_trigger(),
        _language_trigger(),
        title=T["deals.title"],
    )
