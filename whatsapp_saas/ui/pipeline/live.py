"""Deal events into the tenant's shared feed: a tick, and what changed, by id.

Called by the realtime relay (``ui/realtime.py``) for the ``deals`` topic. Open boards watch
``deals_tick`` and reload, with their own viewer's permissions, only the columns named in
``deals_changed`` (stage ids), or everything after a pipeline's structure changed
(``p<pipeline id>``). Contact sections reload when their contact is named (``c<contact id>``).
"""

from __future__ import annotations

from typing import Any


def changed_keys(payloads: list[dict[str, Any]]) -> list[str]:
    keys: set[str] = set()
    for payload in payloads:
        if payload.get("structure"):
            keys.add(f"p{payload.get('pipeline_id')}")
        for stage in payload.get("stages") or ():
            keys.add(str(stage))
        if payload.get("contact_id"):
            keys.add(f"c{payload['contact_id']}")
    return sorted(keys)


def apply_deal_events(feed: Any, payloads: list[dict[str, Any]]) -> None:
    """Write one batch of ``deals`` events into a TenantFeed (inside its modify block)."""
    feed.deals_changed = changed_keys(payloads)
    feed.deals_tick = feed.deals_tick + 1
