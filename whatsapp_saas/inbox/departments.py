"""Departments (queues) and who belongs to them. Managing them is for owners and admins."""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import col, delete

from whatsapp_saas.accounts.models import User
from whatsapp_saas.accounts.service import CurrentUser, require_manager
from whatsapp_saas.db import announce_after_commit
from whatsapp_saas.errors import UserError
from whatsapp_saas.inbox.events import DepartmentMembershipChanged
from whatsapp_saas.inbox.models import Department, DepartmentMember
from whatsapp_saas.tenancy.scope import TenantScope

NAME_MAX = 80


def list_departments(scope: TenantScope) -> Sequence[Department]:
    return scope.session.exec(scope.select(Department).order_by(col(Department.name))).all()


def create_department(scope: TenantScope, *, actor: CurrentUser, name: str) -> Department:
    require_manager(actor)
    cleaned = _name(name)
    if scope.first(Department, Department.name == cleaned) is not None:
        raise UserError("error.inbox_department_name_taken")
    department = scope.add(Department(tenant_id=scope.tenant_id, name=cleaned))
    scope.session.flush()
    return department


def rename_department(
    scope: TenantScope, *, actor: CurrentUser, department_id: int, name: str
) -> Department:
    require_manager(actor)
    department = scope.get(Department, department_id)
    cleaned = _name(name)
    clash = scope.first(Department, Department.name == cleaned)
    if clash is not None and clash.id != department_id:
        raise UserError("error.inbox_department_name_taken")
    department.name = cleaned
    scope.session.add(department)
    return department


def delete_department(scope: TenantScope, *, actor: CurrentUser, department_id: int) -> None:
    """Its conversations stay, back in the general queue (department set to NULL)."""
    require_manager(actor)
    scope.delete(Department, department_id)


def add_member(scope: TenantScope, *, actor: CurrentUser, department_id: int, user_id: int) -> None:
    require_manager(actor)
    scope.get(Department, department_id)
    scope.get(User, user_id)
    exists = scope.first(
        DepartmentMember,
        DepartmentMember.department_id == department_id,
        DepartmentMember.user_id == user_id,
    )
    if exists is None:
        scope.add(
            DepartmentMember(
                tenant_id=scope.tenant_id, department_id=department_id, user_id=user_id
            )
        )
        scope.session.flush()
        # Open inboxes keep the user's departments in memory: tell them.
        announce_after_commit(scope.session, DepartmentMembershipChanged(scope.tenant_id, user_id))


def remove_member(
    scope: TenantScope, *, actor: CurrentUser, department_id: int, user_id: int
) -> None:
    require_manager(actor)
    scope.get(Department, department_id)
    scope.session.exec(
        delete(DepartmentMember)
        .where(col(DepartmentMember.tenant_id) == scope.tenant_id)
        .where(col(DepartmentMember.department_id) == department_id)
        .where(col(DepartmentMember.user_id) == user_id)
    )  # type: ignore[call-overload]
    announce_after_commit(scope.session, DepartmentMembershipChanged(scope.tenant_id, user_id))


def members_of(scope: TenantScope, *, department_id: int) -> list[int]:
    scope.get(Department, department_id)
    rows = scope.all(DepartmentMember, DepartmentMember.department_id == department_id)
    return [row.user_id for row in rows]


def departments_of(scope: TenantScope, *, user_id: int) -> list[int]:
    return [
        row.department_id
        for row in scope.all(DepartmentMember, DepartmentMember.user_id == user_id)
    ]


def _name(name: str) -> str:
    cleaned = " ".join(name.split())
    if not cleaned:
        raise UserError("error.inbox_department_name_required")
    if len(cleaned) > NAME_MAX:
        raise UserError("error.too_long", limit=NAME_MAX)
    return cleaned
