"""Tuning knobs of the connection manager, from ``MANAGER_*`` environment variables.

Defaults suit production; tests shrink the timings. They live apart from the app settings so
the manager can be tuned per node without touching anything else.
"""

from __future__ import annotations

from pydantic_settings import BaseSettings, SettingsConfigDict


class ManagerSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="MANAGER_", env_file=".env", extra="ignore")

    # Session starts (boot restore and reconnects) per second, across this node.
    start_rate: float = 20.0
    sessions_per_host: int = 25
    # How long a lease lives without renewal: a dead node's sessions move after about this.
    lease_ttl: float = 15.0
    reconcile_interval: float = 2.0
    # Reconnect backoff: base * 2**attempt, capped, with jitter.
    backoff_base: float = 1.0
    backoff_cap: float = 60.0
    # Snapshot this long after the last StoreChanged (debounce; 1-5 s).
    snapshot_debounce: float = 2.0
    # A session reported as reconnecting by its engine for this long is restarted by us.
    reconnect_watchdog: float = 90.0
    # Waiting for a host process to answer a command.
    call_timeout: float = 30.0
    pairing_timeout: float = 20.0
    # At most this many sessions owned by one node (0 = no limit).
    max_sessions: int = 0
    log_level: str = "INFO"
