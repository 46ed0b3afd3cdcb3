"""The Automations page's state: the rule list, the builder, the dry run and the run log.

Managers only: every handler that reads or changes rules runs with ``managers_only``; an
agent sees the page's notice and nothing else. Form inputs are uncontrolled (read on submit),
except the selects and switches that change which fields the builder shows.
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from whatsapp_saas.accounts.service import CurrentUser
from whatsapp_saas.automations import service
from whatsapp_saas.tenancy.scope import TenantScope
from whatsapp_saas.ui.actions import act
from whatsapp_saas.ui.automations import view
from whatsapp_saas.ui.automations.forms import actions_from, field, rule_parts
from whatsapp_saas.ui.base_state import AppState

PANELS = ("list", "editor", "dry_run", "run_log")


def _blank_action(kind: str = "send_message") -> dict[str, str]:
    return {"type": kind, "message": "", "tag": "", "department_id": ""}


class AutomationsState(AppState):
    tab: str = "rules"
    panel: str = "list"
    error: str = ""
    notice: str = ""
    field_errors: dict[str, str] = {}
    rules: list[dict[str, str]] = []
    departments: list[dict[str, str]] = []
    conversations: list[dict[str, str]] = []
    # The builder (what it shows; the typed text is read from the form on Save).
    editing_id: str = ""
    form_key: int = 0  # bumped to remount the uncontrolled inputs with new defaults
    form_name: str = ""
    trigger_type: str = "keyword"
    trigger_match: str = "contains"
    trigger_keyword: str = ""
    trigger_which: str = "any"
    condition: str = ""
    form_enabled: bool = True
    form_stop_after: bool = False
    actions: list[dict[str, str]] = [_blank_action()]
    # Dry run and run log.
    dry_lines: list[dict[str, Any]] = []
    dry_done: bool = False
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
            return view.rule_rows(scope, user), view.departments(scope), view.conversations(scope)

        outcome = await act(self, read, managers_only=True)
        self.error = outcome.error
        if outcome.ok and outcome.value is not None:
            self.rules, self.departments, self.conversations = outcome.value

    @rx.event
    def set_tab(self, value: str):  # type: ignore[no-untyped-def]
        self.tab = value if value in ("rules", "menus", "hours") else "rules"
        if self.tab == "hours":
            from whatsapp_saas.ui.automations.hours_state import HoursState

            return HoursState.load_hours
        return None

    # --- the builder ---------------------------------------------------------------------

    @rx.event
    def new_rule(self) -> None:
        self._fill({"id": "", "name": "", "trigger": {"type": "keyword"}, "actions": []})
        self.panel, self.tab = "editor", "rules"

    @rx.event
    async def edit_rule(self, rule_id: str) -> None:
        outcome = await act(
            self, lambda s, u: view.rule_form(s, u, int(rule_id)), managers_only=True
        )
        self.error = outcome.error
        if outcome.ok and outcome.value is not None:
            self._fill(outcome.value)
            self.panel = "editor"

    def _fill(self, rule: dict[str, Any]) -> None:
        trigger = rule.get("trigger") or {}
        self.editing_id, self.form_name = str(rule.get("id") or ""), str(rule.get("name") or "")
        self.trigger_type = str(trigger.get("type") or "keyword")
        self.trigger_match = str(trigger.get("match") or "contains")
        self.trigger_keyword = str(trigger.get("keyword") or "")
        self.trigger_which = str(trigger.get("which") or "any")
        self.condition = str(rule.get("condition") or "")
        self.form_enabled = bool(rule.get("enabled", True))
        self.form_stop_after = bool(rule.get("stop_after", False))
        self.actions = list(rule.get("actions") or []) or [_blank_action()]
        self.field_errors, self.error, self.notice = {}, "", ""
        self.form_key += 1

    @rx.event
    def show_list(self) -> None:
        self.panel, self.field_errors = "list", {}

    @rx.event
    def set_trigger_type(self, value: str) -> None:
        self.trigger_type = value if value in ("keyword", "message_received") else "keyword"

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
        parts = rule_parts(form, self.trigger_type, actions_from(form, kinds))
        rule_id = int(self.editing_id) if self.editing_id.isdigit() else None
        enabled, stop_after = self.form_enabled, self.form_stop_after

        def work(scope: TenantScope, user: CurrentUser) -> None:
            service.save_rule(
                scope, user, rule_id=rule_id, enabled=enabled, stop_after=stop_after, **parts
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
        await self._refresh()

    def _keep_typed(self, form: dict[str, Any]) -> None:
        """A refused form keeps what was typed (the inputs remount with it as defaults)."""
        self.form_name, self.trigger_keyword = field(form, "name"), field(form, "keyword")
        self.trigger_match, self.trigger_which = field(form, "match"), field(form, "which")
        self.condition = field(form, "condition")
        kinds = [a["type"] for a in self.actions]
        self.actions = [
            {
                "type": k,
                "message": field(form, f"message_{i}"),
                "tag": field(form, f"tag_{i}"),
                "department_id": field(form, f"department_{i}"),
            }
            for i, k in enumerate(kinds)
        ]
        self.form_key += 1

    # --- the list --------------------------------------------------------------------------

    @rx.event
    async def toggle_rule(self, rule_id: str, enabled: bool) -> None:
        await self._change(
            lambda s, u: service.set_enabled(s, u, rule_id=int(rule_id), enabled=bool(enabled))
        )

    @rx.event
    async def duplicate_rule(self, rule_id: str) -> None:
        await self._change(lambda s, u: service.duplicate_rule(s, u, rule_id=int(rule_id)))

    @rx.event
    async def move_rule(self, rule_id: str, step: int) -> None:
        await self._change(
            lambda s, u: service.move_rule(s, u, rule_id=int(rule_id), step=int(step))
        )

    @rx.event
    async def delete_rule(self, rule_id: str) -> None:
        await self._change(lambda s, u: service.delete_rule(s, u, rule_id=int(rule_id)))

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

        def work(scope: TenantScope, user: CurrentUser) -> list[service.DryRunLine]:
            return service.dry_run(scope, user, text=text, conversation_id=conversation_id)

        outcome = await act(self, work, managers_only=True)
        self.error = outcome.error
        if outcome.ok and outcome.value is not None:
            self.dry_lines = [self._dry_line(line) for line in outcome.value]
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
