"""The contact profile page."""

from __future__ import annotations

from typing import Any

import reflex as rx

from whatsapp_saas.ui import routes as app_routes
from whatsapp_saas.ui.components import error_callout, success_callout
from whatsapp_saas.ui.crm.card_view import (
    edit_form,
    fields_view,
    live_refresh,
    notes_block,
    shown_tags,
    tags_block,
    timeline_block,
)
from whatsapp_saas.ui.crm.profile_state import ContactProfileState as S
from whatsapp_saas.ui.crm.routes import CONTACTS
from whatsapp_saas.ui.crm.widgets import avatar, field_error, label
from whatsapp_saas.ui.layout import shell
from whatsapp_saas.ui.pipeline.contact_deals import deals_section

T = S.t
PREFIX = "crm-profile"


def _section(title_key: str, *children: rx.Component, **props: object) -> rx.Component:
    return rx.card(
        rx.vstack(rx.heading(T[title_key], size="3"), *children, spacing="2", width="100%"),
        width="100%",
        **props,
    )


def _identity() -> rx.Component:
    return rx.hstack(
        avatar(S.initials, "6"),
        rx.vstack(
            rx.heading(S.display_name, size="6", data_testid="crm-profile-name"),
            rx.text(S.company, color_scheme="gray"),
            shown_tags(S),
            spacing="1",
        ),
        align="center",
        spacing="4",
        wrap="wrap",
    )


def _details() -> rx.Component:
    def line(key: str, value: rx.Var, test_id: str) -> rx.Component:
        return rx.hstack(
            rx.text(T[key], size="2", color_scheme="gray", min_width="8em"),
            rx.text(rx.cond(value != "", value, "—"), size="2", data_testid=test_id),
            wrap="wrap",
        )

    view = rx.vstack(
        rx.foreach(
            S.identities,
            lambda i: rx.hstack(
                rx.text(i["kind"], size="2", color_scheme="gray", min_width="8em"),
                rx.vstack(
                    rx.text(i["value"], size="2", weight="medium"),
                    rx.code(i["jid"], size="1"),
                    spacing="0",
                ),
                wrap="wrap",
            ),
        ),
        line("crm.col_email", S.email, "crm-profile-email"),
        line("crm.col_company", S.company, "crm-profile-company"),
        line("crm.col_owner", S.owner_name, "crm-profile-owner"),
        rx.divider(),
        fields_view(S, PREFIX),
        rx.button(
            rx.icon("pencil", size=14),
            T["crm.edit"],
            size="1",
            variant="soft",
            on_click=S.start_edit,
        ),
        spacing="2",
        width="100%",
    )
    editor = rx.vstack(_phones_editor(), edit_form(S, PREFIX), spacing="3", width="100%")
    return _section("crm.details", rx.cond(S.editing, editor, view))


def _phones_editor() -> rx.Component:
    """Edit mode: the contact's phones, each removable, and a box to add one (its own form,
    beside the profile's, so adding a phone keeps what is typed there)."""
    field_id = f"{PREFIX}-new-phone"
    phones = rx.foreach(
        S.identities,
        lambda i: rx.cond(
            i["is_phone"] != "",
            rx.hstack(
                rx.text(i["value"], size="2", weight="medium"),
                rx.code(i["jid"], size="1"),
                rx.icon_button(
                    rx.icon("x", size=12),
                    size="1",
                    variant="ghost",
                    color_scheme="red",
                    type="button",
                    aria_label=T["crm.remove_phone"].replace("{phone}", i["value"]),
                    on_click=S.remove_phone(i["raw"]),
                ),
                align="center",
                wrap="wrap",
                data_testid="crm-profile-phone",
            ),
        ),
    )
    add = rx.form(
        rx.vstack(
            label("crm.new_phone", field_id),
            rx.hstack(
                rx.input(
                    id=field_id,
                    name="new_phone",
                    input_mode="tel",
                    placeholder="+55 11 99999-0000",
                    flex="1",
                ),
                rx.button(T["crm.add_phone"], type="submit", size="2", variant="soft"),
                width="100%",
            ),
            field_error(S.errors, "phone", field_id),
            spacing="1",
            width="100%",
        ),
        on_submit=S.add_phone,
        reset_on_submit=True,
        width="100%",
    )
    return rx.vstack(
        rx.text(T["crm.phones"], size="2", color_scheme="gray"),
        phones,
        add,
        spacing="2",
        width="100%",
    )


def _opt_out() -> rx.Component:
    return _section(
        "crm.optout_title",
        rx.text(S.opt_out_text, size="2", data_testid="crm-optout-status"),
        rx.cond(
            S.opted_out,
            rx.button(T["crm.opt_in"], size="1", variant="soft", on_click=S.opt_in),
            rx.button(
                T["crm.opt_out"], size="1", variant="soft", color_scheme="red", on_click=S.opt_out
            ),
        ),
    )


def _history() -> rx.Component:
    return rx.vstack(
        _section(
            "crm.conversations",
            rx.foreach(
                S.conversations,
                lambda c: rx.link(
                    rx.hstack(
                        rx.icon("message_circle", size=14),
                        rx.text(c["number"], size="2"),
                        rx.badge(c["status"]),
                        rx.text(c["at"], size="1", color_scheme="gray"),
                        wrap="wrap",
                        align="center",
                    ),
                    href=app_routes.INBOX + "?c=" + c["id"],
                ),
            ),
            rx.cond(
                S.conversations.length() == 0,
                rx.text(T["crm.none_yet"], size="2", color_scheme="gray"),
            ),
        ),
        _section(
            "crm.plans",
            rx.foreach(
                S.plans,
                lambda p: rx.hstack(
                    rx.badge(p["kind"], variant="soft"),
                    rx.text(p["title"], size="2"),
                    rx.text(p["status"], size="1"),
                    rx.text(p["at"], size="1", color_scheme="gray"),
                    wrap="wrap",
                    align="center",
                ),
            ),
            rx.cond(
                S.plans.length() == 0, rx.text(T["crm.none_yet"], size="2", color_scheme="gray")
            ),
        ),
        deals_section(contact_id=S.contact_id),
        width="100%",
        spacing="3",
    )


def _merge() -> rx.Component:
    return _section(
        "crm.merge_title",
        rx.foreach(
            S.duplicates,
            lambda d: rx.hstack(
                rx.link(d["name"], href=d["href"]),
                rx.badge(d["reason"], variant="soft"),
                rx.button(
                    T["crm.merge_here"],
                    size="1",
                    variant="soft",
                    on_click=S.ask_merge(d["id"], d["name"]),
                ),
                wrap="wrap",
                align="center",
                data_testid="crm-duplicate",
            ),
        ),
        rx.form(
            rx.hstack(
                rx.input(
                    name="merge_search",
                    placeholder=T["crm.merge_search"],
                    aria_label=T["crm.merge_search"],
                    flex="1",
                ),
                rx.button(T["crm.find"], type="submit", size="2", variant="soft"),
                width="100%",
            ),
            on_submit=S.find_merge,
        ),
        rx.foreach(
            S.merge_matches,
            lambda m: rx.hstack(
                rx.text(m["name"], size="2"),
                rx.text(m["phone"], size="1", color_scheme="gray"),
                rx.button(
                    T["crm.merge_here"],
                    size="1",
                    variant="soft",
                    on_click=S.ask_merge(m["id"], m["name"]),
                ),
                wrap="wrap",
                align="center",
            ),
        ),
        rx.alert_dialog.root(
            rx.alert_dialog.content(
                rx.alert_dialog.title(T["crm.merge_title"]),
                rx.alert_dialog.description(
                    T["crm.merge_confirm"]
                    .replace("{other}", S.merge_target_name)
                    .replace("{name}", S.display_name)
                ),
                rx.hstack(
                    rx.alert_dialog.cancel(
                        rx.button(T["crm.cancel"], variant="soft", on_click=S.cancel_merge)
                    ),
                    rx.alert_dialog.action(rx.button(T["crm.merge"], on_click=S.confirm_merge)),
                    justify="end",
                    spacing="2",
                    margin_top="1em",
                ),
            ),
            open=S.merge_target != "",
        ),
    )


def language_marker(on_change: Any) -> rx.Component:
    """An empty box keyed by the language: a switch mounts its inner box anew (the key must
    sit on the parent, as in ``live_refresh``), whose on_mount asks the state to write its
    server-made text (dates, statuses) in the new language."""
    return rx.box(rx.box(on_mount=on_change, display="none"), key=S.lang, display="none")


def contact_profile_page() -> rx.Component:
    body = rx.flex(
        rx.vstack(_details(), _opt_out(), _merge(), spacing="3", flex="1 1 340px", min_width="0"),
        rx.vstack(
            _section("crm.col_tags", tags_block(S, PREFIX, titled=False)),
            _section("crm.timeline", notes_block(S, PREFIX), timeline_block(S)),
            _history(),
            spacing="3",
            flex="1 1 340px",
            min_width="0",
        ),
        spacing="3",
        wrap="wrap",
        width="100%",
    )
    return shell(
        rx.link(
            rx.hstack(rx.icon("arrow_left", size=14), T["crm.back"], align="center"),
            href=CONTACTS,
            size="2",
        ),
        live_refresh(S, S.on_contact_tick),
        language_marker(S.follow_language),
        error_callout(S.error),
        success_callout(S.notice),
        rx.cond(S.contact_id != "", rx.vstack(_identity(), body, spacing="4", width="100%")),
        title=T["crm.profile_title"],
    )
