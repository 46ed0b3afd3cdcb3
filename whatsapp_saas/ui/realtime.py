"""Live updates: a SharedState per tenant, fed by the tenant event channel.

Each browser links its ``TenantFeed`` to ``tenant-<id>`` (derived server-side from the signed-in
user). The relay task reloads the affected view from the database — the one truth — and
writes it into the shared state, which Reflex pushes to every linked browser.
"""

from __future__ import annotations

import asyncio
import logging

import reflex as rx

from whatsapp_saas.realtime.channel import TenantEvent, get_channel
from whatsapp_saas.ui.db import in_session
from whatsapp_saas.ui.whatsapp.view import tenant_numbers

log = logging.getLogger(__name__)


def feed_token(tenant_id: int) -> str:
    return f"tenant-{tenant_id}"  # no underscores: Reflex refuses them in link tokens


class TenantFeed(rx.SharedState):
    numbers: list[dict[str, str]] = []


async def refresh_numbers(app: rx.App, tenant_id: int) -> None:
    rows = await in_session(lambda s: tenant_numbers(s, tenant_id))
    token = rx.BaseStateToken(ident=feed_token(tenant_id), cls=TenantFeed)
    async with app.modify_state(token) as root:
        feed = await root.get_state(TenantFeed)
        feed.numbers = rows


TOPIC_HANDLERS = {"numbers": refresh_numbers}


async def relay(app: rx.App) -> None:
    """Forever: apply tenant events to the shared feeds. One failure never stops the relay."""
    while True:
        try:
            async for event in get_channel().subscribe():
                await _apply(app, event)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("realtime relay failed; restarting in 1 s")
            await asyncio.sleep(1)


async def _apply(app: rx.App, event: TenantEvent) -> None:
    handler = TOPIC_HANDLERS.get(event.topic)
    if handler is None:
        return
    try:
        await handler(app, event.tenant_id)
    except Exception:
        log.exception("could not refresh %s for tenant %s", event.topic, event.tenant_id)
