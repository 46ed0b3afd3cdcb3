"""All wiring in one place: which models exist and which handlers hear which events."""

from __future__ import annotations

import importlib

from whatsapp_saas import db
from whatsapp_saas.events.bus import EventBus, bus

# Every module that defines tables; Alembic and the app import them all through here.
MODEL_MODULES = (
    "whatsapp_saas.tenancy.models",
    "whatsapp_saas.accounts.models",
    "whatsapp_saas.security.secrets",
    "whatsapp_saas.whatsapp.models",
    "whatsapp_saas.contacts.models",
    "whatsapp_saas.inbox.models",
    "whatsapp_saas.delivery.models",
    "whatsapp_saas.scheduling.models",
    "whatsapp_saas.scheduling.campaign_models",
    "whatsapp_saas.automations.models",
)

# Event handlers, registered once: (module, function name, event class path).
HANDLER_MODULES: tuple[str, ...] = (
    "whatsapp_saas.realtime.handlers",
    "whatsapp_saas.inbox.wiring",
    "whatsapp_saas.inbox.read_receipts",
    "whatsapp_saas.scheduling.hooks",
    "whatsapp_saas.delivery.wiring",
    "whatsapp_saas.automations.handlers",
)


def load_models() -> None:
    for module in MODEL_MODULES:
        importlib.import_module(module)


def configure_bus(target: EventBus = bus) -> EventBus:
    """Register every handler on the bus and make committed sessions announce through it."""
    target.clear()
    for module in HANDLER_MODULES:
        importlib.import_module(module).register(target)
    db.set_announcer(target.publish_many)
    return target


def bootstrap() -> EventBus:
    load_models()
    return configure_bus()
