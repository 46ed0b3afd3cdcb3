"""The inbox's "Customer waiting for a human" alert: shown only in the inboxes of the people
a hand-over names (ui.inbox.hub routes it), with a button that opens the conversation. A tab
in the background also gets a browser notification (assets/notify.js, via notify_json)."""

from __future__ import annotations

import reflex as rx

from whatsapp_saas.ui.inbox.state import InboxState as S

T = S.t


def handoff_alert() -> rx.Component:
    return rx.cond(
        S.handoff.contains("id"),
        rx.callout.root(
            rx.flex(
                rx.callout.icon(rx.icon("bell-ring")),
                rx.callout.text(S.handoff["text"], weight="medium"),
                rx.spacer(),
                rx.button(T["ibx.handoff_open"], size="1", on_click=S.open_handoff),
                rx.button(
                    T["ibx.handoff_dismiss"],
                    size="1",
                    variant="soft",
                    color_scheme="gray",
                    on_click=S.dismiss_handoff,
                ),
                align="center",
                spacing="3",
                wrap="wrap",
                width="100%",
            ),
            color_scheme="amber",
            role="alert",
            width="100%",
            data_testid="handoff-alert",
        ),
    )
