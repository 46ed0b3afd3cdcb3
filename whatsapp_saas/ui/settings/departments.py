"""Settings → Departments: queues of conversations and the people who work them.

Everyone may look; only owners and admins change anything (the service refuses the others,
and the page hides the controls from them).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import reflex as rx
from sqlmodel import Session

from whatsapp_saas.accounts import service as accounts
from whatsapp_saas.accounts.models import User
from whatsapp_saas.i18n import translate
from whatsapp_saas.inbox import departments as service
from whatsapp_saas.inbox.models import Department
from whatsapp_saas.tenancy.scope import TenantScope
from whatsapp_saas.ui import routes
from whatsapp_saas.ui.actions import act
from whatsapp_saas.ui.base_state import AppState
from whatsapp_saas.ui.components import error_callout, success_callout, text_field
from whatsapp_saas.ui.db import in_session
from whatsapp_saas.ui.layout import shell

ROUTE = "/settings/departments"


@dataclasses.dataclass
class Person:
    id: str
    name: str
    remove_label: str = ""  # "Remove Ana from Sales", for screen readers and tests


@dataclasses.dataclass
class DepartmentRow:
    id: str
    name: str
    members: list[Person] = dataclasses.field(default_factory=list)
    candidates: list[Person] = dataclasses.field(default_factory=list)  # may be added


class DepartmentsState(AppState):
    departments: list[DepartmentRow] = []
    error: str = ""
    notice: str = ""

    @rx.event
    async def load(self):  # type: ignore[no-untyped-def]
        redirect = await self.require_login()
        if redirect is not None:
            return redirect
        self.error = self.notice = ""
        await self._refresh()
        return None

    async def _refresh(self) -> None:
        user = await self._current_user()
        if user is None:
            return
        language = self.lang or "pt-BR"
        self.departments = await in_session(lambda s: _rows(s, user.tenant_id, language))

    async def _act(self, work: Callable[[TenantScope, Any], Any]) -> bool:
        """Run a change as the signed-in user; a refusal becomes a translated error."""
        self.notice = ""
        outcome = await act(self, work)
        self.error = outcome.error
        await self._refresh()
        return outcome.ok

    def _name_of(self, department_id: str) -> str:
        return next((d.name for d in self.departments if d.id == department_id), "")

    @rx.event
    async def create(self, form: dict[str, Any]) -> None:
        name = str(form.get("name", ""))
        if await self._act(lambda scope, me: service.create_department(scope, actor=me, name=name)):
            self.notice = self._tr("dept.created", name=" ".join(name.split()))

    @rx.event
    async def rename(self, form: dict[str, Any]) -> None:
        department_id, name = int(form.get("department_id", 0)), str(form.get("name", ""))
        if await self._act(
            lambda scope, me: service.rename_department(
                scope, actor=me, department_id=department_id, name=name
            )
        ):
            self.notice = self._tr("dept.renamed", name=" ".join(name.split()))

    @rx.event
    async def delete(self, department_id: str) -> None:
        name = self._name_of(department_id)
        if await self._act(
            lambda scope, me: service.delete_department(
                scope, actor=me, department_id=int(department_id)
            )
        ):
            self.notice = self._tr("dept.deleted", name=name)

    @rx.event
    async def add_member(self, form: dict[str, Any]) -> None:
        department_id, user_id = str(form.get("department_id", "")), str(form.get("user_id", ""))
        if not (department_id.isdigit() and user_id.isdigit()):
            return
        await self._act(
            lambda scope, me: service.add_member(
                scope, actor=me, department_id=int(department_id), user_id=int(user_id)
            )
        )

    @rx.event
    async def remove_member(self, department_id: str, user_id: str) -> None:
        await self._act(
            lambda scope, me: service.remove_member(
                scope, actor=me, department_id=int(department_id), user_id=int(user_id)
            )
        )


def _rows(session: Session, tenant_id: int, language: str) -> list[DepartmentRow]:
    scope = TenantScope(session, tenant_id)
    people = {u.id: u for u in accounts.list_users(scope)}
    return [
        _row(scope, department, people, language) for department in service.list_departments(scope)
    ]


def _row(
    scope: TenantScope, department: Department, people: dict[int | None, User], language: str
) -> DepartmentRow:
    assert department.id is not None
    member_ids = set(service.members_of(scope, department_id=department.id))
    members = [
        Person(
            str(uid),
            people[uid].name,
            translate(
                language, "dept.remove_label", name=people[uid].name, department=department.name
            ),
        )
        for uid in sorted(member_ids, key=lambda uid: people[uid].name.lower())
        if uid in people
    ]
    candidates = [
        Person(str(user.id), user.name)
        for user in people.values()
        if user.id not in member_ids and user.is_active
    ]
    return DepartmentRow(str(department.id), department.name, members, candidates)


# --- page -----------------------------------------------------------------------------------

S = DepartmentsState
T = S.t


def _create_form() -> rx.Component:
    return rx.form(
        rx.flex(
            text_field("dept.name", "name", id="dept-new-name", required=True, max_length=80),
            rx.button(T["dept.create"], type="submit"),
            gap="1em",
            align="end",
            max_width="560px",
        ),
        on_submit=S.create,
        reset_on_submit=True,
    )


def _rename_form(dept: rx.Var) -> rx.Component:
    field_id = "dept-name-" + dept.id
    return rx.form(
        rx.el.input(type="hidden", name="department_id", value=dept.id),
        rx.flex(
            rx.vstack(
                rx.el.label(T["dept.name"], html_for=field_id, class_name="field-label"),
                rx.input(id=field_id, name="name", default_value=dept.name, required=True),
                spacing="1",
            ),
            rx.button(T["dept.rename"], type="submit", variant="soft"),
            rx.button(
                T["dept.delete"],
                type="button",
                variant="soft",
                color_scheme="red",
                on_click=S.delete(dept.id),
            ),
            gap="0.75em",
            align="end",
            wrap="wrap",
        ),
        key=dept.id + dept.name,  # a rename elsewhere refreshes the field's default
        on_submit=S.rename,
        reset_on_submit=False,
    )


def _member(dept: rx.Var, person: rx.Var) -> rx.Component:
    return rx.badge(
        person.name,
        rx.cond(
            S.is_manager,
            rx.el.button(
                rx.icon("x", size=12),
                type="button",
                aria_label=person.remove_label,
                title=T["dept.remove"],
                on_click=S.remove_member(dept.id, person.id),
                class_name="badge-remove",
            ),
        ),
        size="2",
        variant="soft",
        data_testid="department-member",
    )


def _add_member_form(dept: rx.Var) -> rx.Component:
    select_id = "dept-add-" + dept.id
    return rx.form(
        rx.el.input(type="hidden", name="department_id", value=dept.id),
        rx.flex(
            rx.vstack(
                rx.el.label(T["dept.add_member"], html_for=select_id, class_name="field-label"),
                rx.el.select(
                    rx.el.option(T["dept.choose_user"], value=""),
                    rx.foreach(dept.candidates, lambda p: rx.el.option(p.name, value=p.id)),
                    id=select_id,
                    name="user_id",
                    required=True,
                    class_name="native-select",
                ),
                spacing="1",
            ),
            rx.button(T["dept.add"], type="submit", variant="soft"),
            gap="0.75em",
            align="end",
        ),
        on_submit=S.add_member,
        reset_on_submit=True,
    )


def _department_card(dept: rx.Var) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading(dept.name, size="4", as_="h2"),
            rx.cond(S.is_manager, _rename_form(dept)),
            rx.text(T["dept.members"], weight="medium", size="2"),
            rx.cond(
                dept.members.length() > 0,
                rx.flex(
                    rx.foreach(dept.members, lambda p: _member(dept, p)), gap="0.5em", wrap="wrap"
                ),
                rx.text(T["dept.no_members"], size="2", color_scheme="gray"),
            ),
            rx.cond(S.is_manager, _add_member_form(dept)),
            spacing="3",
            width="100%",
        ),
        width="100%",
        max_width="720px",
        data_testid="department-card",
    )


def departments_page() -> rx.Component:
    return shell(
        rx.link(T["dept.back"], href=routes.SETTINGS),
        rx.text(T["dept.intro"]),
        error_callout(S.error),
        success_callout(S.notice),
        rx.cond(
            S.is_manager,
            rx.vstack(
                rx.heading(T["dept.new"], size="4", as_="h2"),
                _create_form(),
                rx.text(T["dept.delete_hint"], size="1", color_scheme="gray"),
                width="100%",
            ),
            rx.text(T["dept.only_managers"], color_scheme="gray"),
        ),
        rx.cond(
            S.departments.length() > 0,
            rx.vstack(rx.foreach(S.departments, _department_card), spacing="4", width="100%"),
            rx.text(T["dept.empty"], color_scheme="gray"),
        ),
        title=T["dept.title"],
    )
