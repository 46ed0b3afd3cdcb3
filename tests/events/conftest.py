"""Fixtures for the event spine tests: a tenant with a number, and statement counting."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from sqlalchemy import event

from whatsapp_saas.db import get_engine, session_scope
from whatsapp_saas.tenancy.models import Tenant
from whatsapp_saas.whatsapp.models import WhatsAppNumber


@dataclass
class Shop:
    tenant_id: int
    number_id: int


def make_shop(name: str = "Acme") -> Shop:
    with session_scope() as session:
        tenant = Tenant(name=name)
        session.add(tenant)
        session.flush()
        assert tenant.id is not None
        number = WhatsAppNumber(tenant_id=tenant.id, name="Main", phone="+5511900000000")
        session.add(number)
        session.flush()
        assert number.id is not None
        return Shop(tenant.id, number.id)


@pytest.fixture
def shop(any_db: str) -> Shop:
    return make_shop()


@pytest.fixture
def pg_shop(db: str) -> Shop:
    return make_shop()


class QueryCounter:
    """Counts the SQL statements the app sends (as Zulip's tests do), per block."""

    def __init__(self) -> None:
        self.statements: list[str] = []

    def __call__(self, _conn, _cursor, statement, _params, _context, _many) -> None:  # type: ignore[no-untyped-def]
        self.statements.append(statement)

    def count(self) -> int:
        return len(self.statements)


@pytest.fixture
def count_queries() -> Iterator[QueryCounter]:
    counter = QueryCounter()
    engine = get_engine()
    event.listen(engine, "before_cursor_execute", counter)
    yield counter
    event.remove(engine, "before_cursor_execute", counter)
