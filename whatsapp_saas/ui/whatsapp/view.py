"""What the WhatsApp page shows of a number: plain strings, QR rendered server-side."""

from __future__ import annotations

import segno
from sqlmodel import Session, col

from whatsapp_saas.models_base import as_utc, utcnow
from whatsapp_saas.tenancy.scope import TenantScope
from whatsapp_saas.whatsapp.models import WhatsAppNumber
from whatsapp_saas.whatsapp.states import NumberState


def qr_data_uri(code: str) -> str:
    """An SVG data URI of ``code``, with a quiet zone so phones (and zxing) read it."""
    return str(segno.make(code, error="l", micro=False).svg_data_uri(scale=6, border=4))


def number_view(row: WhatsAppNumber) -> dict[str, str]:
    waiting = row.state == NumberState.WAITING_QR.value and row.qr_code
    expires = as_utc(row.qr_expires_at) if row.qr_expires_at else None
    fresh_qr = bool(waiting and expires and expires > utcnow())
    return {
        "id": str(row.id),
        "name": row.name,
        "phone": row.phone or "",
        "push_name": row.push_name or "",
        "state": row.state,
        "state_key": f"wa.state.{row.state}",
        "reason": row.state_reason or "",
        "state_at": as_utc(row.state_at).isoformat() if row.state_at else "",
        "qr_image": qr_data_uri(row.qr_code) if fresh_qr and row.qr_code else "",
        "qr_expires_ms": str(int(expires.timestamp() * 1000)) if fresh_qr and expires else "",
        "connected": "yes" if row.state == NumberState.CONNECTED.value else "",
        "wants_connection": "yes" if row.desired_state == "connected" else "",
    }


def tenant_numbers(session: Session, tenant_id: int) -> list[dict[str, str]]:
    scope = TenantScope(session, tenant_id)
    rows = session.exec(scope.select(WhatsAppNumber).order_by(col(WhatsAppNumber.id))).all()
    return [number_view(row) for row in rows]
