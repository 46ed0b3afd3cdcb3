"""Durable automation jobs: delayed actions, snooze wake-ups and outbound webhooks.

A rule's "after N minutes" action, a snooze's end and every webhook call are rows of
``automation_jobs`` (never a sleep), written in the firing's transaction under a unique key.
The scheduler role calls :func:`run_due` each pass: a row is taken with ``FOR UPDATE SKIP
LOCKED`` (two schedulers never run one job), its action runs in a savepoint, and the row is
marked done in the same transaction, so a restart loses nothing and repeats nothing that
committed. A webhook that fails is retried with exponential backoff, then marked failed.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import httpx
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col

from whatsapp_saas.automations.models import AutomationJob, JobStatus
from whatsapp_saas.automations.webhook_secrets import secret_of
from whatsapp_saas.contacts.models import Contact
from whatsapp_saas.inbox.models import Conversation
from whatsapp_saas.security.crypto import keyring_from_settings
from whatsapp_saas.tenancy.scope import TenantScope

log = logging.getLogger(__name__)

KIND_ACTION = "action"
KIND_WEBHOOK = "webhook"
WEBHOOK_ATTEMPTS = 6
WEBHOOK_BACKOFF = timedelta(seconds=30)  # doubled at each failure
WEBHOOK_BACKOFF_CAP = timedelta(hours=1)
WEBHOOK_TIMEOUT = 5.0
SIGNATURE_HEADER = "X-Signature-256"

# Runs one delayed action: (scope, job) -> a detail for the log. Passed in by the caller
# (automations.effects) so that this module knows no effect.
Runner = Callable[[TenantScope, AutomationJob], str]
Poster = Callable[[str, bytes, dict[str, str]], int]  # url, body, headers -> HTTP status


def schedule(
    scope: TenantScope,
    *,
    key: str,
    kind: str,
    action: dict[str, Any],
    due_at: datetime,
    conversation_id: int | None,
    rule_name: str = "",
) -> AutomationJob | None:
    """Insert the job; None if a job with this key exists (a repeated firing)."""
    job = AutomationJob(
        tenant_id=scope.tenant_id,
        idempotency_key=key[:160],
        kind=kind,
        rule_name=rule_name,
        conversation_id=conversation_id,
        action=action,
        due_at=due_at,
    )
    try:
        with scope.session.begin_nested():
            scope.session.add(job)
            scope.session.flush()
    except IntegrityError:
        return None
    return job


def signature(secret: str, body: bytes) -> str:
    """``sha256=<hex>``: HMAC-SHA256 of the exact body with the rule's secret."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def webhook_body(scope: TenantScope, *, job: AutomationJob, now: datetime) -> bytes:
    conversation = scope.session.get(Conversation, job.conversation_id or 0)
    contact = None
    if conversation is not None and conversation.tenant_id == scope.tenant_id:
        contact = scope.session.get(Contact, conversation.contact_id)
    payload = {
        "id": job.idempotency_key,
        "rule": job.rule_name,
        "at": now.isoformat(),
        "conversation_id": job.conversation_id,
        "contact": None
        if contact is None
        else {"id": contact.id, "phone": contact.phone, "name": contact.name},
        "data": job.action.get("data", {}),
    }
    return json.dumps(payload, separators=(",", ":"), sort_keys=True).encode()


def http_post(url: str, body: bytes, headers: dict[str, str]) -> int:
    response = httpx.post(url, content=body, headers=headers, timeout=WEBHOOK_TIMEOUT)
    return response.status_code


def _due(session: Session, now: datetime, limit: int) -> list[AutomationJob]:
    query = (
        sa.select(AutomationJob)
        .where(col(AutomationJob.status) == JobStatus.PENDING.value)
        .where(col(AutomationJob.due_at) <= now)
        .order_by(col(AutomationJob.due_at), col(AutomationJob.id))
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    return list(session.execute(query).scalars())


def run_due(
    session: Session,
    *,
    now: datetime,
    runner: Runner,
    limit: int = 100,
    poster: Poster = http_post,
) -> int:
    """Run the jobs due by ``now`` (the scheduler's pass); returns how many it handled."""
    jobs = _due(session, now, limit)
    for job in jobs:
        scope = TenantScope(session, job.tenant_id)
        if job.kind == KIND_WEBHOOK:
            _call(scope, job, now, poster)
        else:
            _run_action(scope, job, now, runner)
        session.add(job)
    session.flush()
    return len(jobs)


def _run_action(scope: TenantScope, job: AutomationJob, now: datetime, runner: Runner) -> None:
    job.attempts += 1
    try:
        with scope.session.begin_nested():
            detail = runner(scope, job)
        job.status, job.last_error = JobStatus.DONE.value, detail[:500]
    except Exception as exc:  # the action failed: logged on the row, not retried
        job.status, job.last_error = JobStatus.FAILED.value, f"{type(exc).__name__}: {exc}"[:500]
    job.done_at = now


def _call(scope: TenantScope, job: AutomationJob, now: datetime, poster: Poster) -> None:
    body = webhook_body(scope, job=job, now=now)
    headers = {
        "Content-Type": "application/json",
        SIGNATURE_HEADER: signature(
            secret_of(scope, keyring=keyring_from_settings(), action=job.action), body
        ),
        "X-Automation-Delivery": job.idempotency_key,
    }
    job.attempts += 1
    try:
        status = poster(str(job.action["url"]), body, headers)
        error = None if 200 <= status < 300 else f"HTTP {status}"
    except httpx.HTTPError as exc:
        error = f"{type(exc).__name__}: {exc}"
    if error is None:
        job.status, job.done_at, job.last_error = JobStatus.DONE.value, now, None
        return
    job.last_error = error[:500]
    if job.attempts >= WEBHOOK_ATTEMPTS:
        job.status, job.done_at = JobStatus.FAILED.value, now
        log.warning("automation webhook %s failed for good: %s", job.idempotency_key, error)
        return
    wait = min(WEBHOOK_BACKOFF_CAP, WEBHOOK_BACKOFF * 2 ** (job.attempts - 1))
    job.due_at = now + wait


def next_due(session: Session) -> datetime | None:
    query = sa.select(sa.func.min(col(AutomationJob.due_at))).where(
        col(AutomationJob.status) == JobStatus.PENDING.value
    )
    return session.execute(query).scalar()
