"""Startup wiring of the inbox, in the shape :mod:`whatsapp_saas.bootstrap` expects.

Listing ``"whatsapp_saas.inbox.wiring"`` in ``HANDLER_MODULES`` makes every process that
bootstraps persist inbound traffic: :func:`register` installs the ingest pipeline as THE
inbound sink. The connection manager may then attach its media fetcher:

    pipeline = installed_pipeline()
    pipeline.set_media_fetcher(fetch)            # async (number_id, MediaRef) -> bytes

(The outbound waker is a live subscriber on the bus: see ``delivery/notifier.py``.)
"""

from __future__ import annotations

from whatsapp_saas.events.bus import EventBus
from whatsapp_saas.inbox.pipeline import install_ingest, installed_pipeline


def register(bus: EventBus) -> None:
    """Install the ingest pipeline (idempotent: re-bootstrapping keeps the same one)."""
    del bus  # the inbox needs no bus handlers; it publishes through announce_after_commit
    install_ingest(installed_pipeline())
