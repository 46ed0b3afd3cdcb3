"""A running app (``reflex run --env prod``) for the outside-in HTTP security tests.

The browser tests' pieces are reused: the same process fixture (own database, own data
directory, own process group) and the same Chromium launch settings for the browser checks.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.browser.conftest import (  # noqa: F401  (fixtures shared with the browser tests)
    RunningApp,
    browser_context_args,
    browser_type_launch_args,
    live_app_process,
)

# Small enough that a test fills it with a few files, large enough for one of each kind.
TEST_MEDIA_QUOTA_MB = 12


@pytest.fixture(scope="session")
def http_app_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The running app's DATA_DIR (its media files live under ``media/``)."""
    return tmp_path_factory.mktemp("httpapp")


@pytest.fixture(scope="session")
def http_app(http_app_dir: Path) -> Iterator[RunningApp]:
    with live_app_process(http_app_dir, MEDIA_QUOTA_MB=str(TEST_MEDIA_QUOTA_MB)) as app:
        yield app
