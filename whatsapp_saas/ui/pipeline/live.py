"""Deal events into the tenant's shared feed: a tick, and what changed, by id.

Called by the realtime hub (``ui/realtime.py``'s ``shared_feeds_changed``) for
:class:`DealsChanged`. Open boards watch
``deals_tick`` and reload, with their own viewer's permissions, only the columns named in
``deals_changed`` (stage ids), or everything after a pipeline's structure changed
(``p<pipeline id>``). Contact sections reload when their contact is named (``c<contact id>``).
"""

from __future__ import annotations

from typing import Any

from whatsapp_saas.realtime.events import DealsChanged


def changed_keys(events: list[DealsChanged]) -> list[str]:
    keys: set[str] = set()
    for event in events:
        if event.structure:
            keys.add(f"p{event.pipeline_id}")
        keys.update(str(stage) for stage in event.stages)
        if event.contact_id:
            keys.add(f"c{event.contact_id}")
    return sorted(keys)


def apply_deal_events(feed: Any, events: list[DealsChanged]) -> None:
    """Write one batch of deal changes into a TenantFeed (inside its modify block)."""
    feed.deals_changed = changed_keys(events)
    feed.deals_tick = feed.deals_tick + 1
