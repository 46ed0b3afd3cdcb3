"""The isolation suite's fixtures: one running app (prod mode, its own PostgreSQL database) and
the world seeded into it, put back after any case that managed to change something."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from tests.browser.conftest import RunningApp, live_app_process
from tests.security import snapshot
from tests.security import world as seeding
from tests.security.world import World
from whatsapp_saas.bootstrap import load_models


@dataclass
class Arena:
    """The app under attack and the world in its database."""

    app: RunningApp
    world: World
    pristine: snapshot.Rows  # every row right after seeding

    @property
    def url(self) -> str:
        return self.app.url

    def restore(self) -> None:
        """A case changed the database: the next one starts from the seeded rows again."""
        snapshot.put_back(self.pristine)


@pytest.fixture(scope="session")
def arena(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Arena]:
    data_dir = tmp_path_factory.mktemp("isolation")
    # No connection manager, delivery workers or scheduler in the app: nothing but the calls
    # under test writes to the database (an outbound message stays queued).
    with live_app_process(
        data_dir, RUN_MANAGER_IN_APP="false", SCHEDULER_IN_APP="false"
    ) as app:  # also points this process at its database
        load_models()
        world = seeding.seed(data_dir / "media")
        yield Arena(app, world, snapshot.take())
