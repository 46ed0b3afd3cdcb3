"""The number state machine: a pure function from (state, input) to what happens next.

Inputs are gateway events (what the engine reported), user commands (what the tenant asked
for) and manager observations (a session started, was lost, or cannot run). The function has
no I/O: the connection manager applies the returned :class:`Transition` to the database row
and performs its :class:`Action`.

Terminal states (disconnected, logged out, failed) ignore engine events, so a late event from
a session that is already gone cannot resurrect it; only a user command leaves them.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from whatsapp_saas.whatsapp import gateway as gw
from whatsapp_saas.whatsapp import state_reasons as reasons


class NumberState(StrEnum):
    DISCONNECTED = "disconnected"
    CONNECTING = "connecting"
    WAITING_QR = "waiting_qr"
    CONNECTED = "connected"
    RECONNECTING = "reconnecting"
    LOGGED_OUT = "logged_out"
    FAILED = "failed"
    # A different phone scanned the code than the one the number was linked to (or one that
    # another number of the tenant uses): stopped until the tenant confirms or cancels.
    CONFIRM_PHONE = "confirm_phone"


class DesiredState(StrEnum):
    CONNECTED = "connected"
    STOPPED = "stopped"


class Command(StrEnum):
    CONNECT = "connect"
    DISCONNECT = "disconnect"
    LOGOUT = "logout"


class Action(StrEnum):
    """What the manager must do with the live session after the transition."""

    NONE = "none"
    START = "start"  # start (or keep) a session
    RESTART = "restart"  # start again after a capped, jittered backoff
    STOP = "stop"  # stop, keeping the store (snapshot first)
    STOP_NO_SNAPSHOT = "stop_no_snapshot"  # stop without touching the stored snapshot
    LOGOUT = "logout"  # unlink on WhatsApp's side, then discard
    DISCARD = "discard"  # the store is worthless: stop, delete snapshot and runtime files


ACTIVE = frozenset(
    {
        NumberState.CONNECTING,
        NumberState.WAITING_QR,
        NumberState.CONNECTED,
        NumberState.RECONNECTING,
    }
)
TERMINAL = frozenset(
    {
        NumberState.DISCONNECTED,
        NumberState.LOGGED_OUT,
        NumberState.FAILED,
        NumberState.CONFIRM_PHONE,
    }
)

# Reasons are stored as codes (see :mod:`whatsapp_saas.whatsapp.state_reasons`), translated on
# screen.
REASON_USER_DISCONNECT = reasons.USER_DISCONNECT
REASON_USER_LOGOUT = reasons.USER_LOGOUT
REASON_STARTING = reasons.STARTING
REASON_RESTORING = reasons.RESTORING
REASON_SCAN_QR = reasons.SCAN_QR
REASON_RESCAN_QR = reasons.RESCAN_QR
REASON_QR_TIMEOUT = reasons.QR_TIMEOUT


# --- manager observations -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class UserCommand:
    command: Command


@dataclass(frozen=True, slots=True)
class SessionStarting:
    restoring: bool  # a snapshot exists and is being restored


@dataclass(frozen=True, slots=True)
class SessionLost:
    """The live session vanished (host crash, engine stopped, start error); retrying can help."""

    reason: str


@dataclass(frozen=True, slots=True)
class SessionFailed:
    """The session cannot run until someone acts (tampered snapshot, missing key)."""

    reason: str


@dataclass(frozen=True, slots=True)
class PhoneChanged:
    """The engine connected as ``new``, but the number was linked to ``old`` before, or
    ``new`` is the phone of the tenant's number ``other``. Not accepted until confirmed."""

    new: str
    old: str | None = None
    other: str | None = None  # the name of the tenant's other number on that phone


Input = UserCommand | SessionStarting | SessionLost | SessionFailed | PhoneChanged | gw.GatewayEvent


@dataclass(frozen=True, slots=True)
class Transition:
    state: NumberState
    reason: str | None
    desired: DesiredState | None = None  # None: leave the desired state as it is
    action: Action = Action.NONE


def transition(state: NumberState, event: Input) -> Transition | None:
    """The next state for ``event``, or None when the event changes nothing."""
    if isinstance(event, UserCommand):
        return _command(state, event.command)
    if isinstance(event, gw.GatewayEvent):
        return _gateway(state, event)
    return _observation(state, event)


def _command(state: NumberState, command: Command) -> Transition:
    if command is Command.CONNECT:
        if state in ACTIVE:
            return Transition(state, None, DesiredState.CONNECTED, Action.START)
        return Transition(
            NumberState.CONNECTING, REASON_STARTING, DesiredState.CONNECTED, Action.START
        )
    if command is Command.DISCONNECT:
        # A failure or logout stays visible: disconnecting does not explain it away.
        keep = state in (NumberState.LOGGED_OUT, NumberState.FAILED)
        new = state if keep else NumberState.DISCONNECTED
        reason = None if keep else REASON_USER_DISCONNECT
        action = Action.STOP_NO_SNAPSHOT if state is NumberState.FAILED else Action.STOP
        return Transition(new, reason, DesiredState.STOPPED, action)
    return Transition(
        NumberState.LOGGED_OUT, REASON_USER_LOGOUT, DesiredState.STOPPED, Action.LOGOUT
    )


def _observation(
    state: NumberState, event: SessionStarting | SessionLost | SessionFailed | PhoneChanged
) -> Transition | None:
    if isinstance(event, PhoneChanged):
        if state in TERMINAL:
            return None
        reason = reasons.encode(
            reasons.CONFIRM_PHONE, new=event.new, old=event.old, other=event.other
        )
        # Stop, keeping the new device's store: confirming resumes it without a new scan.
        return Transition(NumberState.CONFIRM_PHONE, reason, DesiredState.STOPPED, Action.STOP)
    if isinstance(event, SessionFailed):
        return Transition(
            NumberState.FAILED, event.reason, DesiredState.STOPPED, Action.STOP_NO_SNAPSHOT
        )
    if isinstance(event, SessionStarting):
        was_live = state in (NumberState.CONNECTED, NumberState.RECONNECTING)
        if event.restoring:
            new = NumberState.RECONNECTING if was_live else NumberState.CONNECTING
            return Transition(new, REASON_RESTORING)
        return Transition(NumberState.CONNECTING, REASON_STARTING)
    if state in TERMINAL:
        return None
    return Transition(NumberState.RECONNECTING, event.reason, action=Action.RESTART)


def _gateway(state: NumberState, event: gw.GatewayEvent) -> Transition | None:
    if isinstance(event, gw.LoggedOut):
        return _logged_out(state, event)
    if state in TERMINAL:
        return None  # a late event from a session that is already gone
    if isinstance(event, gw.QrCodeIssued):
        reason = REASON_RESCAN_QR if state is NumberState.RECONNECTING else REASON_SCAN_QR
        if state is NumberState.WAITING_QR:
            return Transition(state, None)
        return Transition(NumberState.WAITING_QR, reason)
    if isinstance(event, gw.QrTimedOut):
        return Transition(
            NumberState.DISCONNECTED, REASON_QR_TIMEOUT, DesiredState.STOPPED, Action.STOP
        )
    if isinstance(event, gw.Connected):
        return Transition(NumberState.CONNECTED, None)
    if isinstance(event, gw.Disconnected):
        # When the engine retries by itself we only watch; otherwise we restart it.
        action = Action.NONE if event.will_retry else Action.RESTART
        reason = reasons.from_engine(reasons.CONNECTION_LOST, event.reason)
        return Transition(NumberState.RECONNECTING, reason, action=action)
    return None


def _logged_out(state: NumberState, event: gw.LoggedOut) -> Transition | None:
    """Unlinked: the saved session is worthless, discard it. Merely refused (the network does
    not know the saved device, right after a restart): keep it, mark the number failed, and
    let the tenant choose between reconnecting and logging out."""
    if state is NumberState.LOGGED_OUT:
        return None
    code = reasons.logout_code(event.reason)
    if not event.unlinked or code == reasons.RESTORE_REFUSED:
        if state is NumberState.FAILED:
            return None
        reason = reasons.from_engine(reasons.RESTORE_REFUSED, event.reason)
        return Transition(NumberState.FAILED, reason, DesiredState.STOPPED, Action.STOP_NO_SNAPSHOT)
    reason = reasons.from_engine(code, event.reason)
    return Transition(NumberState.LOGGED_OUT, reason, DesiredState.STOPPED, Action.DISCARD)
