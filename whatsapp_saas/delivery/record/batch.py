"""One transaction per batch that writes every outcome, then names what can go next."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session, col, select

from whatsapp_saas.db import session_scope
from whatsapp_saas.delivery.claim.claims import Claimed, Ref
from whatsapp_saas.delivery.common import reasons
from whatsapp_saas.delivery.common.jobs import SendOutcome
from whatsapp_saas.delivery.govern.governor import Hold
from whatsapp_saas.delivery.record.outcomes import (
    RetryPolicy,
    record_failed,
    record_held,
    record_retry,
    record_sent,
)
from whatsapp_saas.delivery.sweep.queries import next_heads
from whatsapp_saas.whatsapp.models import WhatsAppNumber
from whatsapp_saas.whatsapp.states import NumberState


@dataclass
class BatchResult:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    held: int = 0
    next_ids: list[int] = field(default_factory=list)


def record_batch(
    refs: dict[int, Ref],
    outcomes: Sequence[SendOutcome],
    holds: Sequence[Hold],
    unaddressable: Sequence[Claimed],
    policy: RetryPolicy,
    now: datetime,
) -> BatchResult:
    result = BatchResult()
    with session_scope() as session:
        finished: set[int] = set()
        sent = [(refs[o.message_id], o) for o in outcomes if o.ok]
        record_sent(session, sent=sent, now=now)
        result.sent = len(sent)
        finished.update(ref.conversation_id for ref, _ in sent)
        failures = _logged_out_is_permanent(session, refs, [o for o in outcomes if not o.ok])
        for outcome in failures:
            ref = refs[outcome.message_id]
            if _record_failure(session, ref, outcome, policy, now):
                result.retried += 1
            else:
                result.failed += 1
                finished.add(ref.conversation_id)
        for hold in holds:
            result.held += record_held(
                session, ref=refs[hold.job.message_id], until=hold.until, why=hold.why, now=now
            )
        for claimed in unaddressable:
            record_failed(session, ref=claimed.ref, reason=reasons.NO_ADDRESS, now=now)
            finished.add(claimed.ref.conversation_id)
        result.failed += len(unaddressable)
        result.next_ids = next_heads(session, conversation_ids=finished)
    return result


def _record_failure(
    session: Session, ref: Ref, outcome: SendOutcome, policy: RetryPolicy, now: datetime
) -> bool:
    """True when the message will be retried."""
    reason = outcome.reason or reasons.SEND_ERROR
    if not outcome.transient:
        record_failed(session, ref=ref, reason=reason, now=now)
        return False
    return record_retry(
        session,
        ref=ref,
        failure=reasons.Failure(True, reason, outcome.detail),
        now=now,
        policy=policy,
    )


def _logged_out_is_permanent(
    session: Session, refs: dict[int, Ref], failures: list[SendOutcome]
) -> list[SendOutcome]:
    """ "Nobody runs this number" is worth retrying, unless the number is logged out: then
    only a person can fix it, and the attendant should see why now."""
    offline = {refs[o.message_id].number_id for o in failures if o.reason == reasons.NUMBER_OFFLINE}
    if not offline:
        return failures
    query = select(WhatsAppNumber.id, WhatsAppNumber.state).where(
        col(WhatsAppNumber.id).in_(sorted(offline))
    )
    logged_out = {n for n, state in session.execute(query).all() if state == NumberState.LOGGED_OUT}
    return [
        SendOutcome.failed(o.message_id, False, reasons.LOGGED_OUT, o.detail)
        if o.reason == reasons.NUMBER_OFFLINE and refs[o.message_id].number_id in logged_out
        else o
        for o in failures
    ]
