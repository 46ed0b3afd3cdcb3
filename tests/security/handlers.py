"""Every browser-callable handler of the app, read from the app's own state classes.

Reflex turns any public callable on a state into an event handler (``event_handlers``), so
the list below grows by itself when someone adds a method: nothing here names a handler.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

APP_PACKAGE = "whatsapp_saas.ui"


@dataclass(frozen=True)
class Handler:
    state: Any  # the state class
    name: str
    fn: Callable[..., Any]

    @property
    def key(self) -> str:
        """``<module>.<Class>.<handler>``: how handler_permissions names it."""
        return f"{self.state_path}.{self.name}"

    @property
    def state_path(self) -> str:
        return f"{self.state.__module__}.{self.state.__name__}"

    @property
    def event_name(self) -> str:
        """What the websocket protocol calls it: the state's full path, then the handler."""
        return f"{self.state.get_full_name()}.{self.name}"

    @property
    def params(self) -> list[inspect.Parameter]:
        return list(inspect.signature(self.fn).parameters.values())[1:]  # without self

    @property
    def takes_upload(self) -> bool:
        return any("UploadFile" in str(p.annotation) for p in self.params)

    def __str__(self) -> str:
        return f"{self.state.__name__}.{self.name}"


def _import_ui() -> None:
    package = importlib.import_module(APP_PACKAGE)
    for module in pkgutil.walk_packages(package.__path__, f"{APP_PACKAGE}."):
        importlib.import_module(module.name)


def _states(root: Any) -> Iterator[Any]:
    yield root
    for sub in sorted(root.get_substates(), key=lambda s: s.get_full_name()):
        yield from _states(sub)


def app_states() -> list[Any]:
    """The app's state classes (every module of the UI package imported first)."""
    import reflex as rx

    _import_ui()
    return [s for s in _states(rx.State) if s.__module__.startswith(APP_PACKAGE)]


def app_handlers() -> list[Handler]:
    """Each state's own handlers, as Reflex registered them."""
    return [
        Handler(state, name, handler.fn)
        for state in app_states()
        for name, handler in sorted(state.event_handlers.items())
    ]
