"""The "Planned" part of the contact panel: schedule a message, start a follow-up, and see
(or cancel) what is pending for this conversation."""

from __future__ import annotations

import reflex as rx

from whatsapp_saas.ui.components import error_callout, text_field
from whatsapp_saas.ui.inbox.plans import PlansState as P

T = P.t


def _pending(rows: rx.Var, test_id: str, on_cancel) -> rx.Component:  # type: ignore[no-untyped-def]
    return rx.foreach(
        rows,
        lambda r: rx.hstack(
            rx.vstack(
                rx.text(r["when"], size="1", weight="bold"),
                rx.text(r["text"], size="1", color_scheme="gray"),
                spacing="0",
                flex="1",
            ),
            rx.button(T["ibx.cancel_plan"], size="1", variant="ghost", on_click=on_cancel(r["id"])),
            width="100%",
            data_testid=test_id,
        ),
    )


def _schedule_form() -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.text(T["ibx.schedule_title"], size="2", weight="bold"),
            text_field(
                "ibx.send_at", "when", id="plan-when", type_="datetime-local", required=True
            ),
            text_field("ibx.schedule_text", "text", id="plan-text", required=True),
            rx.button(T["ibx.schedule"], size="1", type="submit"),
            spacing="1",
            width="100%",
        ),
        on_submit=P.schedule,
        reset_on_submit=True,
    )


def _follow_up_form() -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.text(T["ibx.followup_title"], size="2", weight="bold"),
            text_field(
                "ibx.followup_hours",
                "hours",
                id="fu-hours",
                type_="number",
                min="0.1",
                step="0.1",
                default_value="24",
                required=True,
            ),
            text_field("ibx.followup_text", "text", id="fu-text", required=True),
            rx.hstack(
                rx.el.input(
                    type="checkbox",
                    id="fu-business",
                    name="business_hours_only",
                    default_checked=True,
                ),
                rx.el.label(
                    T["ibx.followup_business"], html_for="fu-business", class_name="field-label"
                ),
                align="center",
            ),
            rx.button(T["ibx.followup_start"], size="1", type="submit"),
            spacing="1",
            width="100%",
        ),
        on_submit=P.follow_up,
        reset_on_submit=True,
    )


def _feed_trigger() -> rx.Component:
    """Remounted when a live update touched the open conversation: reloads the plans."""
    # The key sits on a plain parent: Reflex memoizes the child that owns on_mount, so a key
    # on the child itself would not remount it.
    return rx.box(
        rx.box(on_mount=P.on_plans_tick, display="none"),
        key=P.plans_tick.to_string(),
        display="none",
    )


def plans_panel() -> rx.Component:
    return rx.vstack(
        _feed_trigger(),
        rx.heading(T["ibx.plans"], size="3"),
        error_callout(P.plan_error),
        rx.text(T["ibx.pending_schedules"], size="1", weight="bold"),
        rx.cond(
            P.schedules.length() > 0,
            _pending(P.schedules, "pending-schedule", P.cancel_scheduled),
            rx.text(T["ibx.nothing_planned"], size="1", color_scheme="gray"),
        ),
        rx.text(T["ibx.pending_followups"], size="1", weight="bold"),
        rx.cond(
            P.follow_ups.length() > 0,
            _pending(P.follow_ups, "pending-followup", P.cancel_follow),
            rx.text(T["ibx.nothing_planned"], size="1", color_scheme="gray"),
        ),
        rx.divider(),
        _schedule_form(),
        rx.divider(),
        _follow_up_form(),
        width="100%",
        spacing="2",
    )
