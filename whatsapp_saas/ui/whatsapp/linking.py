"""The managers' live feed of QR codes: a shared state only owners and admins are linked to.

A QR code links a phone to the tenant's number, so it is a key: the tenant-wide feed (that
every agent's tab receives) never carries one. Managers' tabs link this feed as well, under
a token derived server-side from a manager's session; the relay refreshes it with the numbers.
"""

from __future__ import annotations

import reflex as rx

from whatsapp_saas.accounts.service import CurrentUser
from whatsapp_saas.ui.db import in_session
from whatsapp_saas.ui.shared_feed import modify_shared
from whatsapp_saas.ui.whatsapp.view import tenant_qr_codes


def linking_token(tenant_id: int) -> str:
    return f"tenant-{tenant_id}-linking"  # no underscores: Reflex refuses them in link tokens


class LinkingFeed(rx.SharedState):
    qr_codes: list[dict[str, str]] = []


async def link_linking_feed(state: rx.State, user: CurrentUser) -> None:
    """Link this tab to the tenant's QR codes, if (and only if) the user is a manager."""
    if not user.is_manager:
        return
    feed = await state.get_state(LinkingFeed)
    linked = await feed._link_to(linking_token(user.tenant_id))
    linked.qr_codes = await in_session(lambda s: tenant_qr_codes(s, user.tenant_id))


async def refresh_linking(app: rx.App, tenant_id: int) -> None:
    codes = await in_session(lambda s: tenant_qr_codes(s, tenant_id))
    async with modify_shared(app, linking_token(tenant_id), LinkingFeed) as feed:
        feed.qr_codes = codes
