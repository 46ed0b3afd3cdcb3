"""Background tasks that live inside the web process."""

from __future__ import annotations

import reflex as rx


def register_background_tasks(app: rx.App) -> None:
    """Embedded mode runs the connection manager and workers here (wired by later issues)."""
    return None
