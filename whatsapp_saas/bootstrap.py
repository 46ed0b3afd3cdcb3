"""The composition root: every process builds its object graph here, once, and nowhere else.

``bootstrap(settings, role)`` returns an :class:`App`: the parts a process of that role runs,
already wired to each other (the manager node gets the ingest pipeline as its inbound sink,
the pipeline's media downloader gets the node's download and the media store, delivery gets
the driver's capabilities, the scheduler gets the clock). ``await app.start()`` starts the
long-running parts in order, ``await app.stop()`` stops them in reverse.

Roles (see :data:`PARTS`):
- ``web``: a Reflex worker without the connection manager (``RUN_MANAGER_IN_APP=false``);
- ``manager``: ``python -m whatsapp_saas.whatsapp.manager`` (node, ingest, media downloads);
- ``worker``: the taskiq delivery worker (``whatsapp_saas.delivery.worker.tasks``);
- ``scheduler``: ``python -m whatsapp_saas.scheduling``;
- ``embedded``: all of it in the Reflex process (``make run``).
The web and embedded roles also run the scheduler unless ``SCHEDULER_IN_APP=false``.

Settings are validated when they are built (``config.Settings``), so no role can start on an
unsafe production configuration. Tests build their graph here too, with the real parts and
the simulator as the only WhatsApp fake.

How a new part plugs in: build it in a ``_part(settings, parts, …)`` function below, give it a
field on :class:`App`, list it in :data:`PARTS` for the roles that run it, and start/stop it in
``App.start``/``App.stop`` if it is long-running. Whatever needs it receives it as an argument
(a constructor parameter, a lifespan task's keyword, taskiq's ``state.graph``); the UI reads
it with ``whatsapp_saas.ui.graph.current_graph()``. ``announcer`` (hands committed events to
the bus), ``outbox_waker`` (the spine's live subscriber that wakes delivery with Redis) and
``realtime`` (the channel to browsers, which the live handlers publish on) are such parts.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import logging
from collections.abc import Awaitable, Callable, Collection
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from whatsapp_saas import db
from whatsapp_saas.config import Settings, get_settings
from whatsapp_saas.events.bus import EventBus
from whatsapp_saas.events.codec import EventRegistry
from whatsapp_saas.events.live import LiveParts
from whatsapp_saas.events.subscriber import Subscriber
from whatsapp_saas.inbox.media import MediaStore, media_store
from whatsapp_saas.models_base import utcnow
from whatsapp_saas.realtime.channel import Channel, open_channel
from whatsapp_saas.whatsapp.drivers.registry import DRIVERS, DriverRegistry, DriverSpec
from whatsapp_saas.whatsapp.manager.control import Control
from whatsapp_saas.whatsapp.manager.local import LocalNodes

if TYPE_CHECKING:
    from whatsapp_saas.delivery.common.settings import DeliverySettings
    from whatsapp_saas.delivery.send.agent import SendAgents
    from whatsapp_saas.delivery.worker.assembly import DeliveryRuntime, WorkerDelivery
    from whatsapp_saas.delivery.worker.embedded import EmbeddedDelivery
    from whatsapp_saas.delivery.worker.notifier import StreamNotifier
    from whatsapp_saas.events.spine import RunningSpine
    from whatsapp_saas.inbox.ingest_pipeline import IngestPipeline
    from whatsapp_saas.inbox.media_download import MediaFetcher
    from whatsapp_saas.scheduling.scheduler import SchedulerConfig
    from whatsapp_saas.scheduling.scheduler_startup import SchedulerLoop
    from whatsapp_saas.whatsapp.manager.driver_choice import SimulatorHost
    from whatsapp_saas.whatsapp.manager.node import ManagerNode
    from whatsapp_saas.whatsapp.manager.settings import ManagerSettings

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]

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
    "whatsapp_saas.events.models",
    "whatsapp_saas.crm.models",
    "whatsapp_saas.deals.models",
    "whatsapp_saas.automations.models",
    "whatsapp_saas.automations.menus",
    "whatsapp_saas.automations.timer_models",
    "whatsapp_saas.automations.files",
    "whatsapp_saas.automations.hook_models",
)

# Modules that define domain events: the spine decodes stored events with their classes.
EVENT_MODULES = (
    "whatsapp_saas.inbox.events",
    "whatsapp_saas.whatsapp.events",
    "whatsapp_saas.contacts.events",
    "whatsapp_saas.realtime.access",
    "whatsapp_saas.deals.events",
    "whatsapp_saas.automations.events",
)

# Durable subscribers (each module's ``subscribers()``): run by the spine runner, which the
# roles that run the scheduler start beside it.
DURABLE_MODULES: tuple[str, ...] = (
    "whatsapp_saas.scheduling.handlers",
    "whatsapp_saas.automations.handlers",
)

# Modules whose ``register(bus, parts)`` subscribes their live event handlers, once per graph
# (``parts``: the graph's parts they publish to, see ``events/live.py``).
HANDLER_MODULES: tuple[str, ...] = (
    "whatsapp_saas.realtime.handlers",
    "whatsapp_saas.inbox.handlers",
    "whatsapp_saas.delivery.handlers",
    "whatsapp_saas.events.handlers",
    "whatsapp_saas.deals.handlers",
    "whatsapp_saas.whatsapp.handlers",
)


class Role(StrEnum):
    WEB = "web"
    MANAGER = "manager"
    WORKER = "worker"
    SCHEDULER = "scheduler"
    EMBEDDED = "embedded"


# The long-running parts each role runs ("scheduler?" = unless SCHEDULER_IN_APP=false).
PARTS: dict[Role, frozenset[str]] = {
    Role.WEB: frozenset({"scheduler?"}),
    Role.MANAGER: frozenset({"manager"}),
    Role.WORKER: frozenset({"worker_delivery"}),
    Role.SCHEDULER: frozenset({"scheduler"}),
    Role.EMBEDDED: frozenset({"manager", "embedded_delivery", "scheduler?"}),
}


def web_role(settings: Settings) -> Role:
    """The role of a Reflex process: embedded unless the manager runs elsewhere."""
    return Role.EMBEDDED if settings.run_manager_in_app else Role.WEB


@dataclass(frozen=True, eq=False)
class App:
    """One process's object graph. Built by :func:`bootstrap`; parts a role lacks are None."""

    settings: Settings
    role: Role
    bus: EventBus
    clock: Clock
    drivers: DriverRegistry
    driver: DriverSpec  # the configured driver's declared capabilities
    media_store: MediaStore
    announcer: db.CommitAnnouncer  # committed sessions' events → the bus's live subscribers
    realtime: Channel  # the tenant channel: live handlers publish, the web's InboxHub reads
    nodes: LocalNodes  # the manager nodes running in this process (the manager part joins)
    control: Control  # how services and handlers wake managers and ask for pairing codes
    send_agents: SendAgents  # with Redis, a send agent beside each node of this process
    # Where a simulated driver's network is (None for a real engine): sessions and the
    # "Simulated phone" page share it.
    simulator: SimulatorHost | None = None
    media_fetcher: MediaFetcher | None = None
    ingest: IngestPipeline | None = None
    manager: ManagerNode | None = None
    delivery: EmbeddedDelivery | WorkerDelivery | None = None
    scheduler: SchedulerLoop | None = None
    # With Redis, the live subscriber that writes a delivery wake-up for each committed
    # OutboundQueued (embedded delivery attaches its own in-process waker when it starts).
    outbox_waker: StreamNotifier | None = None
    _tasks: list[asyncio.Task[None]] = field(default_factory=list, repr=False)
    _spines: list[RunningSpine] = field(default_factory=list, repr=False)

    @property
    def delivery_runtime(self) -> DeliveryRuntime | None:
        """The senders of this process, once started (embedded without Redis, or a worker)."""
        return self.delivery.runtime if self.delivery is not None else None

    async def start(self) -> None:
        """Start the long-running parts: manager, then delivery, then sweeps and scheduler."""
        self.bus.bind_loop(asyncio.get_running_loop())  # DB commits announce from threads
        if self.manager is not None:
            await self.manager.start()
        if self.delivery is not None:
            await self.delivery.start()
        if self.manager is not None:
            self._tasks.append(asyncio.create_task(self._media_sweep(), name="media-sweep"))
        if self.scheduler is not None:
            await self.scheduler.start()
            await self._start_spine()
        log.info("%s process started", self.role.value)

    async def stop(self) -> None:
        """Stop in reverse order; one part failing to stop does not keep the others up."""
        tasks = list(self._tasks)
        self._tasks.clear()
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        stops: list[Callable[[], Awaitable[None]]] = [self._stop_spines]
        for part in (self.scheduler, self.delivery, self.manager):
            if part is not None:
                stops.append(part.stop)
        if self.ingest is not None:
            stops.append(self.ingest.stop)
        if self.simulator is not None:
            stops.append(self._stop_simulator)
        if self.outbox_waker is not None:
            stops.append(self._close_waker)
        for stop in stops:
            try:
                await stop()
            except Exception:
                log.exception("%s did not stop cleanly", getattr(stop, "__qualname__", stop))

    async def _start_spine(self) -> None:
        """The spine's durable subscribers run beside the scheduler: any number of copies is
        safe (they take turns per subscriber), and every role with a scheduler has the DB."""
        from whatsapp_saas.events.spine import spine_options, start_spine_runner

        spine = await start_spine_runner(
            bus=self.bus,
            subscribers=durable_subscribers(),
            registry=event_registry(),
            options=spine_options(self.settings),
        )
        self._spines.append(spine)

    async def _stop_spines(self) -> None:
        spines = list(self._spines)
        self._spines.clear()
        for spine in spines:
            await spine.stop()

    async def _close_waker(self) -> None:
        if self.outbox_waker is not None:
            await asyncio.to_thread(self.outbox_waker.close)

    async def _stop_simulator(self) -> None:
        if self.simulator is not None:
            await asyncio.to_thread(self.simulator.stop)

    async def _media_sweep(self) -> None:
        from whatsapp_saas.inbox.media_sweep import sweep_forever

        manager = self.manager
        assert manager is not None
        downloader = self.ingest.downloader if self.ingest is not None else None
        await sweep_forever(downloader, lambda: list(manager.runners))


def load_models() -> None:
    for module in MODEL_MODULES:
        importlib.import_module(module)


def configure_bus(target: EventBus, parts: LiveParts) -> db.CommitAnnouncer:
    """Register every live handler on the graph's bus; returns the announcer that feeds it
    commits (installed: the events table is db's own, this is the live side)."""
    for module in HANDLER_MODULES:
        importlib.import_module(module).register(target, parts)
    announcer = db.CommitAnnouncer(target.publish_many)
    announcer.install()
    return announcer


def _outbox_waker(settings: Settings, event_bus: EventBus) -> StreamNotifier | None:
    """With Redis, committed OutboundQueued events write wake-ups to the delivery stream."""
    if not settings.redis_url:
        return None
    from whatsapp_saas.delivery.worker import notifier

    waker = notifier.StreamNotifier(settings.redis_url)  # its thread starts on the first one
    notifier.attach(event_bus, waker)
    return waker


def event_registry() -> EventRegistry:
    return EventRegistry.scan(importlib.import_module(m) for m in EVENT_MODULES)


def durable_subscribers() -> list[Subscriber]:
    found: list[Subscriber] = []
    for module in DURABLE_MODULES:
        found.extend(importlib.import_module(module).subscribers())
    return found


def bootstrap(
    settings: Settings | None = None,
    role: Role = Role.EMBEDDED,
    *,
    clock: Clock = utcnow,
    manager_settings: ManagerSettings | None = None,
    scheduler_config: SchedulerConfig | None = None,
    delivery_config: DeliverySettings | None = None,
    driver_choice: tuple[str, dict[str, Any]] | None = None,
    skip: Collection[str] = (),
) -> App:
    """Build the graph of a ``role`` process. Nothing starts until ``await app.start()``.

    The keyword arguments are for tests and benchmarks (faster timings, a given simulator,
    ``skip`` parts of :data:`PARTS` such as ``"scheduler"``); processes take everything from
    ``settings`` and the environment.
    """
    settings = settings or get_settings()
    load_models()
    from whatsapp_saas.delivery.send.agent import SendAgents

    channel = open_channel(settings.redis_url)
    nodes = LocalNodes()
    control = Control(settings.redis_url, nodes)
    agents = SendAgents(nodes, settings.redis_url)
    event_bus = EventBus()  # this graph's: nothing else publishes on or subscribes to it
    live = LiveParts(realtime=channel, control=control, send_agents=agents)
    announcer = configure_bus(event_bus, live)
    driver = DRIVERS[settings.whatsapp_driver]
    store = media_store(settings)
    parts = _parts(settings, role) - set(skip)
    simulator = _simulator_host(settings, driver)
    fetcher = ingest = node = None
    if "manager" in parts:
        choose = driver_choice or _choose_driver(settings, simulator)
        fetcher, ingest, node = _manager_parts(store, manager_settings, choose, nodes, event_bus)
    return App(
        settings=settings,
        role=role,
        bus=event_bus,
        clock=clock,
        drivers=DRIVERS,
        driver=driver,
        media_store=store,
        announcer=announcer,
        realtime=channel,
        nodes=nodes,
        control=control,
        send_agents=agents,
        outbox_waker=_outbox_waker(settings, event_bus),
        simulator=simulator,
        media_fetcher=fetcher,
        ingest=ingest,
        manager=node,
        delivery=_delivery(settings, driver, event_bus, parts, delivery_config, (nodes, agents)),
        scheduler=_scheduler(parts, scheduler_config, clock),
    )


def _parts(settings: Settings, role: Role) -> set[str]:
    parts = set(PARTS[role])
    if "scheduler?" in parts:
        from whatsapp_saas.scheduling.scheduler_startup import SchedulerSettings

        parts.discard("scheduler?")
        if SchedulerSettings().in_app:
            parts.add("scheduler")
    return parts


def _simulator_host(settings: Settings, driver: DriverSpec) -> SimulatorHost | None:
    if not driver.simulated:
        return None
    from whatsapp_saas.whatsapp.manager.driver_choice import SimulatorHost

    return SimulatorHost(settings)


def _choose_driver(
    settings: Settings, simulator: SimulatorHost | None
) -> Callable[[], tuple[str, dict[str, Any]]]:
    from whatsapp_saas.whatsapp.manager.driver_choice import driver_choice

    return lambda: driver_choice(settings, simulator)


def _manager_parts(
    store: MediaStore,
    settings: ManagerSettings | None,
    driver: tuple[str, dict[str, Any]] | Callable[[], tuple[str, dict[str, Any]]],
    nodes: LocalNodes,
    event_bus: EventBus,
) -> tuple[MediaFetcher, IngestPipeline, ManagerNode]:
    from whatsapp_saas.whatsapp.manager.node import ManagerNode

    fetch_media = nodes.fetch_media  # through whichever node of this process runs the number
    ingest = ingest_pipeline(store, fetch_media, event_bus)
    node = ManagerNode(
        settings,
        sink=ingest.submit,
        driver=None if callable(driver) else driver,
        choose_driver=driver if callable(driver) else None,
        nodes=nodes,
        bus=event_bus,
    )
    return fetch_media, ingest, node


def ingest_pipeline(
    store: MediaStore, fetcher: MediaFetcher, event_bus: EventBus
) -> IngestPipeline:
    """The manager's inbound pipeline: media downloads through ``fetcher`` into ``store``,
    typing signals published on ``event_bus``."""
    from whatsapp_saas.inbox.ingest_pipeline import IngestPipeline
    from whatsapp_saas.inbox.media_download import MediaDownloader

    return IngestPipeline(bus=event_bus, downloader=MediaDownloader(fetcher, store))


def _delivery(
    settings: Settings,
    driver: DriverSpec,
    event_bus: EventBus,
    parts: set[str],
    config: DeliverySettings | None,
    local: tuple[LocalNodes, SendAgents],
) -> EmbeddedDelivery | WorkerDelivery | None:
    if "embedded_delivery" in parts:
        from whatsapp_saas.delivery.worker.embedded import EmbeddedDelivery

        nodes, agents = local
        return EmbeddedDelivery(settings, driver, event_bus, config, nodes=nodes, agents=agents)
    if "worker_delivery" in parts:
        from whatsapp_saas.delivery.worker.assembly import WorkerDelivery
        from whatsapp_saas.delivery.worker.tasks import kick

        if not settings.redis_url:
            raise RuntimeError("taskiq workers need REDIS_URL (embedded mode runs in the app)")
        return WorkerDelivery(settings.redis_url, config, kick)
    return None


def _scheduler(
    parts: set[str], config: SchedulerConfig | None, clock: Clock
) -> SchedulerLoop | None:
    if "scheduler" not in parts:
        return None
    from whatsapp_saas.automations.engine import scheduler_pass
    from whatsapp_saas.automations.timer_scan import scan_due
    from whatsapp_saas.scheduling.scheduler import Scheduler
    from whatsapp_saas.scheduling.scheduler_startup import SchedulerLoop, SchedulerSettings

    config = config or SchedulerSettings().config()
    return SchedulerLoop(Scheduler(config, clock=clock, passes=(scheduler_pass,), timers=scan_due))
