"""Every upload handler of the app declares its upload policy (session, role, size), so the
gate in front of ``/_upload`` can refuse a body before reading it. A new upload handler
without one fails here, not in production."""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Callable, Iterator
from typing import Any

import reflex as rx

from whatsapp_saas.ui.upload_guard import CSV, MEDIA, policy_of


def _states(root: type[rx.state.BaseState]) -> Iterator[type[rx.state.BaseState]]:
    for child in root.get_substates():
        yield child  # type: ignore[misc]
        yield from _states(child)


def _upload_handlers() -> dict[str, Callable[..., Any]]:
    importlib.import_module("whatsapp_saas.whatsapp_saas")  # every page and state of the app
    found: dict[str, Callable[..., Any]] = {}
    for state in _states(rx.State):
        for name, handler in state.event_handlers.items():
            params = inspect.signature(handler.fn).parameters.values()
            if any("UploadFile" in str(p.annotation) for p in params):
                found[f"{state.get_full_name()}.{name}"] = handler.fn
    return found


def test_every_upload_handler_declares_a_policy(db: str) -> None:
    handlers = _upload_handlers()
    assert len(handlers) >= 3
    undeclared = [name for name, fn in handlers.items() if policy_of(fn) is None]
    assert undeclared == []
    policies = {
        name.rsplit(".", 2)[-2].split("____")[-1]: policy_of(fn) for name, fn in handlers.items()
    }
    assert policies["campaigns_state"] is CSV and policies["composer_state"] is MEDIA
