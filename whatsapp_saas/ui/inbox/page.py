"""The Inbox page: filters and conversation list, chat window, contact panel."""

from __future__ import annotations

import reflex as rx

from whatsapp_saas.ui.components import error_callout
from whatsapp_saas.ui.inbox.chat import message_list
from whatsapp_saas.ui.inbox.composer_view import composer
from whatsapp_saas.ui.inbox.new_conversation import new_conversation
from whatsapp_saas.ui.inbox.plans import PlansState
from whatsapp_saas.ui.inbox.plans_view import plans_panel
from whatsapp_saas.ui.inbox.state import InboxState as S
from whatsapp_saas.ui.layout import shell
from whatsapp_saas.ui.realtime import TenantFeed

T = S.t


def _select(
    label_key: str, select_id: str, value: rx.Var, on_change, options: list[rx.Component]
) -> rx.Component:  # type: ignore[no-untyped-def]
    return rx.vstack(
        rx.el.label(T[label_key], html_for=select_id, class_name="field-label"),
        rx.el.select(
            *options, id=select_id, value=value, on_change=on_change, class_name="native-select"
        ),
        spacing="1",
    )


def _filters() -> rx.Component:
    return rx.vstack(
        rx.form(
            rx.hstack(
                rx.input(
                    name="q",
                    placeholder=T["ibx.search"],
                    aria_label=T["ibx.search"],
                    type="search",
                    flex="1",
                ),
                rx.button(
                    rx.icon("search", size=16),
                    type="submit",
                    aria_label=T["ibx.search"],
                    variant="soft",
                ),
                width="100%",
            ),
            on_submit=S.run_search,
            reset_on_submit=False,
            width="100%",
        ),
        rx.flex(
            _select(
                "ibx.filter_label",
                "f-which",
                S.list_filter,
                S.set_list_filter,
                [
                    rx.el.option(T["inbox.filter_all"], value="all"),
                    rx.el.option(T["inbox.filter_mine"], value="mine"),
                    rx.el.option(T["inbox.filter_unassigned"], value="unassigned"),
                ],
            ),
            _select(
                "ibx.status_label",
                "f-status",
                S.status_filter,
                S.set_status_filter,
                [
                    rx.el.option(T["ibx.status_any"], value=""),
                    rx.el.option(T["inbox.status_open"], value="open"),
                    rx.el.option(T["inbox.status_pending"], value="pending"),
                    rx.el.option(T["inbox.status_resolved"], value="resolved"),
                ],
            ),
            _select(
                "ibx.number_label",
                "f-number",
                S.number_filter,
                S.set_number_filter,
                [
                    rx.el.option(T["ibx.number_any"], value=""),
                    rx.foreach(S.numbers, lambda n: rx.el.option(n["name"], value=n["id"])),
                ],
            ),
            _select(
                "ibx.department_label",
                "f-department",
                S.department_filter,
                S.set_department_filter,
                [
                    rx.el.option(T["ibx.department_any"], value=""),
                    rx.foreach(S.departments, lambda d: rx.el.option(d["name"], value=d["id"])),
                ],
            ),
            gap="0.5em",
            wrap="wrap",
        ),
        width="100%",
        spacing="2",
    )


def _conversation(c: rx.Var) -> rx.Component:
    selected = S.selected_id == c["id"]
    return rx.box(
        rx.hstack(
            rx.vstack(
                rx.text(
                    c["title"],
                    weight="bold",
                    size="2",
                    truncate=True,
                    data_testid="conversation-title",
                ),
                rx.text(
                    c["preview"],
                    size="1",
                    color_scheme="gray",
                    truncate=True,
                    data_testid="conversation-preview",
                ),
                spacing="0",
                flex="1",
                min_width="0",
            ),
            rx.vstack(
                rx.cond(
                    c["at"] != "",
                    rx.moment(
                        c["at"], from_now=True, tz=S.user_timezone, size="1", font_size="0.7em"
                    ),
                ),
                rx.cond(
                    c["unread"] != "0",
                    rx.badge(
                        c["unread"], color_scheme="green", radius="full", data_testid="unread-badge"
                    ),
                ),
                align="end",
                spacing="1",
            ),
            width="100%",
        ),
        on_click=[S.select(c["id"]), PlansState.load_plans],
        role="button",
        padding="0.6em 0.75em",
        border_bottom="1px solid var(--gray-4)",
        background=rx.cond(selected, "var(--accent-3)", "transparent"),
        cursor="pointer",
        _hover={"background": "var(--gray-3)"},
        data_testid="conversation-item",
    )


def _conversation_list() -> rx.Component:
    return rx.vstack(
        _filters(),
        rx.box(
            rx.cond(
                S.conversations.length() > 0,
                rx.foreach(S.conversations, _conversation),
                rx.text(T["ibx.empty_list"], size="2", color_scheme="gray", padding="1em"),
            ),
            rx.cond(
                S.next_cursor != "",
                rx.button(
                    T["ibx.load_more"],
                    variant="ghost",
                    width="100%",
                    on_click=S.load_more,
                    data_autoload="1",
                ),
            ),
            width="100%",
            overflow_y="auto",
            flex="1",
        ),
        width="340px",
        min_width="280px",
        height="calc(100vh - 7em)",
        spacing="2",
        border_right="1px solid var(--gray-5)",
        padding_right="0.5em",
    )


def _actions() -> rx.Component:
    h = S.header
    return rx.hstack(
        rx.button(T["ibx.assign_me"], size="1", variant="soft", on_click=S.assign_to_me),
        rx.el.select(
            rx.el.option(T["ibx.transfer_to_agent"] + "…", value="", disabled=True),
            rx.el.option(T["ibx.nobody"], value=""),
            rx.foreach(S.agents, lambda a: rx.el.option(a["name"], value=a["id"])),
            value=h["assignee_id"],
            on_change=S.transfer_to_agent,
            aria_label=T["ibx.transfer_to_agent"],
            class_name="native-select",
        ),
        rx.el.select(
            rx.el.option(T["ibx.none"], value=""),
            rx.foreach(S.departments, lambda d: rx.el.option(d["name"], value=d["id"])),
            value=h["department_id"],
            on_change=S.transfer_to_department,
            aria_label=T["ibx.transfer_to_department"],
            class_name="native-select",
        ),
        rx.cond(
            h["status"] == "resolved",
            rx.button(T["ibx.reopen"], size="1", on_click=S.reopen),
            rx.button(T["ibx.resolve"], size="1", color_scheme="green", on_click=S.resolve),
        ),
        spacing="2",
        align="center",
        wrap="wrap",
    )


def _chat() -> rx.Component:
    return rx.cond(
        S.selected_id != "",
        rx.vstack(
            rx.hstack(
                rx.vstack(
                    rx.heading(S.header["title"], size="4", data_testid="chat-title"),
                    rx.text(
                        S.header["phone"],
                        " · ",
                        T["ibx.via"],
                        " ",
                        S.header["number"],
                        size="1",
                        color_scheme="gray",
                    ),
                    spacing="0",
                ),
                rx.spacer(),
                _actions(),
                width="100%",
                padding="0.5em 1em",
                border_bottom="1px solid var(--gray-5)",
                align="center",
            ),
            message_list(),
            composer(),
            flex="1",
            height="calc(100vh - 7em)",
            spacing="0",
            min_width="0",
        ),
        rx.center(rx.text(T["ibx.pick"], color_scheme="gray"), flex="1", height="50vh"),
    )


def _contact_panel() -> rx.Component:
    h = S.header
    return rx.cond(
        S.selected_id != "",
        rx.vstack(
            rx.heading(T["ibx.contact"], size="3"),
            rx.text(h["title"], weight="bold", data_testid="contact-name"),
            rx.text(T["ibx.phone"], ": ", h["phone"], size="2"),
            rx.text(
                T["ibx.tags"], ": ", rx.cond(h["tags"] != "", h["tags"], T["ibx.no_tags"]), size="2"
            ),
            rx.divider(),
            plans_panel(),
            width="260px",
            min_width="240px",
            height="calc(100vh - 7em)",
            overflow_y="auto",
            padding="1em",
            border_left="1px solid var(--gray-5)",
            data_testid="contact-panel",
        ),
    )


def _feed_trigger() -> rx.Component:
    """Remounted on every inbox tick of the tenant's shared feed; its mount reloads the page."""
    # The key sits on a plain parent: Reflex memoizes the child that owns on_mount, so a key
    # on the child itself would not remount it.
    return rx.box(
        rx.box(on_mount=S.on_feed_tick, display="none"),
        key=TenantFeed.inbox_tick.to_string(),
        display="none",
    )


def _notifications_switch() -> rx.Component:
    return rx.hstack(
        rx.switch(
            checked=S.notify_pref != "off", on_change=S.set_notifications, id="notify-switch"
        ),
        rx.el.label(T["ibx.notifications"], html_for="notify-switch", class_name="field-label"),
        align="center",
        spacing="2",
    )


def inbox_page() -> rx.Component:
    return shell(
        rx.hstack(_notifications_switch(), new_conversation(), spacing="4", align="center"),
        error_callout(S.error),
        rx.hstack(
            _conversation_list(),
            _chat(),
            _contact_panel(),
            width="100%",
            spacing="0",
            align="start",
        ),
        _feed_trigger(),
        title=T["ibx.title"],
    )
