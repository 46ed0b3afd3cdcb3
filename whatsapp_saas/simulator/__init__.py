"""A simulated WhatsApp network: an aiohttp server the ``simulator`` driver connects to.

Run it with ``python -m whatsapp_saas.simulator [--port 7781] [--state-file PATH]`` or
in-process with :func:`start_in_background`; play the phones with :class:`SimulatorClient`.

Control API (JSON; phones in E.164):
  POST /sim/link {qr, phone, push_name?}          scan a QR code (404 unknown/expired)
  POST /sim/pair {phone, code, push_name?}        enter a pairing code (404 unknown)
  POST /sim/qr/expire {qr}                        that session's QR codes time out now
  POST /sim/messages {from, to, text, push_name?, media?, quoted_id?, lid?, only_lid?, id?}
  POST /sim/messages/batch {messages: [...]}      many of the above at once
  GET  /sim/phones/{phone}/messages               {messages, duplicates}
  GET  /sim/phones/{phone}/read-receipts          what businesses marked read
  GET  /sim/phones/{phone}                        summary (linked, online, pending, typing)
  POST /sim/receipts {phone, message_ids, kind}   delivered | read | played
  POST /sim/typing {from, to, typing, recording?}
  POST /sim/phones/{phone}/unlink | /drop
  GET  /sim/media/{id}, GET /sim/health, GET /sim/sessions, POST /sim/reset

Linking a phone that already has a device replaces (revokes) the old device. The driver
protocol is described in :mod:`whatsapp_saas.simulator.protocol`.
"""

from whatsapp_saas.simulator.app import DEFAULT_PORT, SimulatorOptions, create_app
from whatsapp_saas.simulator.background import (
    SimulatorHandle,
    ensure_simulator,
    start_in_background,
)
from whatsapp_saas.simulator.client import SimulatorClient, SimulatorError, media_payload

__all__ = [
    "DEFAULT_PORT",
    "SimulatorClient",
    "SimulatorError",
    "SimulatorHandle",
    "SimulatorOptions",
    "create_app",
    "ensure_simulator",
    "media_payload",
    "start_in_background",
]
