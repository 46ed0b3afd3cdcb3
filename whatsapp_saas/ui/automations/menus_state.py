"""The Menus tab's state: the list and the tree editor (managers only).

The editor keeps the tree as a flat list of option rows in display order, each with its
depth, so the page can show nesting by indentation and edit rows by index; Save rebuilds the
tree (:func:`rows_to_tree`) and the service validates it, naming the field in error.
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from whatsapp_saas.accounts.service import CurrentUser
from whatsapp_saas.automations import menu_service
from whatsapp_saas.automations.menus import TARGET_MENU, AutomationMenu, render
from whatsapp_saas.tenancy.scope import TenantScope
from whatsapp_saas.ui.actions import act
from whatsapp_saas.ui.automations import menus_rows
from whatsapp_saas.ui.base_state import AppState

Row = dict[str, str]
MAX_ROWS = 60


def blank_row(depth: int = 0) -> Row:
    return {
        "depth": str(depth),
        "number": "",
        "label": "",
        "target": "department",
        "message": "",
        "department_id": "",
        "user_id": "",
        "rule_id": "",
        "media_id": "",
    }


def numbered(rows: list[Row]) -> list[Row]:
    """Each row's number ("2.1") from its depth and the rows above it."""
    counters: list[int] = []
    out = []
    for row in rows:
        depth = int(row["depth"])
        counters = counters[: depth + 1]
        while len(counters) <= depth:
            counters.append(0)
        counters[depth] += 1
        out.append({**row, "number": ".".join(str(c) for c in counters)})
    return out


def rows_to_tree(message: str, rows: list[Row], media_id: str = "") -> dict[str, Any]:
    root: dict[str, Any] = {"message": message, "options": []}
    if media_id:
        root["media_id"] = media_id
    stack: list[dict[str, Any]] = [root]
    for row in rows:
        depth = int(row["depth"])
        node: dict[str, Any] = {k: row[k] for k in ("label", "target", "message")}
        for key in ("department_id", "user_id", "rule_id", "media_id"):
            if row.get(key):
                node[key] = row[key]
        node["options"] = []
        del stack[depth + 1 :]
        parent = stack[-1]
        parent.setdefault("options", []).append(node)
        stack.append(node)
    return root


def tree_to_rows(node: dict[str, Any], depth: int = 0) -> list[Row]:
    rows: list[Row] = []
    for option in node.get("options") or []:
        row = blank_row(depth)
        row.update({k: str(option.get(k) or "") for k in row if k not in ("depth", "number")})
        rows.append(row)
        rows.extend(tree_to_rows(option, depth + 1))
    return rows


class MenusState(AppState):
    menus: list[Row] = []
    menu_panel: str = "list"
    menu_error: str = ""
    menu_notice: str = ""
    menu_departments: list[Row] = []
    menu_agents: list[Row] = []
    menu_rules: list[Row] = []
    # The editor (controlled inputs).
    m_id: str = ""
    m_name: str = ""
    m_message: str = ""
    m_media: str = ""  # the root message's file (automation files), "" for none
    m_rows: list[Row] = []
    m_keywords: str = ""
    m_reprompt_limit: str = "2"
    m_reprompt_message: str = ""
    m_handoff_message: str = ""
    m_timeout: str = "30"
    m_timeout_action: str = "human"
    m_expiry: str = "1440"
    m_start_new: bool = False
    m_enabled: bool = True

    @rx.var
    def m_preview(self) -> str:
        tree = rows_to_tree(self.m_message, self.m_rows)
        return render(tree)

    @rx.event
    async def load_menus(self) -> None:
        def read(scope: TenantScope, user: CurrentUser) -> tuple[Any, ...]:
            return (
                menus_rows.menu_rows(scope, user),
                menus_rows.departments(scope),
                menus_rows.agents(scope),
                menus_rows.rules(scope),
            )

        outcome = await act(self, read, managers_only=True)
        self.menu_error, self.menu_panel = outcome.error, "list"  # the tab opens on the list
        if outcome.ok and outcome.value is not None:
            self.menus, self.menu_departments, self.menu_agents, self.menu_rules = outcome.value

    @rx.event
    async def open_menus(self) -> None:
        """The tab was clicked: the list, fresh, without an earlier notice."""
        self.menu_notice = ""
        await self.load_menus()

    @rx.event
    def new_menu(self) -> None:
        self._fill({}, [blank_row()])
        self.menu_panel = "editor"

    @rx.event
    async def edit_menu(self, menu_id: str) -> None:
        if not str(menu_id).isdigit():
            return

        def read(scope: TenantScope, user: CurrentUser) -> dict[str, Any]:
            menu_service.require_manager(user)
            return menus_rows.menu_form(scope.get(AutomationMenu, int(menu_id)))

        outcome = await act(self, read, managers_only=True)
        self.menu_error = outcome.error
        if outcome.ok and outcome.value is not None:
            self._fill(outcome.value, tree_to_rows(outcome.value["tree"]))
            self.menu_panel = "editor"

    def _fill(self, form: dict[str, Any], rows: list[Row]) -> None:
        self.m_id, self.m_name = str(form.get("id") or ""), str(form.get("name") or "")
        self.m_message = str((form.get("tree") or {}).get("message") or "")
        self.m_media = str((form.get("tree") or {}).get("media_id") or "")
        self.m_rows = numbered(rows)
        self.m_keywords = str(form.get("keywords") or "")
        self.m_reprompt_limit = str(form.get("reprompt_limit", 2))
        self.m_reprompt_message = str(
            form.get("reprompt_message") or self._tr("menu.reprompt_default")
        )
        self.m_handoff_message = str(
            form.get("handoff_message") or self._tr("menu.handoff_default")
        )
        self.m_timeout = str(form.get("timeout_minutes", 30))
        self.m_timeout_action = str(form.get("timeout_action") or "human")
        self.m_expiry = str(form.get("expiry_minutes", 1440))
        self.m_start_new = bool(form.get("start_on_new_conversation", False))
        self.m_enabled = bool(form.get("enabled", True))
        self.menu_error = self.menu_notice = ""

    @rx.event
    def show_menus(self) -> None:
        self.menu_panel, self.menu_error = "list", ""

    # --- editing the tree -----------------------------------------------------------------

    @rx.event
    def set_row(self, index: int, key: str, value: str) -> None:
        position = int(index)
        if 0 <= position < len(self.m_rows) and key in blank_row():
            rows = [dict(r) for r in self.m_rows]
            rows[position][key] = str(value)
            self.m_rows = rows

    @rx.event
    def add_option(self) -> None:
        if len(self.m_rows) < MAX_ROWS:
            self.m_rows = numbered([*self.m_rows, blank_row()])

    @rx.event
    def add_sub_option(self, index: int) -> None:
        position = int(index)
        if not 0 <= position < len(self.m_rows) or len(self.m_rows) >= MAX_ROWS:
            return
        rows = [dict(r) for r in self.m_rows]
        rows[position]["target"] = TARGET_MENU
        depth = int(rows[position]["depth"])
        end = self._subtree_end(position)
        rows.insert(end, blank_row(depth + 1))
        self.m_rows = numbered(rows)

    @rx.event
    def remove_option(self, index: int) -> None:
        position = int(index)
        if 0 <= position < len(self.m_rows):
            end = self._subtree_end(position)
            self.m_rows = numbered(self.m_rows[:position] + self.m_rows[end:])

    def _subtree_end(self, position: int) -> int:
        depth = int(self.m_rows[position]["depth"])
        end = position + 1
        while end < len(self.m_rows) and int(self.m_rows[end]["depth"]) > depth:
            end += 1
        return end

    @rx.event
    def set_m_start_new(self, value: bool) -> None:
        self.m_start_new = bool(value)

    @rx.event
    def set_m_enabled(self, value: bool) -> None:
        self.m_enabled = bool(value)

    @rx.event
    def set_m_field(self, key: str, value: str) -> None:
        fields = (
            "m_name",
            "m_message",
            "m_media",
            "m_keywords",
            "m_reprompt_limit",
            "m_reprompt_message",
            "m_handoff_message",
            "m_timeout",
            "m_timeout_action",
            "m_expiry",
        )
        if key in fields:
            setattr(self, key, str(value))

    # --- saving -----------------------------------------------------------------------------

    @rx.event
    async def save_menu(self) -> None:
        self.menu_error = self.menu_notice = ""
        values = {
            "menu_id": int(self.m_id) if self.m_id.isdigit() else None,
            "name": self.m_name,
            "tree": rows_to_tree(self.m_message, self.m_rows, self.m_media),
            "keywords": self.m_keywords,
            "reprompt_limit": self.m_reprompt_limit,
            "reprompt_message": self.m_reprompt_message,
            "handoff_message": self.m_handoff_message,
            "timeout_minutes": self.m_timeout,
            "timeout_action": self.m_timeout_action,
            "expiry_minutes": self.m_expiry,
            "start_on_new_conversation": self.m_start_new,
            "enabled": self.m_enabled,
        }

        def work(scope: TenantScope, user: CurrentUser) -> None:
            menu_service.save_menu(scope, actor=user, **values)

        outcome = await act(self, work, managers_only=True)
        if not outcome.ok:
            self.menu_error = outcome.error
            return
        self.menu_notice, self.menu_panel = self._tr("menu.saved"), "list"
        await self.load_menus()

    @rx.event
    async def delete_menu(self, menu_id: str) -> None:
        if not str(menu_id).isdigit():
            return

        def work(scope: TenantScope, user: CurrentUser) -> None:
            menu_service.delete_menu(scope, actor=user, menu_id=int(menu_id))

        outcome = await act(self, work, managers_only=True)
        self.menu_error = outcome.error
        if outcome.ok:
            self.menu_notice = self._tr("menu.deleted")
            await self.load_menus()
