"""Tuning knobs of outbound delivery, from ``DELIVERY_*`` environment variables.

Defaults suit production; tests shrink the timings. The governor's per-number and per-tenant
limits have defaults here and overrides in the database (:mod:`whatsapp_saas.delivery.models`).
"""

from __future__ import annotations

from functools import lru_cache

from pydantic_settings import BaseSettings, SettingsConfigDict


class DeliverySettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="DELIVERY_", env_file=".env", extra="ignore")

    # --- the send path -------------------------------------------------------------------------
    # A claimed message left in "sending" this long belongs to a dead worker: the sweeper
    # re-queues it. Must exceed the longest send (rpc_timeout plus a governor hold).
    sending_timeout: float = 60.0
    # How long a worker waits for the owning node to answer a send request.
    rpc_timeout: float = 20.0
    # A queued message whose wake-up is this old is woken again (a lost queue entry).
    lost_after: float = 15.0
    sweep_interval: float = 1.0
    max_attempts: int = 12
    backoff_base: float = 2.0
    backoff_cap: float = 300.0
    # Micro-batching inside a worker: many wake-ups, one claim statement, one request per node.
    batch_size: int = 50
    batch_wait: float = 0.003
    batch_concurrency: int = 8
    # How long a node remembers (in Redis) that it sent or tried a message: longer than any
    # retry of a crashed worker's attempt can take to come back.
    marker_ttl: float = 900.0

    # --- taskiq on Redis -----------------------------------------------------------------------
    # The stream; empty: "<namespace>:delivery" (see keys.py).
    queue_name: str = ""
    # Longer than the slowest task (rpc_timeout + governor hold + batching), or tasks run twice.
    idle_timeout: float = 60.0
    xread_count: int = 10
    stream_maxlen: int = 200_000

    # --- embedded mode (no Redis) --------------------------------------------------------------
    # Without Redis a producer in another process (a scheduler, a script) cannot wake this
    # process: its messages are found by the sweeper after this long.
    embedded_lost_after: float = 2.0

    # --- the governor (ban protection) ---------------------------------------------------------
    governor_enabled: bool = True
    # Sends of one number (all kinds) per sliding window.
    rate_count: int = 30
    rate_window: float = 60.0
    # Campaign and scheduled sends ("bulk") may fill at most this share of the window, so a
    # live conversation always has room, and are spaced by gap + random jitter.
    bulk_share: float = 0.5
    bulk_gap: float = 4.0
    bulk_jitter: float = 4.0
    # Bulk sends per number per local day; live replies count but are never held back.
    daily_cap: int = 500
    # A newly linked number starts at warmup_start_cap a day, reaching daily_cap after this.
    warmup_days: int = 14
    warmup_start_cap: int = 40
    # Per tenant, across its numbers: all sends per minute; bulk sends per local day.
    tenant_per_minute: int = 300
    tenant_per_day: int = 5000
    # A send held by the governor for at most this long waits in its worker; longer waits go
    # back to the outbox with a due time (a worker slot is never held for minutes).
    hold_max: float = 1.5
    # While a send is in flight its rate-window slot counts as "now" for at most this long.
    inflight_max: float = 30.0


@lru_cache(maxsize=1)
def delivery_settings() -> DeliverySettings:
    return DeliverySettings()


def reset_delivery_settings() -> None:
    delivery_settings.cache_clear()
