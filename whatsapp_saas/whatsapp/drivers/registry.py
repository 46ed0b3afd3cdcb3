"""Every WhatsApp driver, declared once with what it can do.

Code that must behave differently per engine asks the registry about a *capability*
(``spec.fixed_message_ids``, ``spec.simulated``) instead of comparing driver names, so a new
engine is one entry here. Declaring a driver imports nothing of its engine: the manager process
never loads one (session hosts build the gateway, see :func:`build_gateway`), and the UI and the
delivery workers read capabilities without it.

The declared values mirror the gateway classes (``Gateway.fixed_message_ids``, …);
``tests/core/test_bootstrap.py`` checks that they agree.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from whatsapp_saas.whatsapp.gateway import Gateway, MediaKind

ALL_MEDIA = frozenset(MediaKind)


@dataclass(frozen=True, slots=True)
class DriverSpec:
    name: str
    gateway: str  # "module:Class", imported only inside a session host
    # A phone can link with an 8-character code instead of scanning a QR code.
    pairing_code: bool
    media_kinds: frozenset[MediaKind]
    read_receipts: bool
    # A resend after a crash reuses our WhatsApp message id, so the phone shows it once; the
    # sweeper may then retry a send whose outcome it does not know.
    fixed_message_ids: bool
    # The customers are simulated (the in-app network): tests, demos, the "Simulated phone" page.
    simulated: bool


SIMULATOR = DriverSpec(
    name="simulator",
    gateway="whatsapp_saas.whatsapp.drivers.simulator:SimulatorGateway",
    pairing_code=True,
    media_kinds=ALL_MEDIA,
    read_receipts=True,
    fixed_message_ids=True,
    simulated=True,
)
NEONIZE = DriverSpec(
    name="neonize",
    gateway="whatsapp_saas.whatsapp.drivers.neonize_driver:NeonizeGateway",
    pairing_code=True,
    media_kinds=ALL_MEDIA,
    read_receipts=True,
    fixed_message_ids=False,  # neonize 0.5.2 cannot fix ids: see neonize_driver's docstring
    simulated=False,
)


class UnknownDriver(ValueError):
    pass


class DriverRegistry(Mapping[str, DriverSpec]):
    """Name → spec; immutable once built (the process graph holds one)."""

    def __init__(self, *specs: DriverSpec) -> None:
        self._specs = {spec.name: spec for spec in specs}

    def __getitem__(self, name: str) -> DriverSpec:
        try:
            return self._specs[name]
        except KeyError:
            raise UnknownDriver(f"unknown WhatsApp driver {name!r}") from None

    def __iter__(self) -> Iterator[str]:
        return iter(self._specs)

    def __len__(self) -> int:
        return len(self._specs)


DRIVERS = DriverRegistry(SIMULATOR, NEONIZE)


def spec_for(name: str, registry: DriverRegistry = DRIVERS) -> DriverSpec:
    return registry[name]


def build_gateway(
    name: str, options: dict[str, Any], registry: DriverRegistry = DRIVERS
) -> Gateway:
    """Runs inside a session host: import and construct the engine."""
    module, _, cls = registry[name].gateway.partition(":")
    gateway = getattr(importlib.import_module(module), cls)(**options)
    assert isinstance(gateway, Gateway)
    return gateway
