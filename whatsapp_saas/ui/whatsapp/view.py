"""What the WhatsApp page shows of a number: plain strings, QR rendered server-side.

Two views, for two audiences. :func:`number_view` goes to every signed-in user of the tenant
(the shared feed): state, reason and phone, never a QR code or pairing code. :func:`linking_view`
holds the QR code (the key to link a phone to the number) and goes only to managers.
"""

from __future__ import annotations

import segno
from sqlmodel import Session, col

from whatsapp_saas.models_base import as_utc, utcnow
from whatsapp_saas.phones import for_people
from whatsapp_saas.tenancy.scope import TenantScope
from whatsapp_saas.whatsapp import state_reasons as reasons
from whatsapp_saas.whatsapp.models import WhatsAppNumber
from whatsapp_saas.whatsapp.states import NumberState

# Parameters a reason's text may use; each is shown formatted (phones for people).
REASON_PARAMS = ("detail", "old", "new", "other")
PHONE_PARAMS = ("old", "new")


def qr_data_uri(code: str) -> str:
    """An SVG data URI of ``code``, with a quiet zone so phones (and zxing) read it."""
    return str(segno.make(code, error="l", micro=False).svg_data_uri(scale=6, border=4))


def reason_view(stored: str | None) -> dict[str, str]:
    """The reason as a catalogue key and its parameters; the page translates it."""
    reason = reasons.decode(stored)
    if reason is None:
        return {"reason_key": "", **{f"reason_{p}": "" for p in REASON_PARAMS}}
    params = {
        f"reason_{p}": for_people(reason.params.get(p))
        if p in PHONE_PARAMS
        else reason.params.get(p, "")
        for p in REASON_PARAMS
    }
    return {"reason_key": reason.code, **params}


def number_view(row: WhatsAppNumber) -> dict[str, str]:
    return {
        "id": str(row.id),
        "name": row.name,
        "phone": for_people(row.phone),
        "push_name": row.push_name or "",
        "state": row.state,
        "state_key": f"wa.state.{row.state}",
        **reason_view(row.state_reason),
        "state_at": as_utc(row.state_at).isoformat() if row.state_at else "",
        "connected": "yes" if row.state == NumberState.CONNECTED.value else "",
        "wants_connection": "yes" if row.desired_state == "connected" else "",
    }


def linking_view(row: WhatsAppNumber) -> dict[str, str] | None:
    """The QR code a number shows right now, or None when it shows none."""
    waiting = row.state == NumberState.WAITING_QR.value and row.qr_code
    expires = as_utc(row.qr_expires_at) if row.qr_expires_at else None
    if not (waiting and row.qr_code and expires and expires > utcnow()):
        return None
    return {
        "id": str(row.id),
        "name": row.name,
        "qr_text": row.qr_code,
        "qr_image": qr_data_uri(row.qr_code),
        "qr_expires_ms": str(int(expires.timestamp() * 1000)),
    }


def _rows(session: Session, tenant_id: int) -> list[WhatsAppNumber]:
    scope = TenantScope(session, tenant_id)
    return list(session.exec(scope.select(WhatsAppNumber).order_by(col(WhatsAppNumber.id))).all())


def tenant_numbers(session: Session, tenant_id: int) -> list[dict[str, str]]:
    return [number_view(row) for row in _rows(session, tenant_id)]


def tenant_qr_codes(session: Session, tenant_id: int) -> list[dict[str, str]]:
    """For managers only: every number of the tenant that is waiting for a scan, with its code."""
    return [view for row in _rows(session, tenant_id) if (view := linking_view(row))]
