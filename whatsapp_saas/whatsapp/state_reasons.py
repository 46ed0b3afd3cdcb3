"""Why a number is in its state, stored as a code with parameters and translated when shown.

The database keeps ``wa.reason.qr_timeout`` or ``wa.reason.connection_lost|{"detail": "…"}``,
never a sentence: the same row is read by a pt-BR and an English screen. ``detail`` carries
what an engine said (technical, for the operator) and is shown only as a hint. Rows written
before codes existed hold plain text; :func:`decode` shows them as an engine detail.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

PREFIX = "wa.reason."
SEPARATOR = "|"

USER_DISCONNECT = "wa.reason.user_disconnect"
USER_LOGOUT = "wa.reason.user_logout"
STARTING = "wa.reason.starting"
RESTORING = "wa.reason.restoring"
SCAN_QR = "wa.reason.scan_qr"
RESCAN_QR = "wa.reason.rescan_qr"
QR_TIMEOUT = "wa.reason.qr_timeout"
CONNECTION_LOST = "wa.reason.connection_lost"
START_FAILED = "wa.reason.start_failed"
NODE_STOPPED = "wa.reason.node_stopped"
TAKEOVER = "wa.reason.takeover"
HOST_CRASHED = "wa.reason.host_crashed"
NOT_RUNNING = "wa.reason.not_running"
WATCHDOG = "wa.reason.watchdog"
SNAPSHOT_TAMPERED = "wa.reason.snapshot_tampered"
SNAPSHOT_WRONG_KEY = "wa.reason.snapshot_wrong_key"
# The engine ended the session.
UNLINKED_FROM_PHONE = "wa.reason.unlinked_from_phone"
REPLACED_BY_NEW_DEVICE = "wa.reason.replaced_by_new_device"
ACCOUNT_GONE = "wa.reason.account_gone"
LOGGED_OUT_BY_WHATSAPP = "wa.reason.logged_out_by_whatsapp"
# Not deleted: the saved session was refused right after a start, nobody unlinked it.
RESTORE_REFUSED = "wa.reason.restore_refused"
# A different phone scanned the code than the one the number was linked to.
CONFIRM_PHONE = "wa.reason.confirm_phone"
DETAIL_MAX = 300  # the column holds 500 characters, code and JSON included
ENGINE = "wa.reason.engine"  # anything else an engine said; the text is in ``detail``

# What the engines say when a session ends, as codes (lower-cased substrings).
_LOGOUT_TEXTS = (
    ("unlinked from phone", UNLINKED_FROM_PHONE),
    ("unlinked from the phone", UNLINKED_FROM_PHONE),
    ("replaced by a newly linked device", REPLACED_BY_NEW_DEVICE),
    ("logged out by user", USER_LOGOUT),
    ("logged out by request", USER_LOGOUT),
    ("account is gone", ACCOUNT_GONE),
    ("device not registered", RESTORE_REFUSED),
)


@dataclass(frozen=True, slots=True)
class Reason:
    code: str
    params: dict[str, str] = field(default_factory=dict)


def encode(code: str, **params: object) -> str:
    """The stored form of a reason."""
    if not params:
        return code
    values = {k: str(v) for k, v in params.items() if v is not None}
    return code + SEPARATOR + json.dumps(values, ensure_ascii=False, sort_keys=True)


def decode(stored: str | None) -> Reason | None:
    """A stored reason back as code and parameters; plain (old) text becomes an engine detail."""
    if not stored:
        return None
    code, sep, raw = stored.partition(SEPARATOR)
    if not code.startswith(PREFIX):
        return Reason(ENGINE, {"detail": stored})
    params: dict[str, str] = {}
    if sep:
        try:
            loaded = json.loads(raw)
        except ValueError:
            loaded = {}  # truncated to fit the column: the code still says what happened
        if isinstance(loaded, dict):
            params = {str(k): str(v) for k, v in loaded.items()}
    return Reason(code, params)


def logout_code(engine_text: str) -> str:
    """The code for an engine's "session ended" text."""
    lowered = engine_text.lower()
    for text, code in _LOGOUT_TEXTS:
        if text in lowered:
            return code
    return LOGGED_OUT_BY_WHATSAPP


def from_engine(code: str, engine_text: str) -> str:
    """A reason for what an engine said: ``code``, keeping the engine's words as the detail."""
    return encode(code, detail=engine_text[:DETAIL_MAX]) if engine_text else code
