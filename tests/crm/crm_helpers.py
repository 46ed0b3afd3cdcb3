"""Small helpers of the CRM tests: run a service in a scope, make contacts."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from whatsapp_saas.accounts.service import CurrentUser
from whatsapp_saas.crm import profile
from whatsapp_saas.db import session_scope
from whatsapp_saas.tenancy.scope import TenantScope

T = TypeVar("T")


def run(tenant_id: int, work: Callable[[TenantScope], T]) -> T:
    with session_scope() as session:
        return work(TenantScope(session, tenant_id))


def make_contact(viewer: CurrentUser, phone: str, name: str = "", **changes: object) -> int:
    def work(scope: TenantScope) -> int:
        contact, _ = profile.new_contact(scope, actor=viewer, phone=phone, name=name)
        assert contact.id is not None
        if changes:
            profile.update_profile(scope, actor=viewer, contact_id=contact.id, changes=changes)
        return contact.id

    return run(viewer.tenant_id, work)
