"""Redis key and channel names, namespaced per database.

Two deployments (or two test runs) sharing one Redis must never see each other's leases or
control messages: number 1 of one database is not number 1 of the other. The namespace is
derived from the database's identity (host, port, name), or set with
``MANAGER_REDIS_NAMESPACE``.
"""

from __future__ import annotations

import hashlib
import os

from sqlalchemy.engine import make_url

from whatsapp_saas.config import get_settings


def redis_namespace() -> str:
    explicit = os.environ.get("MANAGER_REDIS_NAMESPACE")
    if explicit:
        return f"wa:{explicit}"
    url = make_url(get_settings().effective_database_url)
    identity = f"{url.host}:{url.port}/{url.database}"
    return "wa:" + hashlib.sha256(identity.encode()).hexdigest()[:12]


def lease_key(number_id: int, namespace: str | None = None) -> str:
    return f"{namespace or redis_namespace()}:lease:{number_id}"


def control_channel() -> str:
    return f"{redis_namespace()}:control"


def reply_key(token: str) -> str:
    return f"{redis_namespace()}:reply:{token}"
