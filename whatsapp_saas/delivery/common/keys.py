"""Redis key names of delivery, inside the deployment's namespace.

Two deployments (or test runs) sharing one Redis must not see each other's queues, leases or
rate windows: keys live under the connection manager's per-database namespace when it has
one (``whatsapp_saas.whatsapp.manager.namespace``).
"""

from __future__ import annotations

from functools import lru_cache

from whatsapp_saas.config import get_settings
from whatsapp_saas.whatsapp.manager.namespace import lease_key as manager_lease_key
from whatsapp_saas.whatsapp.manager.namespace import redis_namespace


def namespace() -> str:
    return _namespace(get_settings().effective_database_url)


@lru_cache(maxsize=8)
def _namespace(database_url: str) -> str:
    del database_url  # the cache key: the namespace follows the database
    return redis_namespace()


def lease_key(number_id: int) -> str:
    """Where the connection managers record a number's owner (must match theirs)."""
    return manager_lease_key(number_id, namespace())


def dlv(suffix: str) -> str:
    return f"{namespace()}:dlv:{suffix}"


def stream() -> str:
    return f"{namespace()}:delivery"


def governor(suffix: str) -> str:
    return f"{namespace()}:gov:{suffix}"
