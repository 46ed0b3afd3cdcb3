"""The Rules tab: the list, the builder, the dry run and the run log (one panel at a time)."""

from __future__ import annotations

import reflex as rx

from whatsapp_saas.ui.automations.conditions_view import conditions_editor
from whatsapp_saas.ui.automations.files_view import attachment_select, files_uploader
from whatsapp_saas.ui.automations.hook_fields import hook_fields
from whatsapp_saas.ui.automations.state import TRIGGER_KINDS
from whatsapp_saas.ui.automations.state import AutomationsState as A
from whatsapp_saas.ui.automations.templates_view import templates_button
from whatsapp_saas.ui.automations.timer_fields import timer_fields
from whatsapp_saas.ui.components import error_callout, success_callout
from whatsapp_saas.ui.scheduling.fields import field_message, label, labelled

T = A.t
TRIGGERS = TRIGGER_KINDS
MATCHES = ("contains", "equals", "starts_with", "regex")
WHICH = ("any", "new_contact", "new_conversation")
ACTIONS = (
    "send_message",
    "add_tag",
    "send_menu",
    "remove_tag",
    "set_field",
    "create_deal",
    "move_deal",
    "assign_department",
    "assign_agent",
    "hand_to_human",
    "hand_to_ai",
    "start_follow_up",
    "stop_follow_up",
    "snooze",
    "add_note",
    "resolve",
    "webhook",
)
STRATEGIES = ("round_robin", "least_busy")
OUTCOMES = ("won", "lost")  # a stage marked won (or lost), in any pipeline


def _native(field_id: str, name: str, options: list[rx.Component], **props: object) -> rx.Component:
    return rx.el.select(*options, id=field_id, name=name, class_name="native-select", **props)


def _options(prefix: str, values: tuple[str, ...]) -> list[rx.Component]:
    return [rx.el.option(T[f"{prefix}.{v}"], value=v) for v in values]


def toolbar() -> rx.Component:
    return rx.flex(
        rx.button(
            rx.icon("plus"), T["auto.new_rule"], on_click=A.new_rule, aria_label=T["auto.new_rule"]
        ),
        rx.button(
            rx.icon("flask-conical"),
            T["auto.dry_run"],
            variant="soft",
            on_click=A.open_dry_run,
            aria_label=T["auto.dry_run"],
        ),
        rx.button(
            rx.icon("scroll-text"),
            T["auto.run_log"],
            variant="soft",
            on_click=A.open_run_log,
            aria_label=T["auto.run_log"],
        ),
        templates_button(),
        spacing="2",
        wrap="wrap",
    )


# --- the list ---------------------------------------------------------------------------------


def _rule_card(row: rx.Var) -> rx.Component:
    summary = rx.cond(
        row["trigger"] == "keyword",
        T["auto.summary_keyword"].replace("{keyword}", row["detail"]),
        rx.cond(
            row["trigger"] == "message_received",
            T["auto.summary_received"],
            T["auto.summary_event"].replace("{event}", row["trigger_label"]),
        ),
    )
    return rx.card(
        rx.flex(
            rx.vstack(
                rx.hstack(
                    rx.text(row["name"], weight="bold"),
                    rx.cond(
                        row["enabled"] == "1",
                        rx.badge(T["auto.on"], color_scheme="green"),
                        rx.badge(T["auto.off"], color_scheme="gray"),
                    ),
                    rx.cond(
                        row["stop_after"] == "1", rx.badge(T["auto.stops"], color_scheme="amber")
                    ),
                    wrap="wrap",
                ),
                rx.text(summary, size="2", color_scheme="gray"),
                spacing="1",
                flex="1",
                min_width="0",
            ),
            rx.flex(
                rx.icon_button(
                    rx.icon("arrow-up"),
                    size="1",
                    variant="soft",
                    on_click=A.move_rule(row["id"], -1),
                    aria_label=T["auto.move_up"],
                ),
                rx.icon_button(
                    rx.icon("arrow-down"),
                    size="1",
                    variant="soft",
                    on_click=A.move_rule(row["id"], 1),
                    aria_label=T["auto.move_down"],
                ),
                rx.button(
                    T["auto.edit"], size="1", variant="soft", on_click=A.edit_rule(row["id"])
                ),
                rx.button(
                    T["auto.duplicate"],
                    size="1",
                    variant="soft",
                    on_click=A.duplicate_rule(row["id"]),
                ),
                rx.button(
                    rx.cond(row["enabled"] == "1", T["auto.disable"], T["auto.enable"]),
                    size="1",
                    variant="soft",
                    on_click=A.toggle_rule(row["id"], row["enabled"] != "1"),
                ),
                rx.button(
                    T["auto.delete"],
                    size="1",
                    variant="soft",
                    color_scheme="red",
                    on_click=A.delete_rule(row["id"]),
                ),
                spacing="2",
                wrap="wrap",
            ),
            spacing="3",
            direction=rx.breakpoints(initial="column", md="row"),
            justify="between",
            width="100%",
        ),
        width="100%",
        data_testid="rule-row",
    )


def rule_list() -> rx.Component:
    return rx.cond(
        A.rules.length() > 0,
        rx.vstack(rx.foreach(A.rules, _rule_card), spacing="2", width="100%"),
        rx.text(T["auto.empty"], color_scheme="gray"),
    )


# --- the builder ------------------------------------------------------------------------------


def _trigger_fields() -> rx.Component:
    return rx.flex(
        labelled(
            "auto.trigger",
            "auto-trigger",
            _native(
                "auto-trigger",
                "trigger",
                _options("auto.trigger", TRIGGERS),
                value=A.trigger_type,
                on_change=A.set_trigger_type,
            ),
        ),
        rx.cond(
            A.trigger_type == "keyword",
            rx.flex(
                rx.vstack(
                    label("auto.keyword", "auto-keyword"),
                    rx.input(
                        id="auto-keyword",
                        name="keyword",
                        default_value=A.trigger_keyword,
                        width="100%",
                    ),
                    field_message(A.field_errors, "keyword", "auto-keyword"),
                    spacing="1",
                    width="100%",
                ),
                labelled(
                    "auto.match",
                    "auto-match",
                    _native(
                        "auto-match",
                        "match",
                        _options("auto.match", MATCHES),
                        default_value=A.trigger_match,
                    ),
                ),
                spacing="3",
                width="100%",
                direction=rx.breakpoints(initial="column", sm="row"),
            ),
            rx.cond(
                A.trigger_type == "message_received",
                labelled(
                    "auto.which",
                    "auto-which",
                    _native(
                        "auto-which",
                        "which",
                        _options("auto.which", WHICH),
                        default_value=A.trigger_which,
                    ),
                ),
                rx.cond(A.is_timer_trigger, timer_fields(), _event_filters()),
            ),
        ),
        spacing="3",
        width="100%",
        direction="column",
    )


def _choices(
    key: str, field_id: str, name: str, rows: rx.Var, value: rx.Var, any_key: str
) -> rx.Component:
    return labelled(
        key,
        field_id,
        rx.el.select(
            rx.el.option(T[any_key], value=""),
            rx.foreach(rows, lambda r: rx.el.option(r["label"], value=r["id"])),
            id=field_id,
            name=name,
            default_value=value,
            class_name="native-select",
        ),
    )


def _plain(key: str, field_id: str, name: str, value: rx.Var) -> rx.Component:
    return labelled(key, field_id, rx.input(id=field_id, name=name, default_value=value))


def _event_filters() -> rx.Component:
    """The event triggers' optional filters (none of these labels says "Trigger")."""
    return rx.match(
        A.trigger_type,
        ("webhook_received", hook_fields()),
        ("tag_added", _plain("auto.only_tag", "auto-only-tag", "trigger_tag", A.trigger_tag)),
        ("tag_removed", _plain("auto.only_tag", "auto-only-tag", "trigger_tag", A.trigger_tag)),
        (
            "field_changed",
            _plain("auto.only_field", "auto-only-field", "trigger_field", A.trigger_field),
        ),
        (
            "deal_stage_changed",
            rx.flex(
                _choices(
                    "auto.only_pipeline",
                    "auto-only-pipeline",
                    "trigger_pipeline",
                    A.pipelines,
                    A.trigger_pipeline,
                    "auto.any_pipeline",
                ),
                _choices(
                    "auto.only_stage",
                    "auto-only-stage",
                    "trigger_stage",
                    A.stages,
                    A.trigger_stage,
                    "auto.any_stage",
                ),
                labelled(
                    "auto.only_outcome",
                    "auto-only-outcome",
                    _native(
                        "auto-only-outcome",
                        "trigger_outcome",
                        [
                            rx.el.option(T["auto.any_outcome"], value=""),
                            *_options("auto.outcome", OUTCOMES),
                        ],
                        default_value=A.trigger_outcome,
                    ),
                ),
                spacing="3",
                width="100%",
                direction=rx.breakpoints(initial="column", sm="row"),
            ),
        ),
        rx.fragment(),
    )


def _strategy(index: rx.Var, action: rx.Var) -> rx.Component:
    field_id = f"auto-strategy-{index}"
    value = action["strategy"]
    return rx.vstack(
        _department(index, action["department_id"]),
        labelled(
            "auto.strategy",
            field_id,
            rx.el.select(
                *_options("auto.strategy", STRATEGIES),
                id=field_id,
                name=f"strategy_{index}",
                default_value=value,
                class_name="native-select",
            ),
        ),
        rx.text(T["auto.online_note"], size="1", color_scheme="gray"),
        spacing="2",
        width="100%",
    )


def _stage(index: rx.Var, value: rx.Var) -> rx.Component:
    field_id = f"auto-stage-{index}"
    return _choices("auto.stage", field_id, f"stage_{index}", A.stages, value, "auto.stage")


def _more_fields(action: rx.Var, index: rx.Var) -> list[tuple[str, rx.Component]]:
    """The newer actions' fields (each label unique to its action, ids unique per row)."""
    return [
        ("remove_tag", _input("auto.tag", "tag", index, action["tag"])),
        (
            "set_field",
            rx.flex(
                _input("auto.field_key", "key", index, action["key"]),
                _input("auto.field_value", "value", index, action["value"]),
                spacing="2",
                width="100%",
                direction=rx.breakpoints(initial="column", sm="row"),
            ),
        ),
        (
            "create_deal",
            rx.flex(
                _stage(index, action["stage_id"]),
                _input("auto.deal_title", "title", index, action["title"]),
                spacing="2",
                width="100%",
                direction=rx.breakpoints(initial="column", sm="row"),
            ),
        ),
        ("move_deal", _stage(index, action["stage_id"])),
        (
            "send_menu",
            _choices(
                "auto.menu",
                f"auto-menu-{index}",
                f"menu_{index}",
                A.menus,
                action["menu_id"],
                "auto.choose_menu",
            ),
        ),
        ("assign_agent", _strategy(index, action)),
        (
            "start_follow_up",
            _choices(
                "auto.follow_up_rule",
                f"auto-follow-up-{index}",
                f"follow_up_{index}",
                A.follow_up_rules,
                action["follow_up_rule_id"],
                "auto.follow_up_rule",
            ),
        ),
        ("snooze", _snooze(index, action)),
        (
            "webhook",
            rx.vstack(
                rx.flex(
                    _input("auto.webhook_url", "url", index, action["url"]),
                    _input("auto.webhook_secret", "secret", index, ""),
                    spacing="2",
                    width="100%",
                    direction=rx.breakpoints(initial="column", sm="row"),
                ),
                rx.text(T["auto.webhook_secret_kept"], size="1", color_scheme="gray"),
                spacing="1",
                width="100%",
            ),
        ),
    ]


def _action_row(action: rx.Var, index: rx.Var) -> rx.Component:
    kind = action["type"]
    select_id = f"auto-action-{index}"
    return rx.card(
        rx.vstack(
            rx.flex(
                rx.vstack(
                    rx.el.label(T["auto.action"], html_for=select_id, class_name="field-label"),
                    rx.el.select(
                        *_options("auto.action", ACTIONS),
                        id=select_id,
                        name=f"action_{index}",
                        value=kind,
                        on_change=lambda v: A.set_action_type(index, v),
                        class_name="native-select",
                    ),
                    spacing="1",
                    width="100%",
                ),
                rx.icon_button(
                    rx.icon("x"),
                    variant="ghost",
                    size="1",
                    on_click=A.remove_action(index),
                    aria_label=T["auto.remove_action"],
                ),
                align="end",
                spacing="2",
                width="100%",
            ),
            rx.match(
                kind,
                (
                    "send_message",
                    rx.vstack(
                        _text_area("auto.message", "message", index, action["message"]),
                        attachment_select(
                            f"auto-media-{index}", f"media_{index}", action["media_id"]
                        ),
                        spacing="2",
                        width="100%",
                    ),
                ),
                ("add_note", _text_area("auto.note", "message", index, action["message"])),
                ("add_tag", _input("auto.tag", "tag", index, action["tag"])),
                ("assign_department", _department(index, action["department_id"])),
                ("hand_to_human", _department(index, action["department_id"])),
                *_more_fields(action, index),
                rx.fragment(),
            ),
            _input("auto.delay", "delay", index, action["delay_minutes"]),
            spacing="2",
            width="100%",
        ),
        width="100%",
        data_testid="action-row",
    )


def _text_area(key: str, name: str, index: rx.Var, value: rx.Var) -> rx.Component:
    field_id = f"auto-{name}-{index}"
    return rx.vstack(
        rx.el.label(T[key], html_for=field_id, class_name="field-label"),
        rx.text_area(
            id=field_id, name=f"{name}_{index}", default_value=value, width="100%", rows="3"
        ),
        rx.text(T["auto.variables_hint"], size="1", color_scheme="gray"),
        spacing="1",
        width="100%",
    )


def _input(key: str, name: str, index: rx.Var, value: rx.Var) -> rx.Component:
    field_id = f"auto-{name}-{index}"
    return rx.vstack(
        rx.el.label(T[key], html_for=field_id, class_name="field-label"),
        rx.input(id=field_id, name=f"{name}_{index}", default_value=value, width="100%"),
        spacing="1",
        width="100%",
    )


def _snooze(index: rx.Var, action: rx.Var) -> rx.Component:
    """For some minutes, or until a date and time (the company's wall clock)."""
    field_id = f"auto-until-{index}"
    zone_hint = T["auto.snooze_until_hint"].to(str).replace("{zone}", A.company_timezone)
    return rx.vstack(
        rx.flex(
            _input("auto.snooze_minutes", "minutes", index, action["minutes"]),
            rx.vstack(
                rx.el.label(T["auto.snooze_until"], html_for=field_id, class_name="field-label"),
                rx.input(
                    id=field_id,
                    name=f"until_{index}",
                    type="datetime-local",
                    default_value=action["until"],
                    width="100%",
                ),
                spacing="1",
                width="100%",
            ),
            spacing="2",
            width="100%",
            direction=rx.breakpoints(initial="column", sm="row"),
        ),
        rx.text(zone_hint, size="1", color_scheme="gray"),
        spacing="1",
        width="100%",
    )


def _department(index: rx.Var, value: rx.Var) -> rx.Component:
    field_id = f"auto-department-{index}"
    return rx.vstack(
        rx.el.label(T["auto.department"], html_for=field_id, class_name="field-label"),
        rx.el.select(
            rx.el.option(T["auto.no_department"], value=""),
            rx.foreach(A.departments, lambda d: rx.el.option(d["label"], value=d["id"])),
            id=field_id,
            name=f"department_{index}",
            default_value=value,
            class_name="native-select",
        ),
        spacing="1",
        width="100%",
    )


def _switch(key: str, field_id: str, checked: rx.Var, on_change: object) -> rx.Component:
    return rx.el.label(
        rx.switch(
            id=field_id, name=field_id, checked=checked, on_change=on_change, aria_label=T[key]
        ),
        rx.text(T[key], as_="span", size="2"),
        html_for=field_id,
        display="flex",
        gap="0.5em",
        align_items="center",
    )


def editor() -> rx.Component:
    return rx.card(
        rx.form(
            rx.vstack(
                rx.heading(
                    rx.cond(A.editing_id != "", T["auto.edit_rule"], T["auto.new_rule"]),
                    size="4",
                    as_="h2",
                ),
                rx.vstack(
                    label("auto.rule_name", "auto-name"),
                    rx.input(
                        id="auto-name",
                        name="name",
                        default_value=A.form_name,
                        width="100%",
                        placeholder=T["auto.rule_name_hint"],
                    ),
                    field_message(A.field_errors, "name", "auto-name"),
                    spacing="1",
                    width="100%",
                ),
                _trigger_fields(),
                field_message(A.field_errors, "trigger", "auto-trigger"),
                labelled(
                    "auto.when",
                    "auto-condition",
                    _native(
                        "auto-condition",
                        "condition",
                        _options("auto.when", ("", "inside_hours", "outside_hours")),
                        default_value=A.condition,
                    ),
                ),
                conditions_editor(),
                rx.heading(T["auto.actions"], size="3", as_="h3"),
                files_uploader("rule-files-upload"),
                rx.foreach(A.actions, _action_row),
                field_message(A.field_errors, "actions", "auto-actions"),
                rx.button(
                    rx.icon("plus"),
                    T["auto.add_action"],
                    type="button",
                    variant="soft",
                    on_click=A.add_action,
                ),
                rx.flex(
                    _switch("auto.enabled", "auto-enabled", A.form_enabled, A.set_form_enabled),
                    _switch(
                        "auto.stop_after", "auto-stop", A.form_stop_after, A.set_form_stop_after
                    ),
                    spacing="4",
                    wrap="wrap",
                ),
                rx.hstack(
                    rx.button(T["auto.save"], type="submit"),
                    rx.button(
                        T["auto.cancel"],
                        type="button",
                        variant="soft",
                        color_scheme="gray",
                        on_click=A.show_list,
                    ),
                ),
                spacing="3",
                width="100%",
            ),
            key=A.form_key.to_string(),
            on_submit=A.save_rule,
            width="100%",
        ),
        width="100%",
    )


# --- dry run ----------------------------------------------------------------------------------


def _dry_line(line: rx.Var) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.text(line["name"], weight="bold"),
                rx.cond(
                    line["fired"],
                    rx.badge(T["auto.would_fire"], color_scheme="green"),
                    rx.badge(T["auto.would_not_fire"], color_scheme="gray"),
                ),
                wrap="wrap",
            ),
            rx.text(line["reason"], size="2", color_scheme="gray"),
            rx.foreach(line["does"].to(list[str]), lambda d: rx.text("→ ", d, size="2")),
            spacing="1",
        ),
        width="100%",
        data_testid="dry-run-line",
    )


def dry_run() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading(T["auto.dry_run"], size="4", as_="h2"),
            rx.text(T["auto.dry_run_intro"], size="2", color_scheme="gray"),
            rx.form(
                rx.vstack(
                    labelled(
                        "auto.conversation",
                        "dry-conversation",
                        rx.el.select(
                            rx.el.option(T["auto.no_conversation"], value=""),
                            rx.foreach(
                                A.conversations, lambda c: rx.el.option(c["label"], value=c["id"])
                            ),
                            id="dry-conversation",
                            name="conversation_id",
                            class_name="native-select",
                        ),
                    ),
                    labelled(
                        "auto.sample",
                        "dry-sample",
                        rx.text_area(id="dry-sample", name="sample", width="100%", rows="2"),
                    ),
                    rx.hstack(
                        rx.button(T["auto.check_rules"], type="submit"),
                        rx.button(
                            T["auto.back"],
                            type="button",
                            variant="soft",
                            color_scheme="gray",
                            on_click=A.show_list,
                        ),
                    ),
                    spacing="3",
                    width="100%",
                ),
                on_submit=A.run_dry,
                width="100%",
            ),
            rx.cond(
                A.dry_done,
                rx.text(A.dry_hours, size="2", data_testid="dry-run-hours"),
            ),
            rx.cond(
                A.dry_done,
                rx.cond(
                    A.dry_lines.length() > 0,
                    rx.vstack(
                        rx.foreach(A.dry_lines, _dry_line),
                        spacing="2",
                        width="100%",
                        role="region",
                        aria_label=T["auto.dry_results"],
                    ),
                    rx.text(T["auto.empty"], color_scheme="gray"),
                ),
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


# --- run log ----------------------------------------------------------------------------------


def _run_row(row: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(row["at"], white_space="nowrap"),
        rx.table.cell(row["rule"]),
        rx.table.cell(row["conversation_id"]),
        rx.table.cell(row["status_text"]),
        rx.table.cell(rx.text(row["results"], " ", row["error"], size="1")),
        data_testid="run-row",
    )


def run_log() -> rx.Component:
    headers = (
        "auto.col_when",
        "auto.col_rule",
        "auto.col_conversation",
        "auto.col_status",
        "auto.col_did",
    )
    return rx.card(
        rx.vstack(
            rx.heading(T["auto.run_log"], size="4", as_="h2"),
            rx.form(
                rx.flex(
                    labelled(
                        "auto.col_rule",
                        "log-rule",
                        rx.el.select(
                            rx.el.option(T["auto.all"], value=""),
                            rx.foreach(A.rules, lambda r: rx.el.option(r["name"], value=r["id"])),
                            id="log-rule",
                            name="rule_id",
                            class_name="native-select",
                        ),
                    ),
                    labelled(
                        "auto.conversation",
                        "log-conversation",
                        rx.el.select(
                            rx.el.option(T["auto.all"], value=""),
                            rx.foreach(
                                A.conversations, lambda c: rx.el.option(c["label"], value=c["id"])
                            ),
                            id="log-conversation",
                            name="conversation_id",
                            class_name="native-select",
                        ),
                    ),
                    rx.button(T["auto.filter"], type="submit"),
                    rx.button(
                        T["auto.back"],
                        type="button",
                        variant="soft",
                        color_scheme="gray",
                        on_click=A.show_list,
                    ),
                    spacing="3",
                    align="end",
                    wrap="wrap",
                    direction=rx.breakpoints(initial="column", sm="row"),
                ),
                on_submit=A.filter_runs,
                width="100%",
            ),
            rx.cond(
                A.runs.length() > 0,
                rx.box(
                    rx.table.root(
                        rx.table.header(
                            rx.table.row(*[rx.table.column_header_cell(T[h]) for h in headers])
                        ),
                        rx.table.body(rx.foreach(A.runs, _run_row)),
                        width="100%",
                    ),
                    overflow_x="auto",
                    width="100%",
                ),
                rx.text(T["auto.no_runs"], color_scheme="gray"),
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


def rules_tab() -> rx.Component:
    return rx.vstack(
        error_callout(A.error),
        success_callout(A.notice),
        rx.match(
            A.panel,
            ("editor", editor()),
            ("dry_run", dry_run()),
            ("run_log", run_log()),
            rule_list(),
        ),
        spacing="3",
        width="100%",
    )
