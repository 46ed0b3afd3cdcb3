"""One settings object, read from the environment and ``.env``.

Embedded defaults (no ``DATABASE_URL``, no ``REDIS_URL``) give a SQLite file under ``./data``
and in-process queues, so ``make run`` needs neither Postgres nor Redis. With
``APP_ENV=production`` a Settings object cannot even be built with a missing or placeholder
secret, SQLite, or the simulated network without the demo flag: the check is a validator of the
model, so no entry point (web app, manager, worker, scheduler) can forget it.
"""

from __future__ import annotations

import base64
import binascii
import logging
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PLACEHOLDER_MARKERS = ("changeme", "change-me", "placeholder", "replace", "example", "xxx")


class ConfigurationError(RuntimeError):
    """The configuration cannot run in this environment; the message says what to fix."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", env_file_encoding="utf-8")

    app_env: Literal["development", "test", "production"] = "development"
    app_base_url: str = "http://localhost:3000"
    log_level: str = "INFO"
    data_dir: Path = Path("data")

    database_url: str | None = None
    redis_url: str | None = None

    # Base64 of 32 random bytes. Extra old keys (for rotation) go in SESSION_ENCRYPTION_OLD_KEYS,
    # comma separated; they decrypt but never encrypt.
    session_encryption_key: SecretStr | None = None
    session_encryption_old_keys: SecretStr | None = None

    whatsapp_driver: Literal["neonize", "simulator"] = "simulator"
    # The simulated network in production is a demo: anyone who can reach the Simulated phone
    # page plays the customers. Production refuses it unless this is set, and then says so in
    # the log and in a banner on every page.
    allow_simulator_in_production: bool = False
    simulator_url: str | None = None
    simulator_port: int = 7781
    device_name: str = "WhatsApp SaaS"
    # Where engine session stores live while a session runs (tmpfs when available).
    session_runtime_dir: Path | None = None

    openai_api_key: SecretStr | None = None
    openai_base_url: str | None = None

    password_min_length: int = 10
    auth_session_hours: int = 12
    login_max_failures: int = 5
    login_lockout_minutes: int = 15
    invite_valid_hours: int = 72
    signup_max_per_hour: int = 10  # per client address
    invites_max_per_hour: int = 50  # per company
    # How many reverse proxies in front of the app append to X-Forwarded-For; 0 ignores it.
    trusted_proxy_hops: int = Field(default=0, ge=0)

    # Invitations are e-mailed when SMTP_HOST is set; otherwise the link is only shown.
    smtp_host: str | None = None
    smtp_port: int = 587
    smtp_user: str | None = None
    smtp_password: SecretStr | None = None
    smtp_from: str = "WhatsApp SaaS <no-reply@localhost>"
    smtp_starttls: bool = True

    run_manager_in_app: bool = Field(default=True, description="embedded connection manager")

    # Where media files live (default ``<DATA_DIR>/media``); tests point it at a tmp dir.
    media_dir: Path | None = None
    # Disk per tenant for media (uploads, attachments, downloaded customer files).
    media_quota_mb: int = 2048
    # An upload nothing refers to (a picked but never scheduled attachment) is deleted after.
    media_orphan_grace_hours: int = 24

    @field_validator("media_dir", mode="before")
    @classmethod
    def _empty_means_default(cls, value: object) -> object:
        return None if value == "" else value  # ``MEDIA_DIR=`` in .env: DATA_DIR/media

    @model_validator(mode="after")
    def _refuse_unsafe_production(self) -> Settings:
        # ConfigurationError is not a ValueError: pydantic lets it through unchanged, so the
        # operator reads the one sentence that names the setting to fix.
        check_production(self)
        return self

    @property
    def effective_media_dir(self) -> Path:
        return self.media_dir if self.media_dir is not None else self.data_dir / "media"

    # The durable event spine: stored events are kept this long after every durable
    # subscriber has passed them (for replays and for a subscriber added later), and the
    # runner looks at the table at least this often (wake-ups make it sooner).
    events_retention_hours: float = Field(default=72.0, ge=0)
    events_poll_seconds: float = Field(default=2.0, gt=0)

    @property
    def effective_database_url(self) -> str:
        if self.database_url:
            return _normalise_db_url(self.database_url)
        return f"sqlite:///{(self.data_dir / 'app.db').resolve()}"

    @property
    def is_sqlite(self) -> bool:
        return self.effective_database_url.startswith("sqlite")

    @property
    def is_production(self) -> bool:
        return self.app_env == "production"

    @property
    def simulator_demo(self) -> bool:
        """A demo on the simulated network, explicitly allowed: every page shows a banner."""
        return self.whatsapp_driver == "simulator" and self.allow_simulator_in_production

    def encryption_key_bytes(self) -> bytes:
        """The current key, decoded; a clear error when it is missing or malformed."""
        if self.session_encryption_key is None:
            raise ConfigurationError("SESSION_ENCRYPTION_KEY is not set")
        return decode_key(self.session_encryption_key.get_secret_value(), "SESSION_ENCRYPTION_KEY")

    def old_encryption_keys(self) -> list[bytes]:
        if self.session_encryption_old_keys is None:
            return []
        raw = self.session_encryption_old_keys.get_secret_value()
        return [decode_key(k, "SESSION_ENCRYPTION_OLD_KEYS") for k in raw.split(",") if k.strip()]


def decode_key(value: str, name: str) -> bytes:
    try:
        key = base64.b64decode(value.strip(), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ConfigurationError(f"{name} is not valid base64") from exc
    if len(key) != 32:
        raise ConfigurationError(f"{name} must be 32 bytes in base64 (got {len(key)} bytes)")
    return key


def _normalise_db_url(url: str) -> str:
    """Accept the usual ``postgres://`` spellings and always use psycopg 3."""
    for prefix in ("postgres://", "postgresql://", "postgresql+psycopg2://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _looks_placeholder(value: str) -> bool:
    lowered = value.lower()
    return not value.strip() or any(marker in lowered for marker in PLACEHOLDER_MARKERS)


def check_production(settings: Settings) -> None:
    """Refuse to run production on missing or placeholder secrets, naming the culprit.

    Runs as the validator of every Settings object (see ``Settings._refuse_unsafe_production``).
    """
    if not settings.is_production:
        return
    if settings.session_encryption_key is None or _looks_placeholder(
        settings.session_encryption_key.get_secret_value()
    ):
        raise ConfigurationError(
            "SESSION_ENCRYPTION_KEY is missing or a placeholder; production refuses to start"
        )
    settings.encryption_key_bytes()
    if not settings.database_url:
        raise ConfigurationError("DATABASE_URL is missing; production needs PostgreSQL")
    if settings.is_sqlite:
        raise ConfigurationError("DATABASE_URL points at SQLite; production needs PostgreSQL")
    if not settings.redis_url:
        raise ConfigurationError("REDIS_URL is missing; production needs Redis")
    _check_simulator(settings)
    key = settings.openai_api_key
    if key is not None and key.get_secret_value() and _looks_placeholder(key.get_secret_value()):
        raise ConfigurationError(
            "OPENAI_API_KEY is a placeholder; set a real key or leave it empty"
        )


def _check_simulator(settings: Settings) -> None:
    if settings.whatsapp_driver != "simulator":
        return
    if not settings.allow_simulator_in_production:
        raise ConfigurationError(
            "WHATSAPP_DRIVER=simulator in production: customers would be simulated and any "
            "signed-in manager could play them. Set WHATSAPP_DRIVER=neonize, or "
            "ALLOW_SIMULATOR_IN_PRODUCTION=true for a demo"
        )
    logging.getLogger(__name__).warning(
        "DEMO: production runs on the simulated WhatsApp network "
        "(ALLOW_SIMULATOR_IN_PRODUCTION=true); no real phone is reached"
    )


def allowed_origins(settings: Settings) -> list[str]:
    """The origins whose pages may call the backend with the user's cookies (CORS).

    Only APP_BASE_URL's; in development also its loopback twin, so a developer who opens
    127.0.0.1 instead of localhost is not locked out of the websocket.
    """
    scheme, _, rest = settings.app_base_url.partition("://")
    origin = f"{scheme}://{rest.split('/', 1)[0]}"
    if settings.app_env != "development":
        return [origin]
    twins = [
        origin.replace("//localhost", "//127.0.0.1"),
        origin.replace("//127.0.0.1", "//localhost"),
    ]
    return list(dict.fromkeys([origin, *twins]))


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()


def reset_settings_cache() -> None:
    """Tests change the environment; this makes the next ``get_settings()`` re-read it."""
    get_settings.cache_clear()
