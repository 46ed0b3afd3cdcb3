"""Reflex's start-up advice that does not apply to this project.

On a fresh checkout ``reflex run`` (which ``make run`` calls) first initialises the web folder
and ends with "Run `uv run reflex run` to start the app.": wrong here (the app is already
starting, and it is started with ``make run``). Kept cheap: no Reflex import.
"""

from __future__ import annotations

import logging
import re

# Both variants of the next-steps sentence of reflex.reflex._init.
_ADVICE = re.compile(r"\s*(Run|Install dependencies from) [^.]*`uv run reflex run`[^.]*\.")
REFLEX_CLI_LOGGER = "reflex.reflex"


class DropRunAdvice(logging.Filter):
    """Keep the record, without the advice to run ``uv run reflex run``."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "uv run reflex run" in message:
            record.msg, record.args = _ADVICE.sub("", message), None
        return True


def quiet_reflex_advice() -> None:
    """Install the filter once on Reflex's CLI logger (rxconfig runs once per process)."""
    logger = logging.getLogger(REFLEX_CLI_LOGGER)
    if not any(isinstance(f, DropRunAdvice) for f in logger.filters):
        logger.addFilter(DropRunAdvice())
