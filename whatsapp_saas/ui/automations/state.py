"""The Automations page's state: the rule list, the builder, the dry run and the run log.

Managers only: every handler that reads or changes rules runs with ``managers_only``; an
agent sees the page's notice and nothing else. Form inputs are uncontrolled (read on submit),
except the selects and switches that change which fields the builder shows.
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from whatsapp_saas.accounts.preferences import tenant_timezone
from whatsapp_saas.accounts.service import CurrentUser
from whatsapp_saas.automations import hook_service, service
from whatsapp_saas.automations.hooks import TRIGGER_WEBHOOK
from whatsapp_saas.automations.timers import DAYS, TIMER_TRIGGERS, timer_defaults
from whatsapp_saas.config import get_settings
from whatsapp_saas.models_base import utcnow
from whatsapp_saas.security.crypto import keyring_from_settings
from whatsapp_saas.tenancy.scope import TenantScope
from whatsapp_saas.ui.actions import act
from whatsapp_saas.ui.automations import view
from whatsapp_saas.ui.automations.forms import (
    CONDITION_FIELDS,
    actions_from,
    blank_action,
    blank_condition,
    conditions_from,
    field,
    rule_parts,
    snooze_until,
    week_days,
)
from whatsapp_saas.ui.base_state import AppState

PANELS = ("list", "editor", "dry_run", "run_log")


def _blank_action(kind: str = "send_message") -> dict[str, str]:
    return blank_action(kind)


MAX_CONDITIONS = 12
TRIGGER_KINDS = (
    "keyword",
    "message_received",
    "conversation_opened",
    "conversation_assigned",
    "conversation_transferred",
    "conversation_resolved",
    "conversation_reopened",
    "tag_added",
    "tag_removed",
    "field_changed",
    "deal_stage_changed",
    TRIGGER_WEBHOOK,
    *TIMER_TRIGGERS,
)


class AutomationsState(AppState):
    tab: str = "rules"
    panel: str = "list"
    error: str = ""
    notice: str = ""
    field_errors: dict[str, str] = {}
    rules: list[dict[str, str]] = []
    departments: list[dict[str, str]] = []
    stages: list[dict[str, str]] = []
    pipelines: list[dict[str, str]] = []
    follow_up_rules: list[dict[str, str]] = []
    segments: list[dict[str, str]] = []
    menus: list[dict[str, str]] = []  # for the "Send menu" action, read when the builder opens
    conversations: list[dict[str, str]] = []
    numbers: list[dict[str, str]] = []  # the webhook trigger's and the number condition's
    company_timezone: str = ""  # what a snooze's "until" is read in
    # The builder (what it shows; the typed text is read from the form on Save).
    editing_id: str = ""
    form_key: int = 0  # bumped to remount the uncontrolled inputs with new defaults
    form_name: str = ""
    trigger_type: str = "keyword"
    trigger_match: str = "contains"
    trigger_keyword: str = ""
    trigger_which: str = "any"
    trigger_minutes: str = "30"  # time-based triggers (automations.timers)
    trigger_at: str = "09:00"
    trigger_days: str = "every_day"
    trigger_week_days: list[str] = []  # the "chosen days" schedule's boxes (timers.WEEK)
    trigger_month_day: str = ""  # the "day of the month" schedule's day, 1-31
    condition: str = ""
    trigger_tag: str = ""
    trigger_field: str = ""
    trigger_pipeline: str = ""
    trigger_stage: str = ""
    trigger_outcome: str = ""  # "won" or "lost": a stage marked so, in any pipeline
    trigger_number: str = ""
    # A webhook rule's URL and secret: the secret in full only right after it was made or
    # rotated (cleared when the builder closes), otherwise masked.
    hook_url: str = ""
    hook_secret: str = ""
    hook_masked: str = ""
    # The conditions editor: rows (type drives the fields shown), the joins.
    cond_rows: list[dict[str, str]] = []
    cond_join: str = "all"
    group_join: str = "all"
    form_enabled: bool = True
    form_stop_after: bool = False
    actions: list[dict[str, str]] = [_blank_action()]
    # Dry run and run log.
    dry_lines: list[dict[str, Any]] = []
    dry_done: bool = False
    dry_hours: str = ""  # whose business hours the dry run used ("Sales department hours")
    runs: list[dict[str, str]] = []

    @rx.event
    async def load(self):  # type: ignore[no-untyped-def]
        redirect = await self.require_login()
        if redirect is not None:
            return redirect
        self.panel, self.error, self.notice = "list", "", ""
        await self._refresh()
        return None

    async def _refresh(self) -> None:
        def read(scope: TenantScope, user: CurrentUser) -> tuple[Any, ...]:
            return (
                view.rule_rows(scope, user),
                view.departments(scope),
                view.conversations(scope),
                view.builder_choices(scope, user),
                view.numbers(scope),
                tenant_timezone(scope),
            )

        outcome = await act(self, read, managers_only=True)
        self.error = outcome.error
        if outcome.ok and outcome.value is not None:
            rows, self.departments, self.conversations, choices, self.numbers, zone = outcome.value
            self.company_timezone = zone
            self.rules = [
                {**r, "trigger_label": self._trigger_label(r["trigger"], r.get("outcome", ""))}
                for r in rows
            ]
            self.pipelines, self.stages, self.follow_up_rules, self.segments = choices

    @rx.event
    def set_tab(self, value: str):  # type: ignore[no-untyped-def]
        self.tab = value if value in ("rules", "menus", "hours") else "rules"
        if self.tab == "hours":
            from whatsapp_saas.ui.automations.hours_state import HoursState

            return HoursState.load_hours
        return None

    # --- the builder ---------------------------------------------------------------------

    @rx.event
    def new_rule(self):  # type: ignore[no-untyped-def]
        self._fill({"id": "", "name": "", "trigger": {"type": "keyword"}, "actions": []})
        self.panel, self.tab = "editor", "rules"
        return AutomationsState.load_menus  # managers only: the menus are the tenant's

    @rx.event
    async def load_menus(self) -> None:
        """The menus a "Send menu" action may start (read fresh: one may have just been made
        on the Menus tab)."""
        outcome = await act(self, view.menu_choices, managers_only=True)
        if outcome.ok and outcome.value is not None:
            off = self._tr("auto.menu_off")
            self.menus = [
                {"id": m["id"], "label": m["label"] if m["enabled"] else f"{m['label']} ({off})"}
                for m in outcome.value
            ]
        else:
            self.error = outcome.error

    @rx.event
    async def edit_rule(self, rule_id: str) -> None:
        outcome = await act(
            self, lambda s, u: view.rule_form(s, u, int(rule_id)), managers_only=True
        )
        self.error = outcome.error
        if outcome.ok and outcome.value is not None:
            self._fill(outcome.value)
            self._show_hook(outcome.value.get("hook"))
            self.panel = "editor"
            await self.load_menus()

    def _fill(self, rule: dict[str, Any]) -> None:
        trigger = rule.get("trigger") or {}
        self.editing_id, self.form_name = str(rule.get("id") or ""), str(rule.get("name") or "")
        self.trigger_type = str(trigger.get("type") or "keyword")
        self.trigger_match = str(trigger.get("match") or "contains")
        self.trigger_keyword = str(trigger.get("keyword") or "")
        self.trigger_which = str(trigger.get("which") or "any")
        self.trigger_minutes = str(trigger.get("minutes") or "30")
        self.trigger_at, self.trigger_days, self.trigger_week_days, self.trigger_month_day = (
            timer_defaults(trigger)
        )
        self.condition = str(rule.get("condition") or "")
        self.trigger_tag = str(trigger.get("tag") or "")
        self.trigger_field = str(trigger.get("field") or "")
        self.trigger_pipeline = str(trigger.get("pipeline_id") or "")
        self.trigger_stage = str(trigger.get("stage_id") or "")
        self.trigger_outcome = str(trigger.get("outcome") or "")
        self.trigger_number = str(trigger.get("number_id") or "")
        self.hook_url = self.hook_secret = self.hook_masked = ""
        self.cond_rows = list(rule.get("cond_rows") or [])
        self.cond_join = str(rule.get("cond_join") or "all")
        self.group_join = str(rule.get("group_join") or "all")
        self.form_enabled = bool(rule.get("enabled", True))
        self.form_stop_after = bool(rule.get("stop_after", False))
        self.actions = list(rule.get("actions") or []) or [_blank_action()]
        self.field_errors, self.error, self.notice = {}, "", ""
        self.form_key += 1

    @rx.event
    def show_list(self) -> None:
        self.panel, self.field_errors = "list", {}
        self.hook_secret = ""  # shown once: gone when the builder closes

    def _show_hook(self, hook: hook_service.HookView | None) -> None:
        if hook is None:
            self.hook_url = self.hook_secret = self.hook_masked = ""
            return
        self.hook_url = get_settings().app_base_url.rstrip("/") + hook.path
        self.hook_secret, self.hook_masked = hook.secret, hook.masked

    @rx.event
    async def rotate_hook_secret(self) -> None:
        """A new secret for the rule being edited (the old one stops working at once)."""
        rule_id = int(self.editing_id) if self.editing_id.isdigit() else 0
        keyring = keyring_from_settings()

        def work(scope: TenantScope, user: CurrentUser) -> hook_service.HookView:
            return hook_service.rotate_secret(scope, actor=user, rule_id=rule_id, keyring=keyring)

        self.error = self.notice = ""
        outcome = await act(self, work, managers_only=True)
        self.error = outcome.error
        if outcome.ok and outcome.value is not None:
            self._show_hook(outcome.value)
            self.notice = self._tr("auto.hook_rotated")

    @rx.var
    def is_webhook_trigger(self) -> bool:
        return self.trigger_type == TRIGGER_WEBHOOK

    def _trigger_label(self, kind: str, outcome: str = "") -> str:
        """The rule card's "On: …" text; a time-based rule says so before its kind, a deal
        rule's Won/Lost filter after it."""
        label = self._tr(f"auto.trigger.{kind}")
        if outcome:
            label = f"{label} · {self._tr(f'auto.outcome.{outcome}')}"
        return f"{self._tr('auto.summary_timer')} · {label}" if kind in TIMER_TRIGGERS else label

    @rx.var
    def is_timer_trigger(self) -> bool:
        """The builder shows the minutes or schedule fields instead of the event filters."""
        return self.trigger_type in TIMER_TRIGGERS

    @rx.event
    def set_trigger_type(self, value: str) -> None:
        self.trigger_type = value if value in TRIGGER_KINDS else "keyword"

    @rx.event
    def set_trigger_days(self, value: str) -> None:
        """The schedule's days select: shows the day-of-the-week boxes or the day of the month."""
        self.trigger_days = value if value in DAYS else "every_day"

    @rx.event
    def add_condition(self) -> None:
        if len(self.cond_rows) < MAX_CONDITIONS:
            self.cond_rows = [*self.cond_rows, blank_condition()]

    @rx.event
    def remove_condition(self, index: int) -> None:
        position = int(index)
        self.cond_rows = [r for i, r in enumerate(self.cond_rows) if i != position]

    @rx.event
    def set_condition_type(self, index: int, value: str) -> None:
        position = int(index)
        if 0 <= position < len(self.cond_rows):
            updated = [dict(r) for r in self.cond_rows]
            updated[position] = {**blank_condition(str(value)), "group": updated[position]["group"]}
            self.cond_rows = updated

    @rx.event
    def set_cond_join(self, value: str) -> None:
        self.cond_join = "any" if value == "any" else "all"

    @rx.event
    def set_group_join(self, value: str) -> None:
        self.group_join = "any" if value == "any" else "all"

    @rx.event
    def set_action_type(self, index: int, value: str) -> None:
        position = int(index)
        if 0 <= position < len(self.actions):
            updated = [dict(a) for a in self.actions]
            updated[position]["type"] = value
            self.actions = updated

    @rx.event
    def add_action(self) -> None:
        if len(self.actions) < 10:
            self.actions = [*self.actions, _blank_action("add_tag")]

    @rx.event
    def remove_action(self, index: int) -> None:
        position = int(index)
        if len(self.actions) > 1 and 0 <= position < len(self.actions):
            self.actions = [a for i, a in enumerate(self.actions) if i != position]

    @rx.event
    def set_form_enabled(self, value: bool) -> None:
        self.form_enabled = bool(value)

    @rx.event
    def set_form_stop_after(self, value: bool) -> None:
        self.form_stop_after = bool(value)

    @rx.event
    async def save_rule(self, form: dict[str, Any]) -> None:
        self.error = self.notice = ""
        self.field_errors = {}
        kinds = [a["type"] for a in self.actions]
        tree = conditions_from(form, self.cond_rows, self.cond_join, self.group_join)
        parts = rule_parts(form, self.trigger_type, actions_from(form, kinds), tree)
        rule_id = int(self.editing_id) if self.editing_id.isdigit() else None
        enabled, stop_after = self.form_enabled, self.form_stop_after

        def work(scope: TenantScope, user: CurrentUser) -> tuple[int, hook_service.HookView | None]:
            actions = snooze_until(parts["actions"], tenant_timezone(scope), utcnow())
            rule = service.save_rule(
                scope,
                actor=user,
                rule_id=rule_id,
                enabled=enabled,
                stop_after=stop_after,
                **{**parts, "actions": actions},
            )
            saved = rule.id or 0
            if rule.trigger.get("type") != TRIGGER_WEBHOOK:
                return saved, None
            keyring = keyring_from_settings()  # only webhook rules have a secret to seal
            return saved, hook_service.ensure_hook(
                scope, actor=user, rule_id=saved, keyring=keyring
            )

        outcome = await act(self, work, managers_only=True)
        if not outcome.ok:
            self._keep_typed(form)
            field_name = _error_field(outcome.code)
            if field_name:
                self.field_errors = {field_name: outcome.error}
            else:
                self.error = outcome.error
            return
        self.notice, self.panel = self._tr("auto.saved"), "list"
        saved, hook = outcome.value if outcome.value is not None else (0, None)
        if hook is not None:  # stay on the rule: its URL and secret are what comes next
            self.editing_id, self.panel = str(saved), "editor"
            self._show_hook(hook)
        await self._refresh()

    def _keep_typed(self, form: dict[str, Any]) -> None:
        """A refused form keeps what was typed (the inputs remount with it as defaults)."""
        self.form_name, self.trigger_keyword = field(form, "name"), field(form, "keyword")
        self.trigger_match, self.trigger_which = field(form, "match"), field(form, "which")
        self.trigger_minutes, self.trigger_at = field(form, "minutes"), field(form, "at")
        self.trigger_days = field(form, "days") or "every_day"
        self.trigger_week_days = week_days(form)
        self.trigger_month_day = field(form, "month_day")
        self.condition = field(form, "condition")
        self.trigger_tag, self.trigger_field = (
            field(form, "trigger_tag"),
            field(form, "trigger_field"),
        )
        self.trigger_pipeline = field(form, "trigger_pipeline")
        self.trigger_stage = field(form, "trigger_stage")
        self.trigger_outcome = field(form, "trigger_outcome")
        self.trigger_number = field(form, "hook_number")
        kinds = [a["type"] for a in self.actions]
        self.actions = [
            {k: str(v) for k, v in action.items()} for action in actions_from(form, kinds)
        ]
        self.cond_rows = [
            {
                **row,
                **{name: field(form, f"cond_{name}_{i}") for name in CONDITION_FIELDS},
                "negate": "1" if form.get(f"cond_not_{i}") else "",
                "group": field(form, f"cond_group_{i}"),
            }
            for i, row in enumerate(self.cond_rows)
        ]
        self.form_key += 1

    # --- the list --------------------------------------------------------------------------

    @rx.event
    async def toggle_rule(self, rule_id: str, enabled: bool) -> None:
        await self._change(
            lambda s, u: service.set_enabled(
                s, actor=u, rule_id=int(rule_id), enabled=bool(enabled)
            )
        )

    @rx.event
    async def duplicate_rule(self, rule_id: str) -> None:
        await self._change(lambda s, u: service.duplicate_rule(s, actor=u, rule_id=int(rule_id)))

    @rx.event
    async def move_rule(self, rule_id: str, step: int) -> None:
        await self._change(
            lambda s, u: service.move_rule(s, actor=u, rule_id=int(rule_id), step=int(step))
        )

    @rx.event
    async def delete_rule(self, rule_id: str) -> None:
        await self._change(lambda s, u: service.delete_rule(s, actor=u, rule_id=int(rule_id)))

    async def _change(self, work: Any) -> None:
        self.error = self.notice = ""
        outcome = await act(self, work, managers_only=True)
        self.error = outcome.error
        await self._refresh()

    # --- dry run and run log ---------------------------------------------------------------

    @rx.event
    def open_dry_run(self) -> None:
        self.panel, self.dry_lines, self.dry_done, self.error = "dry_run", [], False, ""
        self.tab = "rules"

    @rx.event
    async def run_dry(self, form: dict[str, Any]) -> None:
        text, chosen = field(form, "sample"), field(form, "conversation_id")
        conversation_id = int(chosen) if chosen.isdigit() else None

        def work(
            scope: TenantScope, user: CurrentUser
        ) -> tuple[list[service.DryRunLine], tuple[str, str]]:
            lines = service.dry_run(scope, actor=user, text=text, conversation_id=conversation_id)
            return lines, service.dry_run_hours(scope, actor=user, conversation_id=conversation_id)

        outcome = await act(self, work, managers_only=True)
        self.error = outcome.error
        if outcome.ok and outcome.value is not None:
            lines, (source, name) = outcome.value
            self.dry_lines = [self._dry_line(line) for line in lines]
            self.dry_hours = self._tr(f"auto.hours_applied.{source}", name=name)
            self.dry_done = True

    def _dry_line(self, line: service.DryRunLine) -> dict[str, Any]:
        v = line.verdict
        does = [
            f"{self._tr('auto.action.' + a['type'])}: {preview}".rstrip(": ")
            for a, preview in zip(v.actions, line.previews, strict=False)
        ]
        return {"name": v.name, "fired": v.fired, "reason": self._tr(v.reason), "does": does}

    @rx.event
    async def open_run_log(self) -> None:
        self.panel, self.error, self.tab = "run_log", "", "rules"
        await self._load_runs(None, None)

    @rx.event
    async def filter_runs(self, form: dict[str, Any]) -> None:
        rule, conv = field(form, "rule_id"), field(form, "conversation_id")
        await self._load_runs(
            int(rule) if rule.isdigit() else None, int(conv) if conv.isdigit() else None
        )

    async def _load_runs(self, rule_id: int | None, conversation_id: int | None) -> None:
        outcome = await act(
            self, lambda s, u: view.run_rows(s, u, rule_id, conversation_id), managers_only=True
        )
        self.error = outcome.error
        if outcome.ok and outcome.value is not None:
            self.runs = [self._run_text(r) for r in outcome.value]

    def _run_text(self, row: dict[str, Any]) -> dict[str, str]:
        return {
            **{k: str(v) for k, v in row.items() if k != "at"},
            "at": self._format_time(row["at"]),
            "status_text": self._tr(f"auto.status.{row['status']}"),
        }


def _error_field(code: str) -> str:
    from whatsapp_saas.ui.automations.forms import FIELD_OF_ERROR

    return FIELD_OF_ERROR.get(code, "")
