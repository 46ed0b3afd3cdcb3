"""What is planned for the open conversation: scheduled messages and the follow-up.

Attendants schedule a message or start a follow-up ("if the customer has not replied in X
hours, send Y") without leaving the chat, and see what is pending. The services live in
``whatsapp_saas.scheduling``; this state only collects the form and shows the rows.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import reflex as rx
from sqlmodel import Session, col

from whatsapp_saas.accounts.service import CurrentUser
from whatsapp_saas.errors import UserError
from whatsapp_saas.i18n.formatting import format_datetime
from whatsapp_saas.inbox.models import Conversation
from whatsapp_saas.scheduling.dispatch_followups import stop_reason
from whatsapp_saas.scheduling.followups import cancel_follow_up, list_follow_ups, start_follow_up
from whatsapp_saas.scheduling.models import ScheduledMessage
from whatsapp_saas.scheduling.schedules import cancel_schedule, schedule_in_conversation
from whatsapp_saas.tenancy.scope import TenantScope
from whatsapp_saas.ui.actions import act
from whatsapp_saas.ui.db import in_session
from whatsapp_saas.ui.inbox.state import InboxState


class PlansState(InboxState):
    schedules: list[dict[str, str]] = []
    follow_ups: list[dict[str, str]] = []
    plan_error: str = ""

    @rx.event
    async def load_plans(self) -> None:
        user = await self._current_user()
        if user is None or not self.selected_id:
            self.schedules, self.follow_ups = [], []
            return
        cid, zone = int(self.selected_id), self.user_timezone
        self.schedules, self.follow_ups = await in_session(lambda s: _plans(s, user, cid, zone))

    @rx.event
    async def on_plans_tick(self) -> None:
        """A live update touched the open conversation (a reply ends its follow-up, a schedule
        fired): reload its plans."""
        if self.selected_id:
            await self.load_plans()

    async def _plan(self, work) -> None:  # type: ignore[no-untyped-def]
        if not self.selected_id:
            return
        cid = int(self.selected_id)
        outcome = await act(self, lambda scope, me: work(scope, me, cid))
        self.plan_error = outcome.error
        if outcome.ok:
            await self.load_plans()

    @rx.event
    async def schedule(self, form: dict[str, Any]) -> None:
        text = str(form.get("text", ""))
        when = _local(str(form.get("when", "")))
        await self._plan(
            lambda scope, me, cid: schedule_in_conversation(
                scope, actor=me, conversation_id=cid, when_local=when, text=text
            )
        )

    @rx.event
    async def cancel_scheduled(self, schedule_id: str) -> None:
        await self._plan(
            lambda scope, me, cid: cancel_schedule(
                scope, actor=me, schedule_id=int(schedule_id), in_conversation=cid
            )
        )

    @rx.event
    async def follow_up(self, form: dict[str, Any]) -> None:
        hours, text = str(form.get("hours") or ""), str(form.get("text", ""))
        hours_only = bool(form.get("business_hours_only"))
        await self._plan(
            lambda scope, me, cid: start_follow_up(
                scope,
                actor=me,
                conversation_id=cid,
                steps=_steps(hours, text),
                business_hours_only=hours_only,
            )
        )

    @rx.event
    async def cancel_follow(self, follow_up_id: str) -> None:
        await self._plan(
            lambda scope, me, cid: cancel_follow_up(scope, actor=me, follow_up_id=int(follow_up_id))
        )


def _steps(hours: str, text: str) -> list[dict[str, Any]]:
    try:
        delay = float(hours.replace(",", "."))
    except ValueError as exc:
        raise UserError("error.sched_followup_delay_invalid") from exc
    return [{"delay_hours": delay, "text": text}]


def _local(value: str) -> datetime:
    """The form's datetime-local value, a wall-clock time (the service applies the zone)."""
    try:
        return datetime.fromisoformat(value)
    except ValueError as exc:
        raise UserError("error.sched_date_invalid") from exc


def _plans(
    session: Session, user: CurrentUser, conversation_id: int, zone: str
) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    scope = TenantScope(session, user.tenant_id)
    rows = scope.all(
        ScheduledMessage,
        col(ScheduledMessage.conversation_id) == conversation_id,
        col(ScheduledMessage.status) == "pending",
    )
    schedules = [
        {
            "id": str(r.id),
            "when": format_datetime(r.due_at, user.language, zone),
            "text": (r.text or "")[:80],
        }
        for r in rows
    ]
    conversation = scope.get(Conversation, conversation_id)
    follow_ups = [
        {
            "id": str(f.id),
            "when": format_datetime(f.due_at, user.language, zone),
            "text": str(f.steps[f.step]["text"])[:80] if f.step < len(f.steps) else "",
        }
        for f in list_follow_ups(scope, actor=user, conversation_id=conversation_id)
        # A reply (or resolving) ends a follow-up; the row is cancelled just after the
        # message's commit, so ask what the dispatcher would decide instead of waiting.
        if stop_reason(scope, follow_up=f, conversation=conversation) is None
    ]
    return schedules, follow_ups
