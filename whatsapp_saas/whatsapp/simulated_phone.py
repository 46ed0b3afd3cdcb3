"""What the Simulated phone page may do for a tenant: play the phones of its own numbers only.

The simulated network is global (one per app), so the page is where tenants are kept apart:
a QR code or a pairing code is scanned only if one of the tenant's numbers shows it, a customer
message goes only to one of the tenant's linked numbers, and no business phone that another
session holds (another tenant's number) can be linked, which would unlink theirs.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlmodel import col

from whatsapp_saas.errors import UserError
from whatsapp_saas.tenancy.scope import TenantScope
from whatsapp_saas.whatsapp.models import WhatsAppNumber
from whatsapp_saas.whatsapp.states import NumberState


def _numbers(scope: TenantScope) -> list[WhatsAppNumber]:
    query = scope.select(WhatsAppNumber).order_by(col(WhatsAppNumber.id))
    return list(scope.session.exec(query).all())


def own_number_ids(scope: TenantScope) -> set[str]:
    """The tenant's numbers as the simulator names their sessions (the row id)."""
    return {str(row.id) for row in _numbers(scope)}


def number_showing_qr(scope: TenantScope, *, qr: str) -> WhatsAppNumber:
    """The tenant's number that shows ``qr`` right now; refused for anyone else's code."""
    text = qr.strip()
    for row in _numbers(scope):
        if row.state == NumberState.WAITING_QR.value and text and row.qr_code == text:
            return row
    raise UserError("error.sim_qr_not_yours")


def _plain_code(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch.isalnum())


def number_with_pairing_code(scope: TenantScope, *, code: str) -> WhatsAppNumber:
    """The tenant's number that issued pairing ``code`` ("ABCD-EFGH", any case or dashes)."""
    wanted = _plain_code(code)
    for row in _numbers(scope):
        if wanted and row.pairing_code and _plain_code(row.pairing_code) == wanted:
            return row
    raise UserError("error.sim_code_not_yours")


def linked_number(scope: TenantScope, *, phone: str) -> WhatsAppNumber:
    """The tenant's number linked to business ``phone`` (E.164)."""
    for row in _numbers(scope):
        if row.phone == phone:
            return row
    raise UserError("error.sim_to_not_yours")


def check_phone_free(
    own_sessions: Iterable[str], sessions: Iterable[Mapping[str, Any]], phone: str
) -> None:
    """Refuse to link ``phone`` when a session outside the tenant holds it: linking replaces
    the phone's device, which would log another company's number out."""
    mine = set(own_sessions)
    for session in sessions:
        if session.get("phone") == phone and str(session.get("session_id")) not in mine:
            raise UserError("error.sim_phone_taken")
