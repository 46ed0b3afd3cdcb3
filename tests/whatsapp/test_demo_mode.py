"""A simulator demo in production is announced on every page; otherwise nothing shows."""

from __future__ import annotations

import pytest

from whatsapp_saas.config import reset_settings_cache
from whatsapp_saas.ui.layout import demo_banner


@pytest.fixture
def settings_env(monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    yield monkeypatch
    reset_settings_cache()


def test_the_demo_banner_shows_only_when_the_simulator_is_allowed_in_production(
    settings_env: pytest.MonkeyPatch,
) -> None:
    settings_env.setenv("WHATSAPP_DRIVER", "simulator")
    settings_env.setenv("ALLOW_SIMULATOR_IN_PRODUCTION", "false")
    reset_settings_cache()
    assert "demo-banner" not in str(demo_banner())

    settings_env.setenv("ALLOW_SIMULATOR_IN_PRODUCTION", "true")
    reset_settings_cache()
    rendered = str(demo_banner())
    assert "demo-banner" in rendered and "wa.demo_banner" in rendered
