"""Logging configuration with a redaction filter, so secrets never reach a log line."""

from __future__ import annotations

import logging
import re

from whatsapp_saas.config import Settings

# Values that look like credentials: bearer tokens, API keys, base64 keys after "key=".
_PATTERNS = [
    re.compile(r"(sk-[A-Za-z0-9_\-]{8,})"),
    re.compile(
        r"((?:password|passwd|secret|token|api_key|apikey|key)[\"']?\s*[:=]\s*[\"']?)([^\s\"',}]+)",
        re.I,
    ),
    re.compile(r"(Bearer\s+)([A-Za-z0-9._\-]+)"),
]


def redact(text: str, known_secrets: tuple[str, ...] = ()) -> str:
    for secret in known_secrets:
        if secret and len(secret) >= 6:
            text = text.replace(secret, "***")
    text = _PATTERNS[0].sub("sk-***", text)
    text = _PATTERNS[1].sub(lambda m: m.group(1) + "***", text)
    return _PATTERNS[2].sub(lambda m: m.group(1) + "***", text)


class RedactingFilter(logging.Filter):
    def __init__(self, known_secrets: tuple[str, ...] = ()) -> None:
        super().__init__()
        self.known_secrets = known_secrets

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message, self.known_secrets)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


def known_secrets(settings: Settings) -> tuple[str, ...]:
    values = [
        settings.session_encryption_key,
        settings.session_encryption_old_keys,
        settings.openai_api_key,
    ]
    return tuple(v.get_secret_value() for v in values if v is not None)


def configure_logging(settings: Settings) -> None:
    root = logging.getLogger()
    root.setLevel(settings.log_level.upper())
    if not root.handlers:
        console = logging.StreamHandler()
        console.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        root.addHandler(console)
    secrets = known_secrets(settings)
    for handler in root.handlers:
        if not any(isinstance(f, RedactingFilter) for f in handler.filters):
            handler.addFilter(RedactingFilter(secrets))
