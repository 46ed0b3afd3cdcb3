"""Which address a request came from, trusting ``X-Forwarded-For`` only through our proxies.

With ``TRUSTED_PROXY_HOPS=0`` (the default) the header is ignored: anyone can write it. With
``N`` proxies in front of the app, each appends the address it saw, so the N-th entry from the
right is the one the outermost trusted proxy saw; anything further left is the client's claim.
"""

from __future__ import annotations


def client_ip(peer: str | None, forwarded_for: str | None, trusted_hops: int) -> str | None:
    if trusted_hops <= 0 or not forwarded_for:
        return peer or None
    hops = [part.strip() for part in forwarded_for.split(",") if part.strip()]
    if len(hops) < trusted_hops:
        return peer or None  # fewer entries than proxies: the chain is not ours
    return hops[-trusted_hops]
