"""Translations: pt-BR first, English too.

Each domain keeps its strings in ``whatsapp_saas/i18n/messages/<domain>.py`` as
``MESSAGES = {"key": ("English", "Português")}``; they are merged here. Placeholders use
``str.format`` names: ``"{minutes} minutes"``.
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import lru_cache

LANGUAGES = ("pt-BR", "en")
DEFAULT_LANGUAGE = "pt-BR"
LANGUAGE_NAMES = {"pt-BR": "Português (Brasil)", "en": "English"}


@lru_cache(maxsize=1)
def _pairs() -> dict[str, tuple[str, str]]:
    from whatsapp_saas.i18n import messages

    merged: dict[str, tuple[str, str]] = {}
    for info in pkgutil.iter_modules(messages.__path__):
        module = importlib.import_module(f"{messages.__name__}.{info.name}")
        duplicates = merged.keys() & module.MESSAGES.keys()
        if duplicates:
            raise RuntimeError(f"duplicate i18n keys in {info.name}: {sorted(duplicates)}")
        merged.update(module.MESSAGES)
    return merged


@lru_cache(maxsize=4)
def catalog(language: str) -> dict[str, str]:
    index = 1 if normalise_language(language) == "pt-BR" else 0
    return {key: pair[index] for key, pair in _pairs().items()}


def normalise_language(language: str | None) -> str:
    """Map a browser language ("pt", "pt-PT", "en-US", ...) to one we ship."""
    if not language:
        return DEFAULT_LANGUAGE
    lowered = language.lower()
    if lowered.startswith("pt"):
        return "pt-BR"
    if lowered.startswith("en"):
        return "en"
    return DEFAULT_LANGUAGE


def translate(language: str, key: str, **params: object) -> str:
    text = catalog(language).get(key, key)
    if not params:
        return text
    try:
        return text.format(**params)
    except (KeyError, IndexError, ValueError):
        return text
