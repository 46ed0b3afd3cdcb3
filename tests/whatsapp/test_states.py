"""The number state machine, as a pure function."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from whatsapp_saas.whatsapp import gateway as gw
from whatsapp_saas.whatsapp import state_reasons as reasons
from whatsapp_saas.whatsapp.states import (
    REASON_QR_TIMEOUT,
    REASON_RESCAN_QR,
    REASON_USER_LOGOUT,
    Action,
    Command,
    DesiredState,
    NumberState,
    SessionFailed,
    SessionLost,
    SessionStarting,
    UserCommand,
    transition,
)

S = NumberState
SID = "7"
NOW = datetime(2026, 11, 29, tzinfo=UTC)


def qr() -> gw.QrCodeIssued:
    return gw.QrCodeIssued(SID, code="2@abc", expires_at=NOW)


def connected() -> gw.Connected:
    return gw.Connected(
        SID, phone="+5511999990000", push_name="Acme", jid="5511999990000@s.whatsapp.net"
    )


def test_connect_from_rest_starts_and_wants_connected() -> None:
    for state in (S.DISCONNECTED, S.LOGGED_OUT, S.FAILED):
        step = transition(state, UserCommand(Command.CONNECT))
        assert step is not None
        assert (step.state, step.desired, step.action) == (
            S.CONNECTING,
            DesiredState.CONNECTED,
            Action.START,
        )


def test_connect_while_active_keeps_the_state() -> None:
    step = transition(S.WAITING_QR, UserCommand(Command.CONNECT))
    assert step is not None and step.state is S.WAITING_QR and step.reason is None


def test_qr_then_connected_happy_path() -> None:
    step = transition(S.CONNECTING, qr())
    assert step is not None and step.state is S.WAITING_QR
    step = transition(S.WAITING_QR, connected())
    assert step is not None and step.state is S.CONNECTED and step.action is Action.NONE


def test_qr_while_restoring_says_the_saved_session_was_refused() -> None:
    step = transition(S.RECONNECTING, qr())
    assert step is not None and step.state is S.WAITING_QR and step.reason == REASON_RESCAN_QR


def test_qr_timeout_stops_instead_of_looping() -> None:
    step = transition(S.WAITING_QR, gw.QrTimedOut(SID))
    assert step is not None
    assert (step.state, step.reason, step.desired, step.action) == (
        S.DISCONNECTED,
        REASON_QR_TIMEOUT,
        DesiredState.STOPPED,
        Action.STOP,
    )


@pytest.mark.parametrize(("will_retry", "action"), [(True, Action.NONE), (False, Action.RESTART)])
def test_disconnect_reconnects_by_engine_or_by_us(will_retry: bool, action: Action) -> None:
    step = transition(
        S.CONNECTED, gw.Disconnected(SID, reason="network down", will_retry=will_retry)
    )
    assert step is not None
    assert (step.state, step.action) == (S.RECONNECTING, action)
    assert reasons.decode(step.reason) == reasons.Reason(
        reasons.CONNECTION_LOST, {"detail": "network down"}
    )


def test_logged_out_is_terminal_and_discards_the_session() -> None:
    step = transition(S.CONNECTED, gw.LoggedOut(SID, reason="unlinked from phone"))
    assert step is not None
    assert (step.state, step.desired, step.action) == (
        S.LOGGED_OUT,
        DesiredState.STOPPED,
        Action.DISCARD,
    )
    assert reasons.decode(step.reason).code == reasons.UNLINKED_FROM_PHONE  # type: ignore[union-attr]
    for late in (qr(), connected(), gw.Disconnected(SID, "x", True), SessionLost("x")):
        assert transition(S.LOGGED_OUT, late) is None


@pytest.mark.parametrize(
    "event",
    [
        gw.LoggedOut(SID, reason="device not registered"),
        gw.LoggedOut(SID, reason="logged out by WhatsApp (refused at connect)", unlinked=False),
    ],
)
@pytest.mark.parametrize("state", [S.CONNECTING, S.RECONNECTING, S.CONNECTED])
def test_a_refused_saved_session_is_kept_for_the_tenant_to_decide(
    state: NumberState, event: gw.LoggedOut
) -> None:
    """Right after a restart the network may not know the saved device, without the phone
    having unlinked it: mark the number failed with the reason, keep the snapshot."""
    step = transition(state, event)
    assert step is not None
    assert (step.state, step.desired, step.action) == (
        S.FAILED,
        DesiredState.STOPPED,
        Action.STOP_NO_SNAPSHOT,
    )
    assert reasons.decode(step.reason).code == reasons.RESTORE_REFUSED  # type: ignore[union-attr]
    assert transition(S.FAILED, event) is None, "a second refusal changes nothing"
    again = transition(S.FAILED, UserCommand(Command.CONNECT))
    assert again is not None and again.action is Action.START, "the tenant can reconnect"
    out = transition(S.FAILED, UserCommand(Command.LOGOUT))
    assert out is not None and out.action is Action.LOGOUT, "or log out"


def test_reasons_are_codes_with_parameters() -> None:
    stored = reasons.encode(reasons.CONFIRM_PHONE, old="+5511999990000", new="+5511988887777")
    assert stored.startswith("wa.reason.confirm_phone|")
    assert reasons.decode(stored) == reasons.Reason(
        reasons.CONFIRM_PHONE, {"old": "+5511999990000", "new": "+5511988887777"}
    )
    assert reasons.decode("Some old English text") == reasons.Reason(
        reasons.ENGINE, {"detail": "Some old English text"}
    )
    truncated = reasons.from_engine(reasons.CONNECTION_LOST, "x" * 1000)[:200]
    assert reasons.decode(truncated) == reasons.Reason(reasons.CONNECTION_LOST, {})


def test_user_logout_is_not_overwritten_by_the_engine_echo() -> None:
    step = transition(S.CONNECTED, UserCommand(Command.LOGOUT))
    assert step is not None and step.reason == REASON_USER_LOGOUT and step.action is Action.LOGOUT
    assert transition(S.LOGGED_OUT, gw.LoggedOut(SID, reason="logged out by user")) is None


def test_late_events_do_not_resurrect_a_disconnected_number() -> None:
    for late in (qr(), connected(), gw.QrTimedOut(SID), SessionLost("host died")):
        assert transition(S.DISCONNECTED, late) is None


def test_disconnect_keeps_failures_visible() -> None:
    step = transition(S.FAILED, UserCommand(Command.DISCONNECT))
    assert step is not None
    assert (step.state, step.reason, step.action) == (S.FAILED, None, Action.STOP_NO_SNAPSHOT)
    step = transition(S.CONNECTED, UserCommand(Command.DISCONNECT))
    assert step is not None and step.state is S.DISCONNECTED and step.action is Action.STOP


def test_session_lost_restarts_with_reason() -> None:
    step = transition(S.CONNECTED, SessionLost("worker crashed"))
    assert step is not None
    assert (step.state, step.reason, step.action) == (
        S.RECONNECTING,
        "worker crashed",
        Action.RESTART,
    )


def test_starting_never_trusts_a_stored_connected() -> None:
    step = transition(S.CONNECTED, SessionStarting(restoring=True))
    assert step is not None and step.state is S.RECONNECTING
    step = transition(S.CONNECTING, SessionStarting(restoring=False))
    assert step is not None and step.state is S.CONNECTING


def test_failure_stops_without_touching_the_snapshot() -> None:
    step = transition(S.CONNECTING, SessionFailed("tampered"))
    assert step is not None
    assert (step.state, step.reason, step.desired, step.action) == (
        S.FAILED,
        "tampered",
        DesiredState.STOPPED,
        Action.STOP_NO_SNAPSHOT,
    )


def test_inbound_traffic_changes_no_state() -> None:
    message = gw.MessageReceived(SID, "m1", "c@s.whatsapp.net", None, None, "Maria", NOW, "hi")
    assert transition(S.CONNECTED, message) is None
    assert transition(S.CONNECTED, gw.StoreChanged(SID)) is None
