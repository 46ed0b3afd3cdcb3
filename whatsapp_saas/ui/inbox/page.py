"""The Inbox page: filters and conversation list, chat window, contact panel."""

from __future__ import annotations

import reflex as rx

from whatsapp_saas.ui.components import error_callout
from whatsapp_saas.ui.crm.panel import ContactPanelState, contact_panel
from whatsapp_saas.ui.inbox.chat import message_list
from whatsapp_saas.ui.inbox.composer_view import composer
from whatsapp_saas.ui.inbox.handoff_view import handoff_alert
from whatsapp_saas.ui.inbox.new_conversation import new_conversation
from whatsapp_saas.ui.inbox.owner_view import owner_switch
from whatsapp_saas.ui.inbox.plans import PlansState
from whatsapp_saas.ui.inbox.plans_view import plans_panel
from whatsapp_saas.ui.inbox.state import InboxState as S
from whatsapp_saas.ui.layout import shell
from whatsapp_saas.ui.pipeline.contact_deals import deals_section

T = S.t


def _select(
    label_key: str, select_id: str, value: rx.Var, on_change, options: list[rx.Component]
) -> rx.Component:  # type: ignore[no-untyped-def]
    return rx.vstack(
        rx.el.label(T[label_key], html_for=select_id, class_name="field-label"),
        rx.el.select(
            *options,
            id=select_id,
            value=value,
            on_change=on_change,
            class_name="native-select",
            width="100%",
        ),
        spacing="1",
        min_width="0",
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
        rx.box(
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
            _select(
                "ibx.tag_label",
                "f-tag",
                S.tag_filter,
                S.set_tag_filter,
                [
                    rx.el.option(T["ibx.tag_any"], value=""),
                    rx.foreach(S.tag_options, lambda t: rx.el.option(t["name"], value=t["id"])),
                ],
            ),
            class_name="inbox-filters",
        ),
        width="100%",
        spacing="2",
    )


def _assignee(c: rx.Var) -> rx.Component:
    """The assignee's initials in a circle; a dashed empty circle when nobody has it."""
    return rx.cond(
        c["initials"] != "",
        rx.box(
            c["initials"],
            class_name="row-avatar",
            title=c["assignee"],
            aria_label=c["assignee"],
            data_testid="assignee-avatar",
        ),
        rx.box(
            class_name="row-avatar row-avatar-empty",
            title=T["ibx.unassigned"],
            aria_label=T["ibx.unassigned"],
            data_testid="assignee-avatar",
        ),
    )


def status_label(status: rx.Var) -> rx.Var:
    return rx.match(
        status,
        ("open", T["inbox.status_open"]),
        ("pending", T["inbox.status_pending"]),
        ("resolved", T["inbox.status_resolved"]),
        status,
    )


def _tag_chip(name: rx.Var, color: rx.Var) -> rx.Component:
    return rx.cond(
        name != "",
        rx.badge(
            name,
            color_scheme=color,
            variant="soft",
            radius="full",
            size="1",
            max_width="6.5em",
            class_name="row-chip",
            data_testid="conversation-tag-chip",
        ),
    )


def _tag_chips(c: rx.Var) -> rx.Component:
    """The conversation's first two tags and "+N" (the rest's names in its tooltip)."""
    return rx.hstack(
        _tag_chip(c["tag1"], c["tag1_color"]),
        _tag_chip(c["tag2"], c["tag2_color"]),
        rx.cond(
            c["tags_more"] != "",
            rx.badge(
                c["tags_more"],
                variant="outline",
                color_scheme="gray",
                radius="full",
                size="1",
                title=c["tags_rest"],
                aria_label=c["tags_rest"],
                data_testid="conversation-tags-more",
            ),
        ),
        spacing="1",
        flex="none",
        align="center",
    )


def _conversation(c: rx.Var) -> rx.Component:
    selected = S.selected_id == c["id"]
    first_line = rx.hstack(
        rx.text(
            c["title"],
            weight="bold",
            size="2",
            truncate=True,
            flex="1",
            min_width="0",
            data_testid="conversation-title",
        ),
        rx.cond(
            c["tag"] != "",
            rx.text(c["tag"], class_name="row-tag", truncate=True, data_testid="conversation-tag"),
        ),
        rx.cond(
            c["at"] != "",
            rx.moment(
                c["at"],
                from_now=True,
                tz=S.user_timezone,
                locale=rx.cond(S.lang == "pt-BR", "pt-br", "en"),
                class_name="row-time",
            ),
        ),
        width="100%",
        align="center",
        spacing="2",
    )
    second_line = rx.hstack(
        rx.box(
            class_name="status-dot status-" + c["status"],
            title=status_label(c["status"]),
            aria_label=status_label(c["status"]),
            data_testid="conversation-status",
            data_status=c["status"],
        ),
        rx.text(
            c["preview"],
            size="1",
            color_scheme="gray",
            truncate=True,
            flex="1",
            data_testid="conversation-preview",
        ),
        rx.cond(c["tag1"] != "", _tag_chips(c)),
        rx.cond(
            c["unread"] != "0",
            rx.badge(c["unread"], color_scheme="green", radius="full", data_testid="unread-badge"),
        ),
        width="100%",
        align="center",
        spacing="2",
    )
    return rx.box(
        rx.hstack(
            _assignee(c),
            rx.vstack(first_line, second_line, spacing="0", flex="1", min_width="0"),
            width="100%",
            align="center",
            spacing="2",
        ),
        on_click=[S.select(c["id"]), PlansState.load_plans],
        role="button",
        padding="0.45em 0.6em",
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
            min_height="0",
        ),
        width="320px",
        min_width="260px",
        height="100%",
        spacing="2",
        border_right="1px solid var(--gray-5)",
        padding_right="0.5em",
        class_name="pane pane-list",
        data_testid="pane-list",
    )


def _actions() -> rx.Component:
    h = S.header
    return rx.hstack(
        owner_switch(S.selected_id),  # the conversation owner (menus helper)
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


def _phone_button(icon: str, label_key: str, pane: str) -> rx.Component:
    """Moves between the panes of the phone layout; hidden on wider screens."""
    return rx.icon_button(
        rx.icon(icon, size=18),
        variant="ghost",
        size="2",
        on_click=S.show_pane(pane),
        aria_label=T[label_key],
        title=T[label_key],
        class_name="phone-only",
        type="button",
    )


def _chat() -> rx.Component:
    return rx.cond(
        S.selected_id != "",
        rx.vstack(
            rx.hstack(
                _phone_button("arrow_left", "ibx.back_to_list", "list"),
                rx.vstack(
                    rx.heading(
                        S.header["title"], size="3", truncate=True, data_testid="chat-title"
                    ),
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
                    min_width="0",
                ),
                rx.spacer(),
                _phone_button("contact", "ibx.show_contact", "contact"),
                _actions(),
                width="100%",
                padding="0.35em 0.75em",
                border_bottom="1px solid var(--gray-5)",
                align="center",
                wrap="wrap",
                class_name="chat-header",
            ),
            message_list(),
            composer(),
            flex="1",
            height="100%",
            spacing="0",
            min_width="0",
            class_name="pane pane-chat",
            data_testid="pane-chat",
        ),
        rx.center(
            rx.text(T["ibx.pick"], color_scheme="gray"),
            flex="1",
            height="50vh",
            class_name="pane pane-chat",
        ),
    )


def _conversation_tags() -> rx.Component:
    """The tenant's tags, each toggling on the open conversation (filters use them)."""
    return rx.vstack(
        rx.text(T["ibx.conversation_tags"], weight="bold", size="2"),
        rx.flex(
            rx.foreach(
                S.tag_options,
                lambda t: rx.button(
                    rx.cond(
                        S.conversation_tag_ids.contains(t["id"]),
                        rx.icon("check", size=12),
                        rx.icon("plus", size=12),
                    ),
                    t["name"],
                    size="1",
                    radius="full",
                    color_scheme=t["color"],
                    variant=rx.cond(S.conversation_tag_ids.contains(t["id"]), "solid", "outline"),
                    on_click=S.toggle_conversation_tag(t["id"]),
                    aria_pressed=rx.cond(S.conversation_tag_ids.contains(t["id"]), "true", "false"),
                    aria_label=T["ibx.conversation_tag"] + ": " + t["name"],
                    data_testid="conversation-tag-toggle",
                ),
            ),
            rx.cond(
                S.tag_options.length() == 0,
                rx.text(T["crm.no_tags_defined"], size="1", color_scheme="gray"),
            ),
            spacing="1",
            wrap="wrap",
        ),
        spacing="1",
        width="100%",
    )


def _contact_panel() -> rx.Component:
    """The CRM card of the conversation's contact (tags, fields, notes, quick edit), the
    conversation's tags, the contact's deals and the scheduled messages, side by side with
    the chat. The card and the deals reload when the open conversation's contact changes."""
    contact_id = S.header["contact_id"].to(str)
    return rx.cond(
        S.selected_id != "",
        rx.vstack(
            rx.hstack(
                _phone_button("arrow_left", "ibx.back_to_chat", "chat"),
                rx.heading(T["ibx.contact"], size="3"),
                align="center",
            ),
            rx.box(
                rx.box(on_mount=ContactPanelState.open_contact(contact_id), display="none"),
                key=contact_id,
                display="none",
            ),
            contact_panel(),
            rx.divider(),
            _conversation_tags(),
            rx.divider(),
            deals_section(contact_id, S.selected_id),
            rx.divider(),
            plans_panel(),
            width="300px",
            min_width="260px",
            height="100%",
            overflow_y="auto",
            padding="0.75em",
            border_left="1px solid var(--gray-5)",
            data_testid="contact-panel",
            class_name="pane pane-contact",
        ),
    )


def _notify_feed() -> rx.Component:
    """Carries the latest new-message alert; assets/notify.js watches its attribute (no
    round trip to the server per alert)."""
    return rx.box(id="wa-notify-feed", custom_attrs={"data-notify": S.notify_json}, display="none")


def _notifications_switch() -> rx.Component:
    return rx.hstack(
        rx.switch(
            checked=S.notify_pref != "off", on_change=S.set_notifications, id="notify-switch"
        ),
        # On a phone the switch stands alone (the label still names it), so the header is one line.
        rx.el.label(
            T["ibx.notifications"], html_for="notify-switch", class_name="field-label phone-hide"
        ),
        align="center",
        spacing="2",
    )


def inbox_page() -> rx.Component:
    return shell(
        error_callout(S.error),
        handoff_alert(),
        rx.hstack(
            _conversation_list(),
            _chat(),
            _contact_panel(),
            width="100%",
            spacing="0",
            align="start",
            flex="1",
            min_height="0",
            class_name="inbox-panes",
            # Which pane a phone shows (styles.css); wider screens show all three.
            data_pane=rx.cond(S.selected_id == "", "list", S.pane),
            data_testid="inbox-panes",
        ),
        _notify_feed(),
        title=T["ibx.title"],
        header=[rx.spacer(), new_conversation(), _notifications_switch()],
        full_height=True,
    )
