"""Settings → Sending limits, the governor side: a rate of 0 is refused (not saved as 1), and
a number's warm-up starts the moment a phone is linked, which "applied today" shows."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from tests.delivery.conftest import Shop
from whatsapp_saas.db import session_scope
from whatsapp_saas.delivery.models import NumberSendPolicy
from whatsapp_saas.delivery.service import effective_limits, set_number_limits
from whatsapp_saas.errors import UserError
from whatsapp_saas.models_base import as_utc, utcnow
from whatsapp_saas.tenancy.scope import TenantScope
from whatsapp_saas.whatsapp import gateway as gw
from whatsapp_saas.whatsapp import service as numbers
from whatsapp_saas.whatsapp.manager import records


def _policy(number_id: int) -> NumberSendPolicy | None:
    with session_scope() as session:
        return session.exec(
            select(NumberSendPolicy).where(NumberSendPolicy.number_id == number_id)
        ).first()


@pytest.mark.parametrize("field", ["rate_count", "rate_window"])
def test_a_rate_of_zero_is_refused_and_nothing_changes(pg_shop: Shop, field: str) -> None:
    with session_scope() as session:
        set_number_limits(
            TenantScope(session, pg_shop.tenant_id), number_id=pg_shop.number_id, **{field: 5}
        )
    with pytest.raises(UserError) as err, session_scope() as session:
        set_number_limits(
            TenantScope(session, pg_shop.tenant_id), number_id=pg_shop.number_id, **{field: 0}
        )
    assert err.value.code == "sending.error_rate_zero"
    policy = _policy(pg_shop.number_id)
    assert policy is not None and getattr(policy, field) == 5


def test_the_warm_up_clock_starts_when_a_phone_is_linked(pg_shop: Shop) -> None:
    with session_scope() as session:
        scope = TenantScope(session, pg_shop.tenant_id)
        number = numbers.add_number(scope, name="Novo")
        assert number.id is not None
        number_id = number.id
        set_number_limits(
            scope, number_id=number_id, daily_cap=100, warmup_start_cap=10, warmup_days=14
        )
    with session_scope() as session:
        today = effective_limits(TenantScope(session, pg_shop.tenant_id), number_id=number_id)
    assert today.warmup_pending and today.daily_cap == 100  # not linked: nothing is sent yet

    with session_scope() as session:
        numbers.request_connect(TenantScope(session, pg_shop.tenant_id), number_id=number_id)
    before = utcnow()
    records.apply(number_id, gw.Connected(str(number_id), "+5511977776666", "Loja", "j"))

    policy = _policy(number_id)
    assert policy is not None and policy.first_linked_at is not None  # no send needed
    assert as_utc(policy.first_linked_at) >= before - timedelta(seconds=1)
    assert policy.linked_phone == "+5511977776666"
    with session_scope() as session:
        today = effective_limits(TenantScope(session, pg_shop.tenant_id), number_id=number_id)
    assert (today.warmup_day, today.warmup_days, today.daily_cap) == (1, 14, 10)
    assert not today.warmup_pending

    # A reconnect of the same phone keeps the clock.
    records.apply(number_id, gw.Disconnected(str(number_id), "network", True))
    records.apply(number_id, gw.Connected(str(number_id), "+5511977776666", "Loja", "j"))
    again = _policy(number_id)
    assert again is not None and again.first_linked_at == policy.first_linked_at
