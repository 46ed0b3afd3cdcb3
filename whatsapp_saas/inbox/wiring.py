"""Startup wiring of the inbox, in the shape :mod:`whatsapp_saas.bootstrap` expects.

Listing ``"whatsapp_saas.inbox.wiring"`` in ``HANDLER_MODULES`` makes every process that
bootstraps persist inbound traffic: :func:`register` installs the ingest pipeline as THE
inbound sink. The connection manager may then attach its media fetcher and outbox notifier:

    pipeline = installed_pipeline()
    pipeline.set_media_fetcher(fetch)            # async (number_id, MediaRef) -> bytes
    set_outbox_notifier(my_notifier)             # .wake(jobs) after each commit
"""

from __future__ import annotations

from whatsapp_saas.events.bus import EventBus
from whatsapp_saas.inbox.ingest_pipeline import install_ingest, installed_pipeline


def register(bus: EventBus) -> None:
    """Install the ingest pipeline (idempotent: re-bootstrapping keeps the same one)."""
    del bus  # the inbox needs no bus handlers; it publishes through announce_after_commit
    install_ingest(installed_pipeline())
