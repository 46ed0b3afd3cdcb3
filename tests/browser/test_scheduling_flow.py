"""Scheduling a message the way an attendant does: pick the number, type a phone, a date and a
time in the tenant's timezone, a text; see it listed, cancel one, and watch the app's own
scheduler send the other."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import psycopg
import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import RunningApp
from tests.browser.helpers import sign_up, unique_email

pytestmark = pytest.mark.browser


def add_number(page: Page, name: str) -> None:
    page.get_by_role("link", name="WhatsApp").click()
    page.get_by_label("Name").fill(name)
    page.get_by_role("button", name="Add number").click()
    expect(page.get_by_test_id("number-row").filter(has_text=name)).to_be_visible()


def query(app: RunningApp, sql: str, *args: object) -> list[tuple]:
    url = app.database_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(url, autocommit=True) as conn:
        cursor = conn.execute(sql, args)
        return cursor.fetchall() if cursor.description else []


def schedule(page: Page, *, phone: str, when: datetime, text: str, repeat: str) -> None:
    page.get_by_label("Send from").select_option(label="Vendas")
    page.get_by_label("Or a new phone number").fill(phone)
    page.get_by_label("Date", exact=True).first.fill(when.strftime("%Y-%m-%d"))
    page.get_by_label("Time", exact=True).first.fill(when.strftime("%H:%M"))
    page.get_by_label("Repeat").first.select_option(label=repeat)
    page.get_by_label("Message", exact=True).first.fill(text)
    page.get_by_role("button", name="Schedule", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("Message scheduled for")


def test_schedule_list_cancel_and_send(browser: Browser, live_app: RunningApp) -> None:
    page = browser.new_page(locale="en-US")
    sign_up(page, live_app.url, company="Clínica", name="Carla", email=unique_email("sched"))
    add_number(page, "Vendas")
    page.get_by_role("link", name="Scheduling").click()
    expect(page.get_by_role("heading", name="Scheduling")).to_be_visible()
    ((tz_name,),) = query(live_app, "SELECT timezone FROM tenants ORDER BY id DESC LIMIT 1")
    tz = ZoneInfo(tz_name)
    tomorrow = (datetime.now(tz) + timedelta(days=1)).replace(hour=9, minute=30)

    schedule(
        page,
        phone="+55 11 98888-7777",
        when=tomorrow,
        text="Lembrete da consulta",
        repeat="Every week",
    )
    row = page.get_by_test_id("schedule-row").filter(has_text="Lembrete da consulta")
    expect(row).to_contain_text("Pending")
    expect(row).to_contain_text("Every week")
    expect(row).to_contain_text(tomorrow.strftime("%Y-%m-%d 09:30"))
    ((due_at, recurrence, phone),) = query(
        live_app,
        "SELECT s.due_at, s.recurrence, c.phone FROM scheduled_messages s "
        "JOIN contacts c ON c.id = s.contact_id WHERE s.text = %s",
        "Lembrete da consulta",
    )
    assert due_at == tomorrow.replace(second=0, microsecond=0).astimezone(UTC)
    assert (recurrence, phone) == ("weekly", "+5511988887777")

    # Cancel it: confirm in the dialog, and it leaves the list of open schedules.
    row.get_by_role("button", name="Cancel schedule").click()
    page.get_by_role("alertdialog").get_by_role("button", name="Cancel schedule").click()
    expect(page.get_by_test_id("schedule-row")).to_have_count(0)

    # A one-off, moved to "now" behind the page's back: the app's scheduler sends it.
    schedule(
        page,
        phone="+55 11 98888-7777",
        when=tomorrow,
        text="Sua consulta é amanhã",
        repeat="Does not repeat",
    )
    query(
        live_app,
        "UPDATE scheduled_messages SET due_at = now() WHERE text = %s",
        "Sua consulta é amanhã",
    )
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        found = query(
            live_app,
            "SELECT status FROM scheduled_messages WHERE text = %s",
            "Sua consulta é amanhã",
        )
        if found[0][0] == "sent":
            break
        time.sleep(0.5)
    page.reload()
    page.get_by_label("Show sent and cancelled").click()
    sent = page.get_by_test_id("schedule-row").filter(has_text="Sua consulta é amanhã")
    expect(sent).to_contain_text("Sent")
    # The app's database is shared by every browser test: pick this schedule's message.
    ((body, sent_by, status),) = query(
        live_app,
        "SELECT body, sent_by, status FROM messages WHERE direction = 'out' AND body = %s",
        "Sua consulta é amanhã",
    )
    assert (body, sent_by) == ("Sua consulta é amanhã", "schedule") and status
    page.close()


def test_campaign_from_csv_with_live_progress_and_controls(
    browser: Browser, live_app: RunningApp
) -> None:
    page = browser.new_page(locale="en-US")
    sign_up(page, live_app.url, company="Loja", name="Lia", email=unique_email("camp"))
    add_number(page, "Vendas")
    page.get_by_role("link", name="Scheduling").click()
    page.get_by_role("tab", name="Campaigns").click()
    page.get_by_label("Campaign name").fill("Black Friday")
    page.get_by_label("Send from").select_option(label="Vendas")
    page.locator("#campaign-text").fill("Olá {{first_name}}, 20% hoje!")
    page.get_by_label("Phone numbers (CSV: phone, name)").fill(
        "telefone,nome\n+5511988881001,Ana\n(11) 98888-1002,Bruno\nnot-a-phone,Zé\n"
    )
    page.get_by_role("button", name="Create draft").click()
    expect(page.get_by_role("status")).to_contain_text("Draft created with 2 recipients")
    expect(page.get_by_test_id("csv-row-error")).to_contain_text("Line 4 (not-a-phone)")
    card = page.get_by_test_id("campaign-card").filter(has_text="Black Friday")
    expect(card).to_contain_text("Draft")
    expect(card.get_by_test_id("count-pending")).to_have_text("2")

    card.get_by_role("button", name="Start").click()
    # The app's scheduler enqueues them; the 2 s refresh shows it without a reload.
    expect(card.get_by_test_id("count-pending")).to_have_text("0", timeout=15_000)
    expect(card).to_contain_text("Done")
    rows = query(
        live_app,
        "SELECT body FROM messages WHERE sent_by = 'campaign' ORDER BY body",
    )
    assert [r[0] for r in rows] == ["Olá Ana, 20% hoje!", "Olá Bruno, 20% hoje!"]
    page.close()  # its 2 s refresh stops with it


def test_follow_up_started_and_listed(browser: Browser, live_app: RunningApp) -> None:
    page = browser.new_page(locale="en-US")
    sign_up(page, live_app.url, company="Loja 2", name="Rui", email=unique_email("fu"))
    add_number(page, "Vendas")
    page.get_by_role("link", name="Scheduling").click()
    page.get_by_role("tab", name="Follow-ups").click()
    page.locator("#fu-number").select_option(label="Vendas")
    page.locator("#fu-phone").fill("+5511988882001")
    page.locator("#fu-delay-0").fill("2")
    page.locator("#fu-text-0").fill("Conseguiu ver o orçamento?")
    page.get_by_role("button", name="Start follow-up").click()
    row = page.get_by_test_id("followup-row")
    expect(row).to_contain_text("Conseguiu ver o orçamento?")
    expect(row).to_contain_text("1 of 1")
    row.get_by_role("button", name="Stop").click()
    expect(page.get_by_test_id("followup-row")).to_have_count(0)
    page.close()
