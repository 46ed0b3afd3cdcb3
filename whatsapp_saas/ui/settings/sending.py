"""Settings → Sending: the send governor a company can tune (ban protection).

Company-wide quotas and quiet hours, and per number the send rate, the daily cap of bulk
sends and the warm-up length. Empty fields mean "use the default"; each number row shows what
the governor applies today (warm-up included).
"""

from __future__ import annotations

from typing import Any

import reflex as rx
from sqlmodel import Session, col

from whatsapp_saas.accounts.service import CurrentUser
from whatsapp_saas.delivery import service as delivery
from whatsapp_saas.delivery.govern.policy import Limits
from whatsapp_saas.delivery.models import NumberSendPolicy, TenantSendPolicy
from whatsapp_saas.errors import UserError
from whatsapp_saas.tenancy.scope import TenantScope
from whatsapp_saas.ui.actions import act
from whatsapp_saas.ui.base_state import AppState
from whatsapp_saas.ui.components import error_callout, success_callout, text_field
from whatsapp_saas.ui.db import in_session
from whatsapp_saas.ui.layout import shell
from whatsapp_saas.whatsapp.models import WhatsAppNumber

ROUTE = "/settings/sending"


class SendingState(AppState):
    company: dict[str, str] = {}
    numbers: list[dict[str, str]] = []
    error: str = ""
    row_errors: dict[str, str] = {}  # number id -> why its row was refused (shown in the row)
    notice: str = ""
    loaded: bool = False

    @rx.event
    async def load(self):  # type: ignore[no-untyped-def]
        redirect = await self.require_login()
        if redirect is not None:
            yield redirect
            return
        self.error = self.notice = ""
        self.loaded = False
        yield
        await self._refresh()
        self.loaded = True

    async def _refresh(self) -> None:
        user = await self._current_user()
        if user is not None:
            self.company, self.numbers = await in_session(lambda s: _rows(s, user))

    async def _save(self, work) -> None:  # type: ignore[no-untyped-def]
        outcome = await act(self, work, managers_only=True)
        self.error, self.notice = outcome.error, self._tr("settings.saved") if outcome.ok else ""
        await self._refresh()

    @rx.event
    async def save_company(self, form: dict[str, Any]) -> None:
        values = {
            k: str(form.get(k) or "").strip()
            for k in ("per_minute", "per_day", "quiet_start", "quiet_end")
        }
        await self._save(
            lambda scope, _me: delivery.set_tenant_limits(
                scope,
                per_minute=_number(values["per_minute"]),
                per_day=_number(values["per_day"]),
                quiet_start=values["quiet_start"] or None,
                quiet_end=values["quiet_end"] or None,
            )
        )

    @rx.event
    async def save_number(self, form: dict[str, Any]) -> None:
        number_id = int(str(form.get("number_id") or 0))
        raw = {
            k: str(form.get(k) or "").strip()
            for k in ("rate_count", "rate_window", "daily_cap", "warmup_days")
        }
        outcome = await act(
            self,
            lambda scope, _me: delivery.set_number_limits(
                scope,
                number_id=number_id,
                rate_count=_number(raw["rate_count"]),
                rate_window=_number(raw["rate_window"], real=True),
                daily_cap=_number(raw["daily_cap"]),
                warmup_days=_number(raw["warmup_days"]),
            ),
            managers_only=True,
        )
        # The refusal goes in the number's row, and the row keeps what was typed.
        errors = {k: v for k, v in self.row_errors.items() if k != str(number_id)}
        if not outcome.ok:
            errors[str(number_id)] = outcome.error
        self.row_errors = errors
        self.error, self.notice = "", self._tr("settings.saved") if outcome.ok else ""
        await self._refresh()


def _number(text: str, *, real: bool = False) -> int | float | None:
    if not text:
        return None
    try:
        return float(text.replace(",", ".")) if real else int(text)
    except ValueError as exc:
        raise UserError("sending.error_not_a_number", value=text) from exc


def _text(value: object) -> str:
    return "" if value is None else str(value)


def _warmup(today: Limits) -> dict[str, str]:
    """What the "applied today" cap owes to the warm-up (an i18n key and its numbers)."""
    if today.warmup_day:
        key = "sending.warmup_day"
    elif today.warmup_pending:
        key = "sending.warmup_pending"
    else:
        key = ""
    return {
        "warmup_key": key,
        "warmup_on_day": str(today.warmup_day),
        "warmup_of_days": str(today.warmup_days),
    }


def _rows(session: Session, user: CurrentUser) -> tuple[dict[str, str], list[dict[str, str]]]:
    scope = TenantScope(session, user.tenant_id)
    company = scope.first(TenantSendPolicy)
    overrides = {p.number_id: p for p in scope.all(NumberSendPolicy)}
    rows = []
    for number in scope.all(WhatsAppNumber, col(WhatsAppNumber.id).is_not(None)):
        assert number.id is not None
        policy, today = (
            overrides.get(number.id),
            delivery.effective_limits(scope, number_id=number.id),
        )
        rows.append(
            {
                "id": str(number.id),
                "name": number.name,
                "rate_count": _text(policy and policy.rate_count),
                "rate_window": _text(policy and policy.rate_window),
                "daily_cap": _text(policy and policy.daily_cap),
                "warmup_days": _text(policy and policy.warmup_days),
                "today": f"{today.rate_count}/{today.rate_window:g}s · {today.daily_cap or '∞'}",
                **_warmup(today),
            }
        )
    return {
        "per_minute": _text(company and company.per_minute),
        "per_day": _text(company and company.per_day),
        "quiet_start": _text(company and company.quiet_start),
        "quiet_end": _text(company and company.quiet_end),
    }, rows


T = SendingState.t


def _company_form() -> rx.Component:
    c = SendingState.company
    return rx.form(
        rx.flex(
            text_field(
                "sending.quiet_start",
                "quiet_start",
                id="quiet-start",
                type_="time",
                default_value=c["quiet_start"],
            ),
            text_field(
                "sending.quiet_end",
                "quiet_end",
                id="quiet-end",
                type_="time",
                default_value=c["quiet_end"],
            ),
            text_field(
                "sending.per_minute",
                "per_minute",
                id="per-minute",
                type_="number",
                min="0",
                default_value=c["per_minute"],
            ),
            text_field(
                "sending.per_day",
                "per_day",
                id="per-day",
                type_="number",
                min="0",
                default_value=c["per_day"],
            ),
            rx.button(T["settings.save"], type="submit"),
            gap="1em",
            align="end",
            wrap="wrap",
        ),
        on_submit=SendingState.save_company,
        reset_on_submit=False,
    )


def _number_row(n: rx.Var) -> rx.Component:
    def field(name: str, label: str, real: bool = False) -> rx.Component:
        # A visible label on every field: on a phone the row wraps, and a header row above
        # the columns would no longer say which box is which.
        field_id = f"limit-{name}-" + n["id"]
        return rx.vstack(
            rx.el.label(T[label], html_for=field_id, class_name="field-label"),
            rx.input(
                id=field_id,
                name=name,
                default_value=n[name],
                type="number",
                min="0",
                step="0.1" if real else "1",
                aria_label=T[label],
                width="110px",
            ),
            spacing="1",
        )

    return rx.form(
        rx.hstack(
            rx.text(n["name"], weight="medium", width="140px"),
            rx.el.input(type="hidden", name="number_id", value=n["id"]),
            field("rate_count", "sending.rate_count"),
            field("rate_window", "sending.rate_window", real=True),
            field("daily_cap", "sending.daily_cap"),
            field("warmup_days", "sending.warmup_days"),
            rx.vstack(
                rx.text(T["sending.today"], class_name="field-label", as_="div"),
                rx.text(n["today"], size="1", color_scheme="gray", data_testid="limits-today"),
                rx.cond(
                    n["warmup_key"] != "",
                    rx.text(
                        T[n["warmup_key"]]
                        .replace("{day}", n["warmup_on_day"])
                        .replace("{days}", n["warmup_of_days"]),
                        size="1",
                        color_scheme="amber",
                        data_testid="limits-warmup",
                    ),
                ),
                spacing="0",
                width="160px",
            ),
            rx.button(T["settings.save"], size="1", type="submit"),
            align="end",
            wrap="wrap",
        ),
        rx.cond(
            SendingState.row_errors.contains(n["id"]),
            rx.text(
                SendingState.row_errors[n["id"]],
                role="alert",
                size="2",
                color_scheme="red",
                data_testid="limits-error",
            ),
        ),
        on_submit=SendingState.save_number,
        reset_on_submit=False,
        data_testid="number-limits",
    )


def sending_page() -> rx.Component:
    return shell(
        rx.text(T["sending.intro"], color_scheme="gray"),
        error_callout(SendingState.error),
        success_callout(SendingState.notice),
        rx.heading(T["sending.company"], size="4", as_="h2"),
        rx.cond(
            SendingState.is_manager,
            # Mounted only once loaded: its inputs are uncontrolled and take their defaults
            # when they mount.
            rx.cond(SendingState.loaded, _company_form()),
            rx.text(T["users.only_managers"]),
        ),
        rx.heading(T["sending.numbers"], size="4", as_="h2"),
        rx.foreach(SendingState.numbers, _number_row),
        title=T["sending.title"],
    )
