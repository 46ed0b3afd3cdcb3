"""The board: one column per stage (name, count, value total), cards, "load more".

Cards are draggable (``assets/pipeline.js`` turns a drop on a column into the hidden move
form); each card also has a native "Move to stage" list, for the keyboard and for phones.
"""

from __future__ import annotations

import reflex as rx

from whatsapp_saas.ui.pipeline.deal_form import DealFormState
from whatsapp_saas.ui.pipeline.state import PipelineState

S = PipelineState
T = S.t

OUTCOME_COLORS = {"open": "gray", "won": "green", "lost": "red"}


def _move_select(card: rx.Var) -> rx.Component:
    return rx.el.select(
        rx.foreach(S.stage_options, lambda o: rx.el.option(o["name"], value=o["id"])),
        value=card.stage_id,
        on_change=lambda value: S.move_deal(card.id, value),
        aria_label=T["deals.move_to"] + ": " + card.title,
        title=T["deals.move_to"],
        class_name="native-select deal-move",
        data_testid="deal-move",
    )


def _field_line(text: rx.Var) -> rx.Component:
    """One of the card's first filled custom fields ("Label: value"), on one line."""
    return rx.cond(
        text != "",
        rx.text(text, size="1", truncate=True, width="100%", data_testid="deal-card-field"),
    )


def deal_card(card: rx.Var) -> rx.Component:
    return rx.el.article(
        rx.vstack(
            rx.hstack(
                rx.el.button(
                    card.title,
                    type="button",
                    on_click=DealFormState.open_edit(card.id),
                    class_name="deal-title",
                    data_testid="deal-open",
                ),
                rx.spacer(),
                rx.text(card.value, size="2", weight="medium", white_space="nowrap"),
                width="100%",
                align="start",
            ),
            rx.hstack(
                rx.icon("user", size=12),
                rx.text(card.owner, size="1", truncate=True),
                rx.spacer(),
                rx.text(card.days, size="1", color_scheme="gray", white_space="nowrap"),
                width="100%",
                align="center",
                spacing="1",
            ),
            rx.text(card.contact, size="1", color_scheme="gray", truncate=True, width="100%"),
            _field_line(card.field_1),
            _field_line(card.field_2),
            rx.cond(
                card.last_message != "",
                rx.text(
                    card.last_message,
                    size="1",
                    color_scheme="gray",
                    class_name="deal-last-message",
                    width="100%",
                ),
            ),
            _move_select(card),
            spacing="1",
            width="100%",
        ),
        draggable=True,
        data_deal_id=card.id,
        data_stage=card.stage_id,
        data_testid="deal-card",
        class_name="deal-card",
        aria_label=card.title,
    )


def _column_header(column: rx.Var) -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.heading(column.name, size="3", as_="h2", truncate=True),
            rx.cond(
                column.outcome != "open",
                rx.badge(
                    rx.match(
                        column.outcome,
                        ("won", T["deals.outcome.won"]),
                        ("lost", T["deals.outcome.lost"]),
                        "",
                    ),
                    color_scheme=rx.match(
                        column.outcome, ("won", "green"), ("lost", "red"), "gray"
                    ),
                    size="1",
                ),
            ),
            align="center",
            spacing="2",
            width="100%",
        ),
        rx.hstack(
            rx.text(column.count_label, size="1", color_scheme="gray", data_testid="column-count"),
            rx.spacer(),
            rx.text(column.total, size="1", weight="medium", data_testid="column-total"),
            width="100%",
        ),
        spacing="1",
        width="100%",
        padding_bottom="0.5em",
    )


def board_column(column: rx.Var) -> rx.Component:
    return rx.el.section(
        _column_header(column),
        rx.vstack(
            rx.foreach(column.cards, deal_card),
            rx.cond(
                column.count == 0,
                rx.text(T["deals.empty_column"], size="1", color_scheme="gray", padding="0.5em"),
            ),
            rx.cond(
                column.cursor != "",
                rx.button(
                    T["deals.load_more"],
                    size="1",
                    variant="soft",
                    width="100%",
                    on_click=S.load_more(column.id),
                ),
            ),
            spacing="2",
            width="100%",
            class_name="deal-cards",
        ),
        data_stage_id=column.id,
        data_testid="stage-column",
        aria_label=column.name,
        class_name="deal-column",
    )


def drop_form() -> rx.Component:
    """Filled and submitted by assets/pipeline.js when a card is dropped on a column."""
    return rx.form(
        rx.el.input(type="hidden", name="deal_id", id="deal-drop-deal"),
        rx.el.input(type="hidden", name="stage_id", id="deal-drop-stage"),
        id="deal-drop-form",
        on_submit=S.drop_deal,
        reset_on_submit=False,
        display="none",
    )


def board() -> rx.Component:
    return rx.box(
        rx.foreach(S.columns, board_column),
        class_name="deal-board",
        role="region",
        aria_label=T["deals.board_label"],
        data_testid="deal-board",
    )


def pipeline_chooser() -> rx.Component:
    return rx.hstack(
        rx.el.label(
            T["deals.pipeline_label"], html_for="pipeline-choice", class_name="field-label"
        ),
        rx.el.select(
            rx.foreach(S.pipelines, lambda p: rx.el.option(p["name"], value=p["id"])),
            id="pipeline-choice",
            value=S.pipeline_id,
            on_change=S.choose_pipeline,
            class_name="native-select",
        ),
        align="center",
        spacing="2",
    )
