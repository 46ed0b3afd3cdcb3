"""Events to JSON and back: the registry of event classes by name.

An event is stored as its class name and its fields. Encoding needs nothing but the event
(any dataclass), so recording works in every process, bootstrapped or not. Decoding needs the
registry, built from the event classes the process knows (:meth:`EventRegistry.scan`); the
field types drive it, so datetimes and tuples come back as they went in.

An event class whose ``live_only`` class attribute is true is never stored: it only reaches
live subscribers (see :mod:`whatsapp_saas.events.store`).
"""

from __future__ import annotations

import dataclasses
import enum
import inspect
import json
import types
import typing
from collections.abc import Callable, Iterable
from datetime import datetime
from functools import lru_cache
from typing import Any

Convert = Callable[[Any], Any]


def is_live_only(event: object) -> bool:
    return bool(getattr(type(event), "live_only", False))


def type_name(cls: type) -> str:
    return cls.__name__


def encode(event: object) -> dict[str, Any]:
    """The event's fields as JSON-ready values."""
    return {name: _jsonable(getattr(event, name)) for name in _field_names(type(event))}


def _field_names(cls: type) -> tuple[str, ...]:
    return _fields_cached(cls)


@lru_cache(maxsize=512)
def _fields_cached(cls: Any) -> tuple[str, ...]:
    return tuple(f.name for f in dataclasses.fields(cls))


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, float)):
        return value
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, str):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, (tuple, list)):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    raise TypeError(f"cannot store a {type(value).__name__} in an event")


def conversation_of(event: object) -> int | None:
    value = getattr(event, "conversation_id", None)
    return value if isinstance(value, int) else None


class EventRegistry:
    """Event classes by name: what the durable runner decodes stored events with."""

    def __init__(self, classes: Iterable[type] = ()) -> None:
        self._by_name: dict[str, type] = {}
        for cls in classes:
            self.add(cls)

    @classmethod
    def scan(cls, modules: Iterable[types.ModuleType]) -> EventRegistry:
        """Every dataclass with a ``tenant_id`` field defined in ``modules``."""
        registry = cls()
        for module in modules:
            for _, obj in inspect.getmembers(module, inspect.isclass):
                mine = obj.__module__ == module.__name__ and dataclasses.is_dataclass(obj)
                if mine and "tenant_id" in _field_names(obj):
                    registry.add(obj)
        return registry

    def add(self, cls: type) -> None:
        name = type_name(cls)
        known = self._by_name.get(name)
        if known is not None and known is not cls:
            raise ValueError(f"two event classes are called {name}: {known} and {cls}")
        self._by_name[name] = cls

    def names(self) -> list[str]:
        return sorted(self._by_name)

    def get(self, name: str) -> type | None:
        return self._by_name.get(name)

    def names_for(self, wanted: Iterable[type]) -> list[str]:
        """The names of every registered class that is one of ``wanted`` or a subclass."""
        bases = tuple(wanted)
        return sorted(n for n, c in self._by_name.items() if issubclass(c, bases))

    def decode(self, name: str, payload: dict[str, Any] | str) -> Any:
        if isinstance(payload, str):  # a raw query hands JSON back as text on SQLite
            payload = json.loads(payload)
        assert isinstance(payload, dict)
        cls = self._by_name.get(name)
        if cls is None:
            raise LookupError(f"unknown event type {name!r}")
        converters = _converters(cls)
        values = {k: converters.get(k, _same)(v) for k, v in payload.items() if k in converters}
        return cls(**values)


@lru_cache(maxsize=512)
def _converters(cls: type) -> dict[str, Convert]:
    hints = typing.get_type_hints(cls)
    return {f.name: _converter(hints.get(f.name, Any)) for f in dataclasses.fields(cls)}


def _same(value: Any) -> Any:
    return value


def _converter(hint: Any) -> Convert:
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if hint is datetime:
        return _datetime
    if origin in (typing.Union, types.UnionType):
        inner = [_converter(a) for a in args if a is not type(None)]
        if len(inner) == 1:
            only = inner[0]
            return lambda v: None if v is None else only(v)
        return _same
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            each = _converter(args[0])
            return lambda v: tuple(each(x) for x in v)
        parts = [_converter(a) for a in args]
        return lambda v: tuple(p(x) for p, x in zip(parts, v, strict=False))
    return _same


def _datetime(value: Any) -> Any:
    return datetime.fromisoformat(value) if isinstance(value, str) else value
