"""What the WhatsApp page can do: plain functions over a :class:`TenantScope`.

Commands go through the same state machine as engine events: the service writes the new state
and the desired state, the caller's unit of work commits, and only then are the state change
announced (bus) and the managers woken (control channel). The managers do the rest; the UI
learns the outcome from :class:`~whatsapp_saas.whatsapp.events.NumberStateChanged` and
:class:`~whatsapp_saas.whatsapp.events.QrCodeUpdated` on the bus.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import Session, col, delete

from whatsapp_saas import phones
from whatsapp_saas.db import announce_after_commit
from whatsapp_saas.errors import UserError
from whatsapp_saas.tenancy.scope import TenantScope
from whatsapp_saas.whatsapp import state_reasons as reasons
from whatsapp_saas.whatsapp.events import NumberWakeRequested
from whatsapp_saas.whatsapp.manager.control import Control
from whatsapp_saas.whatsapp.manager.records import write_transition
from whatsapp_saas.whatsapp.manager.settings import ManagerSettings
from whatsapp_saas.whatsapp.models import SessionSnapshot, WhatsAppNumber
from whatsapp_saas.whatsapp.states import (
    Command,
    DesiredState,
    NumberState,
    UserCommand,
    transition,
)

NAME_MAX = 120


# --- reads ----------------------------------------------------------------------------------


def list_numbers(scope: TenantScope) -> Sequence[WhatsAppNumber]:
    """The tenant's numbers, oldest first."""
    query = scope.select(WhatsAppNumber).order_by(col(WhatsAppNumber.id))
    return scope.session.exec(query).all()


def get_number(scope: TenantScope, *, number_id: int) -> WhatsAppNumber:
    """One number of the tenant (NotFound for anyone else's)."""
    return scope.get(WhatsAppNumber, number_id)


# --- writes ---------------------------------------------------------------------------------


def add_number(scope: TenantScope, *, name: str) -> WhatsAppNumber:
    """A new, disconnected number; connecting it is a separate step."""
    row = scope.add(WhatsAppNumber(tenant_id=scope.tenant_id, name=_clean_name(name)))
    scope.session.flush()
    return row


def rename_number(scope: TenantScope, *, number_id: int, name: str) -> WhatsAppNumber:
    row = scope.get(WhatsAppNumber, number_id)
    row.name = _clean_name(name)
    scope.session.add(row)
    return row


def request_connect(scope: TenantScope, *, number_id: int) -> WhatsAppNumber:
    """Ask for a live session: a QR code follows, or a saved session is restored."""
    return _command(scope, number_id, Command.CONNECT)


def confirm_new_phone(scope: TenantScope, *, number_id: int) -> WhatsAppNumber:
    """The tenant agrees that the phone which scanned the code is this number's phone now:
    resume the new link (its session was kept, no new scan)."""
    row = scope.get(WhatsAppNumber, number_id, for_update=True)
    reason = reasons.decode(row.state_reason)
    new = reason.params.get("new") if reason else None
    if row.state != NumberState.CONFIRM_PHONE.value or not new:
        raise UserError("error.whatsapp_nothing_to_confirm")
    row.phone = new
    scope.session.add(row)
    return _command(scope, number_id, Command.CONNECT)


def disconnect(scope: TenantScope, *, number_id: int) -> WhatsAppNumber:
    """Stop the session but keep it saved, so Connect resumes without a new QR code."""
    return _command(scope, number_id, Command.DISCONNECT)


def logout(scope: TenantScope, *, number_id: int) -> WhatsAppNumber:
    """Unlink the device and delete the saved session everywhere; a new QR is needed after."""
    row = _command(scope, number_id, Command.LOGOUT)
    scope.session.exec(delete(SessionSnapshot).where(col(SessionSnapshot.number_id) == number_id))  # type: ignore[call-overload]
    return row


def delete_number(scope: TenantScope, *, number_id: int) -> None:
    """Log out (the owning manager unlinks the device and wipes its files), then delete."""
    logout(scope, number_id=number_id)
    scope.delete(WhatsAppNumber, number_id)


async def request_pairing_code(
    scope: TenantScope, *, number_id: int, phone: str, control: Control
) -> str:
    """The 8-character code to type on ``phone`` instead of scanning the QR code.

    Starts the session first when needed, then asks the owning manager (through ``control``,
    the graph's ``App.control``), which waits for the
    session to be ready for linking. Commits the caller's unit of work before waiting: the
    managers must see the request, and no transaction should stay open for seconds.
    """
    e164 = normalise_phone(phone)
    row = scope.get(WhatsAppNumber, number_id)
    if row.state == NumberState.CONNECTED.value:
        raise UserError("error.whatsapp_already_connected")
    if row.desired_state != DesiredState.CONNECTED.value:
        request_connect(scope, number_id=number_id)
    scope.session.commit()
    timeout = ManagerSettings().pairing_timeout + 5
    return await control.request_pairing_code(number_id, e164, timeout)


# --- helpers --------------------------------------------------------------------------------


def normalise_phone(phone: str) -> str:
    """E.164 ("+5511999990000") from what a person types (the app's one phone module);
    UserError when it is not a number."""
    return phones.require_e164(phone, error_code="error.whatsapp_phone_invalid")


def _clean_name(name: str) -> str:
    cleaned = " ".join(name.split())
    if not cleaned:
        raise UserError("error.name_required")
    if len(cleaned) > NAME_MAX:
        raise UserError("error.too_long", limit=NAME_MAX)
    return cleaned


def _command(scope: TenantScope, number_id: int, command: Command) -> WhatsAppNumber:
    row = scope.get(WhatsAppNumber, number_id, for_update=True)
    step = transition(NumberState(row.state), UserCommand(command))
    if step is not None:
        write_transition(scope.session, row=row, step=step, event=UserCommand(command))
    wake_after_commit(scope.session, number_id=number_id, tenant_id=scope.tenant_id)
    return row


def wake_after_commit(session: Session, *, number_id: int, tenant_id: int) -> None:
    """Wake the managers about ``number_id`` once this transaction commits (never before):
    a live event the graph's control channel hears (``whatsapp/handlers.py``)."""
    announce_after_commit(session, NumberWakeRequested(tenant_id, number_id))
