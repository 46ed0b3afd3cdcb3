"""Settings: embedded defaults and production's refusal of placeholder secrets."""

from __future__ import annotations

import base64
import logging
import os
from typing import Any

import pytest

from whatsapp_saas.config import ConfigurationError, Settings, check_production
from whatsapp_saas.logging_setup import RedactingFilter, redact

GOOD_KEY = base64.b64encode(os.urandom(32)).decode()


def test_embedded_defaults_need_no_services(tmp_path) -> None:  # type: ignore[no-untyped-def]
    settings = Settings(_env_file=None, data_dir=tmp_path, database_url=None, redis_url=None)
    assert settings.effective_database_url.startswith("sqlite:///")
    assert settings.redis_url is None


def test_postgres_urls_use_psycopg3() -> None:
    settings = Settings(_env_file=None, database_url="postgres://u@h/db")
    assert settings.effective_database_url == "postgresql+psycopg://u@h/db"


@pytest.mark.parametrize(
    ("overrides", "named"),
    [
        ({"session_encryption_key": None}, "SESSION_ENCRYPTION_KEY"),
        ({"session_encryption_key": "changeme"}, "SESSION_ENCRYPTION_KEY"),
        ({"session_encryption_key": "c2hvcnQ="}, "SESSION_ENCRYPTION_KEY"),
        ({"database_url": None}, "DATABASE_URL"),
        ({"redis_url": None}, "REDIS_URL"),
        ({"openai_api_key": "sk-placeholder"}, "OPENAI_API_KEY"),
    ],
)
def test_production_refuses_missing_or_placeholder_secrets(overrides: dict, named: str) -> None:
    values: dict[str, Any] = {
        "app_env": "production",
        "session_encryption_key": GOOD_KEY,
        "database_url": "postgresql://db/app",
        "redis_url": "redis://redis:6379/0",
        "whatsapp_driver": "neonize",
    }
    values.update(overrides)
    with pytest.raises(ConfigurationError, match=named):
        check_production(Settings(_env_file=None, **values))


def test_production_with_real_secrets_starts() -> None:
    check_production(
        Settings(
            _env_file=None,
            app_env="production",
            session_encryption_key=GOOD_KEY,
            database_url="postgresql://db/app",
            redis_url="redis://r",
            whatsapp_driver="neonize",
        )
    )


PRODUCTION: dict[str, Any] = {
    "app_env": "production",
    "session_encryption_key": GOOD_KEY,
    "database_url": "postgresql://db/app",
    "redis_url": "redis://r",
}


def test_production_refuses_the_simulator_without_the_demo_flag() -> None:
    with pytest.raises(ConfigurationError, match="ALLOW_SIMULATOR_IN_PRODUCTION"):
        check_production(Settings(_env_file=None, whatsapp_driver="simulator", **PRODUCTION))


def test_a_simulator_demo_in_production_says_so(caplog: pytest.LogCaptureFixture) -> None:
    settings = Settings(
        _env_file=None,
        whatsapp_driver="simulator",
        allow_simulator_in_production=True,
        **PRODUCTION,
    )
    with caplog.at_level(logging.WARNING):
        check_production(settings)
    assert "DEMO" in caplog.text and "simulated" in caplog.text
    assert settings.simulator_demo


def test_secrets_are_redacted_from_logs(caplog: pytest.LogCaptureFixture) -> None:
    assert "sk-abcdefghijkl" not in redact("calling with sk-abcdefghijkl")
    assert "hunter2hunter2" not in redact("password=hunter2hunter2")
    logger = logging.getLogger("test.redaction")
    logger.addFilter(RedactingFilter((GOOD_KEY,)))
    with caplog.at_level(logging.INFO):
        logger.info("key is %s", GOOD_KEY)
    assert GOOD_KEY not in caplog.text
