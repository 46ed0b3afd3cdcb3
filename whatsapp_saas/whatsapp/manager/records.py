"""The manager's database work: apply a state-machine input to a number's row, then announce.

The manager is infrastructure working across tenants, so it reads numbers by id; everything it
announces carries the number's tenant id. Each write locks the row (``FOR UPDATE`` on
PostgreSQL) so a user command and an engine event never interleave on one number. Functions
here are synchronous; the manager runs them in worker threads.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from whatsapp_saas.db import announce_after_commit, session_scope
from whatsapp_saas.delivery.govern.policy import start_warmup
from whatsapp_saas.models_base import utcnow
from whatsapp_saas.whatsapp import gateway as gw
from whatsapp_saas.whatsapp.events import NumberStateChanged, QrUpdated
from whatsapp_saas.whatsapp.models import SessionSnapshot, WhatsAppNumber
from whatsapp_saas.whatsapp.states import (
    DesiredState,
    Input,
    NumberState,
    PhoneChanged,
    SessionLost,
    Transition,
    transition,
)

REASON_MAX = 500  # the column's size; engine errors can be longer


def _fit(text: str | None, limit: int) -> str | None:
    return text if text is None or len(text) <= limit else text[: limit - 1] + "…"


@dataclass(frozen=True, slots=True)
class NumberView:
    """What the manager needs of a row, detached from any session."""

    id: int
    tenant_id: int
    state: NumberState
    desired: DesiredState
    owner_node: str | None
    phone: str | None


def view_of(row: WhatsAppNumber) -> NumberView:
    assert row.id is not None
    return NumberView(
        row.id,
        row.tenant_id,
        NumberState(row.state),
        DesiredState(row.desired_state),
        row.owner_node,
        row.phone,
    )


def locked_row(session: Session, *, number_id: int) -> WhatsAppNumber | None:
    query = select(WhatsAppNumber).where(WhatsAppNumber.id == number_id).with_for_update()
    return session.exec(query).first()


def load_view(number_id: int) -> NumberView | None:
    with session_scope() as session:
        row = session.get(WhatsAppNumber, number_id)
        return view_of(row) if row is not None else None


def load_views(number_ids: Iterable[int]) -> dict[int, NumberView]:
    ids = list(number_ids)
    if not ids:
        return {}
    with session_scope() as session:
        rows = session.exec(select(WhatsAppNumber).where(col(WhatsAppNumber.id).in_(ids))).all()
        return {row.id: view_of(row) for row in rows if row.id is not None}


def wanted_numbers() -> list[NumberView]:
    """Every number some user wants connected, oldest first (boot restores in that order)."""
    query = (
        select(WhatsAppNumber)
        .where(WhatsAppNumber.desired_state == DesiredState.CONNECTED.value)
        .order_by(col(WhatsAppNumber.id))
    )
    with session_scope() as session:
        return [view_of(row) for row in session.exec(query).all()]


def has_snapshot(number_id: int) -> bool:
    with session_scope() as session:
        query = select(SessionSnapshot.id).where(SessionSnapshot.number_id == number_id)
        return session.exec(query).first() is not None


def apply(number_id: int, event: Input) -> tuple[Transition | None, NumberView | None]:
    """Run the state machine on the stored state; write and announce what changed."""
    with session_scope() as session:
        row = locked_row(session, number_id=number_id)
        if row is None:
            return None, None
        event = _unconfirmed_phone(session, row, event)
        step = transition(NumberState(row.state), event)
        if step is not None:
            write_transition(session, row=row, step=step, event=event)
        return step, view_of(row)


def _unconfirmed_phone(session: Session, row: WhatsAppNumber, event: Input) -> Input:
    """A "connected" as a phone the tenant has not agreed to becomes a question: relinking a
    number to another phone moves where its customers' messages arrive."""
    if not isinstance(event, gw.Connected):
        return event
    old = row.phone if row.phone and row.phone != event.phone else None
    query = select(WhatsAppNumber.name).where(
        WhatsAppNumber.tenant_id == row.tenant_id,
        WhatsAppNumber.phone == event.phone,
        WhatsAppNumber.id != row.id,
    )
    other = session.exec(query).first()
    if old is None and other is None:
        return event
    return PhoneChanged(new=event.phone, old=old, other=other)


def write_transition(
    session: Session, *, row: WhatsAppNumber, step: Transition, event: Input
) -> None:
    now = utcnow()
    reason = _fit(step.reason, REASON_MAX)
    changed = step.state.value != row.state or (reason is not None and reason != row.state_reason)
    if step.state is not NumberState.WAITING_QR:
        row.qr_code = row.qr_expires_at = row.pairing_code = None
    if isinstance(event, gw.Connected):
        row.phone, row.jid = event.phone[:20], event.jid[:120]
        row.push_name = event.push_name[:120]
        row.last_connected_at = now
        start_warmup(session, number=row, now=now)
    if changed:
        row.state = step.state.value
        row.state_reason = reason
        row.state_at = now
    if step.desired is not None:
        row.desired_state = step.desired.value
    session.add(row)
    if changed:
        announce_after_commit(session, state_event(row, now))
    if isinstance(event, gw.QrCodeIssued) and step.state is NumberState.WAITING_QR:
        row.qr_code, row.qr_expires_at = event.code, event.expires_at
        announce_after_commit(
            session, QrUpdated(row.tenant_id, row.id or 0, event.code, event.expires_at)
        )


def state_event(row: WhatsAppNumber, at: datetime) -> NumberStateChanged:
    return NumberStateChanged(
        tenant_id=row.tenant_id,
        number_id=row.id or 0,
        state=row.state,
        reason=row.state_reason,
        at=at,
        phone=row.phone,
        push_name=row.push_name,
    )


def claim(number_id: int, node_id: str, takeover_reason: str) -> None:
    """Record this node as the owner. Taking over from another node (which died or lost its
    lease) also says so at once: the row must not keep claiming "connected" while the session
    waits for its turn to restart."""
    with session_scope() as session:
        row = locked_row(session, number_id=number_id)
        if row is None:
            return
        previous, row.owner_node = row.owner_node, node_id
        session.add(row)
        if previous not in (None, node_id):
            event = SessionLost(takeover_reason)
            step = transition(NumberState(row.state), event)
            if step is not None:
                write_transition(session, row=row, step=step, event=event)


def disown(number_id: int, node_id: str) -> None:
    """Clear the owner, if it is still ``node_id`` (another node may have claimed it since)."""
    with session_scope() as session:
        row = locked_row(session, number_id=number_id)
        if row is not None and row.owner_node == node_id:
            row.owner_node = None
            session.add(row)


def set_pairing_code(number_id: int, code: str) -> None:
    with session_scope() as session:
        row = locked_row(session, number_id=number_id)
        if row is not None:
            row.pairing_code = code
            session.add(row)
