"""Rows the pipeline browser tests need, written straight into the running app's database."""

from __future__ import annotations

from sqlmodel import col

from tests.conftest import point_app_at
from whatsapp_saas.accounts.models import User
from whatsapp_saas.accounts.service import CurrentUser
from whatsapp_saas.bootstrap import load_models
from whatsapp_saas.contacts.service import create_contact
from whatsapp_saas.db import session_scope
from whatsapp_saas.deals import pipelines
from whatsapp_saas.deals import service as deals
from whatsapp_saas.deals.validation import DealValues
from whatsapp_saas.tenancy.scope import TenantScope


def _owner(email: str) -> CurrentUser:
    from sqlmodel import select

    with session_scope() as s:
        user = s.exec(select(User).where(col(User.email) == email)).one()
        assert user.id is not None
        return CurrentUser(user.id, user.tenant_id, "", user.name, email, user.role, "en", "UTC")


def add_contact(database_url: str, email: str, name: str, phone: str) -> int:
    point_app_at(database_url)
    load_models()
    owner = _owner(email)
    with session_scope() as s:
        contact = create_contact(TenantScope(s, owner.tenant_id), phone=phone, name=name)
        s.flush()
        assert contact.id is not None
        return contact.id


def add_deal(database_url: str, email: str, contact_id: int, title: str, cents: int) -> int:
    """A deal in the first stage of the tenant's first pipeline (made on the first visit)."""
    point_app_at(database_url)
    load_models()
    owner = _owner(email)
    with session_scope() as s:
        scope = TenantScope(s, owner.tenant_id)
        [first, *_rest] = pipelines.ensure_default_pipeline(scope, language="en")
        stage = pipelines.stages_of(scope, pipeline_id=int(first.id or 0))[0]
        deal = deals.create_deal(
            scope,
            actor=owner,
            values=DealValues(title, contact_id, int(stage.id or 0), cents, owner.user_id),
        )
        return int(deal.id or 0)


def add_deal_field(
    database_url: str, email: str, key: str, label: str, type: str, **options: object
) -> None:
    """A deal custom field of the owner's tenant (as the Contacts setup page defines one)."""
    from whatsapp_saas.crm.fields import create_definition

    point_app_at(database_url)
    load_models()
    owner = _owner(email)
    with session_scope() as s:
        create_definition(
            TenantScope(s, owner.tenant_id),
            entity="deal",
            key=key,
            label=label,
            type=type,
            **options,  # type: ignore[arg-type]
        )
