"""Writing a shared state (a tenant's live feed) from outside any browser's event.

Reflex's ``app.modify_state`` also sends the delta to the client the token names. A feed's
token (``tenant-<id>``) names no browser, so every write logged "Attempting to send delta to
disconnected client". This writes through the state manager instead; Reflex still fans the
change out to the linked tabs.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import TypeVar

import reflex as rx

Feed = TypeVar("Feed", bound=rx.State)


@contextlib.asynccontextmanager
async def modify_shared(app: rx.App, ident: str, cls: type[Feed]) -> AsyncIterator[Feed]:
    token = rx.BaseStateToken(ident=ident, cls=cls)
    with app.set_contexts():
        async with app.state_manager.modify_state_with_links(token) as root:
            yield await root.get_state(cls)
            # As app.modify_state does: record the changed vars, which the fan-out applies.
            root._clean()


async def linked_tabs(app: rx.App, ident: str, cls: type[rx.State]) -> set[str]:
    """The client tokens of the tabs linked to a shared state."""
    root = await app.state_manager.get_state(rx.BaseStateToken(ident=ident, cls=cls))
    feed = await root.get_state(cls)
    return set(getattr(feed, "_linked_from", set()))


async def unlink_tab(app: rx.App, client_token: str, cls: type[rx.State]) -> None:
    """Remove a tab's own link to ``cls``, so no later event or fan-out patches it back in."""
    name = cls.get_full_name()
    token = rx.BaseStateToken(ident=client_token, cls=cls)
    async with app.state_manager.modify_state(token) as root:
        links = dict(root._reflex_internal_links or {})
        if links.pop(name, None) is not None:
            root._reflex_internal_links = links


async def drop_tabs(app: rx.App, ident: str, cls: type[rx.State], tokens: set[str]) -> None:
    """Take tabs out of a shared state's fan-out."""
    if not tokens:
        return
    async with modify_shared(app, ident, cls) as feed:
        remaining = set(getattr(feed, "_linked_from", set())) - tokens
        feed._linked_from = remaining  # type: ignore[attr-defined]


async def leave(state: rx.State, cls: type[rx.State]) -> None:
    """Unlink this tab from ``cls`` now, from inside its own event (sign-out)."""
    links = state._get_root_state()._reflex_internal_links or {}
    if cls.get_full_name() in links:
        feed = await state.get_state(cls)
        await feed._unlink()  # type: ignore[attr-defined]
