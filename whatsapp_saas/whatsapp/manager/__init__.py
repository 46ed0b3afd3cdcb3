"""The WhatsApp connection manager.

A process that runs one (the ``manager`` and ``embedded`` roles) gets its node from
:func:`whatsapp_saas.bootstrap.bootstrap`, which also hands the node its inbound sink and the
process's node registry (:class:`~.local.LocalNodes`, ``App.nodes``), and gives the inbox's
media downloader the registry's ``fetch_media``. Standalone mode:
``python -m whatsapp_saas.whatsapp.manager`` (several nodes may run against PostgreSQL + Redis).

Nothing here imports an engine; sessions run in session-host child processes.
"""

from __future__ import annotations

from whatsapp_saas.whatsapp.manager.driver_choice import SimulatorHost
from whatsapp_saas.whatsapp.manager.local import LocalNodes

__all__ = ["LocalNodes", "SimulatorHost"]
