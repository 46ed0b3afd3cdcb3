"""Why a send failed, as the attendant reads it, and whether trying again can help.

``failure_reason`` on a message holds an i18n key from here (see
``whatsapp_saas/i18n/messages/delivery.py``); the UI translates it, and ``translate`` falls back
to the raw text for anything else.
"""

from __future__ import annotations

from dataclasses import dataclass

from whatsapp_saas.whatsapp import gateway as gw
from whatsapp_saas.whatsapp.drivers.registry import spec_for

INVALID_RECIPIENT = "delivery.reason_invalid_recipient"
LOGGED_OUT = "delivery.reason_logged_out"
NO_ADDRESS = "delivery.reason_no_address"
NUMBER_OFFLINE = "delivery.reason_number_offline"
GAVE_UP = "delivery.reason_gave_up"
OUTCOME_UNKNOWN = "delivery.reason_outcome_unknown"
MEDIA_MISSING = "delivery.reason_media_missing"
NODE_TIMEOUT = "delivery.reason_node_timeout"
SEND_ERROR = "delivery.reason_send_error"


@dataclass(frozen=True, slots=True)
class Failure:
    """A send that did not happen: ``transient`` ones are retried with backoff."""

    transient: bool
    reason: str  # an i18n key
    detail: str = ""  # for logs only: may name the recipient, never the message body


def classify(exc: BaseException) -> Failure:
    """Map a gateway (or unexpected) error to a retry decision and a reason."""
    detail = f"{type(exc).__name__}: {exc}"[:300]
    if isinstance(exc, gw.InvalidRecipient):
        return Failure(False, INVALID_RECIPIENT, detail)
    if isinstance(exc, gw.NotLoggedIn):
        return Failure(False, LOGGED_OUT, detail)
    if isinstance(exc, gw.SessionNotRunning):
        return Failure(True, NUMBER_OFFLINE, detail)
    if isinstance(exc, gw.GatewayError):
        return Failure(exc.transient, SEND_ERROR, detail)
    return Failure(True, SEND_ERROR, detail)


def driver_keeps_message_ids(driver: str) -> bool:
    """Whether a resend after a crash repeats the same WhatsApp id (so the phone dedupes it).

    Asks the driver registry, so that deciding needs no engine import (neonize 0.5.2 cannot
    fix ids, the simulator can)."""
    return spec_for(driver).fixed_message_ids
