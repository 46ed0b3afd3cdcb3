"""The CRM setup page: custom fields, tags, and the agents' visibility of contacts."""

from __future__ import annotations

import reflex as rx

from whatsapp_saas.crm.tags import COLORS
from whatsapp_saas.ui.components import error_callout, success_callout
from whatsapp_saas.ui.crm.routes import CONTACTS
from whatsapp_saas.ui.crm.setup_state import FIELD_TYPES
from whatsapp_saas.ui.crm.setup_state import CrmSetupState as S
from whatsapp_saas.ui.crm.widgets import CHECK_STYLE, fixed_select, labelled, tag_badge
from whatsapp_saas.ui.layout import shell

T = S.t


def _fields() -> rx.Component:
    form = rx.form(
        rx.flex(
            labelled(
                "crm.setup_label",
                "crm-def-label",
                rx.input(id="crm-def-label", name="label", required=True, max_length=80),
            ),
            labelled(
                "crm.setup_key",
                "crm-def-key",
                rx.input(
                    id="crm-def-key", name="key", required=True, max_length=40, placeholder="city"
                ),
            ),
            labelled(
                "crm.setup_type",
                "crm-def-type",
                fixed_select("crm-def-type", "type", [(t, f"crm.type.{t}") for t in FIELD_TYPES]),
            ),
            labelled(
                "crm.setup_entity",
                "crm-def-entity",
                fixed_select(
                    "crm-def-entity",
                    "entity",
                    [("contact", "crm.entity.contact"), ("deal", "crm.entity.deal")],
                ),
            ),
            labelled(
                "crm.setup_options",
                "crm-def-options",
                rx.input(id="crm-def-options", name="options", placeholder="Basic, Pro"),
            ),
            labelled(
                "crm.setup_pattern",
                "crm-def-pattern",
                rx.input(id="crm-def-pattern", name="pattern"),
            ),
            labelled(
                "crm.setup_min",
                "crm-def-min",
                rx.input(id="crm-def-min", name="min_value", width="6em"),
            ),
            labelled(
                "crm.setup_max",
                "crm-def-max",
                rx.input(id="crm-def-max", name="max_value", width="6em"),
            ),
            rx.button(T["crm.setup_add_field"], type="submit"),
            spacing="3",
            wrap="wrap",
            align="end",
        ),
        on_submit=S.create_field,
        reset_on_submit=True,
    )
    return rx.card(
        rx.vstack(
            rx.heading(T["crm.setup_fields"], size="4"),
            rx.foreach(
                S.field_rows,
                lambda f: rx.hstack(
                    rx.text(f["label"], weight="medium"),
                    rx.code(f["key"]),
                    rx.badge(f["type"]),
                    rx.text(f["options"], size="1", color_scheme="gray"),
                    rx.icon_button(
                        rx.icon("trash_2", size=14),
                        size="1",
                        variant="ghost",
                        color_scheme="red",
                        on_click=S.remove_field(f["id"]),
                        aria_label=T["crm.delete"],
                    ),
                    wrap="wrap",
                    align="center",
                ),
            ),
            form,
            width="100%",
        ),
        width="100%",
    )


def _tags() -> rx.Component:
    form = rx.form(
        rx.flex(
            labelled(
                "crm.name",
                "crm-tag-name",
                rx.input(id="crm-tag-name", name="name", required=True, max_length=40),
            ),
            labelled(
                "crm.setup_color",
                "crm-tag-color",
                fixed_select("crm-tag-color", "color", [(c, f"crm.color.{c}") for c in COLORS]),
            ),
            rx.button(T["crm.setup_add_tag"], type="submit"),
            spacing="3",
            wrap="wrap",
            align="end",
        ),
        on_submit=S.add_tag,
        reset_on_submit=True,
    )
    return rx.card(
        rx.vstack(
            rx.heading(T["crm.setup_tags"], size="4"),
            rx.flex(
                rx.foreach(
                    S.tag_rows,
                    lambda t: rx.hstack(
                        tag_badge(t),
                        rx.icon_button(
                            rx.icon("x", size=12),
                            size="1",
                            variant="ghost",
                            on_click=S.delete_tag(t["id"]),
                            aria_label=T["crm.delete"],
                        ),
                        spacing="0",
                        align="center",
                    ),
                ),
                spacing="2",
                wrap="wrap",
            ),
            form,
            width="100%",
        ),
        width="100%",
    )


def _visibility() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading(T["crm.setup_visibility"], size="4"),
            rx.radio_group.root(
                rx.flex(
                    rx.el.label(
                        rx.radio_group.item(value="mine"),
                        T["crm.visibility.mine"],
                        style=CHECK_STYLE,
                    ),
                    rx.el.label(
                        rx.radio_group.item(value="all"),
                        T["crm.visibility.all"],
                        style=CHECK_STYLE,
                    ),
                    direction="column",
                    spacing="2",
                ),
                value=S.visibility,
                on_change=S.save_visibility,
            ),
            width="100%",
        ),
        width="100%",
    )


def setup_page() -> rx.Component:
    return shell(
        rx.link(
            rx.hstack(rx.icon("arrow_left", size=14), T["crm.back"], align="center"),
            href=CONTACTS,
            size="2",
        ),
        error_callout(S.error),
        success_callout(S.notice),
        rx.cond(
            S.is_manager,
            rx.vstack(_fields(), _tags(), _visibility(), width="100%", spacing="3"),
            rx.callout(T["error.permission_denied"], color_scheme="amber"),
        ),
        title=T["crm.setup_title"],
    )
