"""Scheduling a message the way an attendant does: pick the number, type a phone, a date and a
time in the tenant's timezone, a text; see it listed, cancel one, and watch the app's own
scheduler send the other."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import psycopg
import pytest
from playwright.sync_api import Browser, FilePayload, Page, expect
from sqlmodel import Session, col, create_engine, select

from tests.browser.conftest import RunningApp
from tests.browser.helpers import PASSWORD, sign_in, sign_up, unique_email
from whatsapp_saas.accounts.models import User
from whatsapp_saas.contacts.models import Contact
from whatsapp_saas.i18n.formatting import format_datetime
from whatsapp_saas.inbox.models import Conversation, Department
from whatsapp_saas.security.passwords import hash_password
from whatsapp_saas.tenancy.models import Tenant
from whatsapp_saas.tenancy.scope import TenantScope
from whatsapp_saas.whatsapp.models import WhatsAppNumber

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
    expect(row).to_contain_text(format_datetime(tomorrow, "en", tz_name))  # "Dec 2, 2026 09:30"
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
    expect(card.get_by_test_id("count-queued")).to_have_text("2")
    # Nothing waits, but two messages are still queued (the number is not linked): the
    # campaign is still running, and can still be paused or cancelled.
    expect(card).to_contain_text("Running")
    expect(card).not_to_contain_text("Completed")
    expect(card.get_by_role("button", name="Pause")).to_be_visible()
    expect(card.get_by_role("button", name="Cancel")).to_be_visible()
    expect(card.get_by_test_id("counter-queued")).to_have_text("Queued2")  # label, then count
    rows = query(
        live_app,
        # This campaign's own: other tests of the session's app send campaigns too.
        "SELECT body FROM messages WHERE sent_by = 'campaign' AND body LIKE %s ORDER BY body",
        "Olá % 20% hoje!",
    )
    assert [r[0] for r in rows] == ["Olá Ana, 20% hoje!", "Olá Bruno, 20% hoje!"]
    # Once both are sent (behind the page's back), it completes, live.
    query(
        live_app,
        "UPDATE messages SET status = 'sent' WHERE sent_by = 'campaign' AND body LIKE %s",
        "Olá % 20% hoje!",
    )
    expect(card).to_contain_text("Completed", timeout=15_000)
    expect(card.get_by_test_id("count-sent")).to_have_text("2")
    expect(card.get_by_role("button", name="Pause")).to_have_count(0)
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


def _tomorrow(app: RunningApp) -> datetime:
    ((tz_name,),) = query(app, "SELECT timezone FROM tenants ORDER BY id DESC LIMIT 1")
    return (datetime.now(ZoneInfo(tz_name)) + timedelta(days=1)).replace(hour=10, minute=15)


def test_a_refused_schedule_keeps_what_was_typed(browser: Browser, live_app: RunningApp) -> None:
    page = browser.new_page(locale="en-US")
    sign_up(page, live_app.url, company="Ótica", name="Otávio", email=unique_email("form"))
    add_number(page, "Vendas")
    page.get_by_role("link", name="Scheduling").click()
    tomorrow = _tomorrow(live_app)
    page.get_by_label("Send from").select_option(label="Vendas")
    page.get_by_label("Or a new phone number").fill("12")
    page.locator("#sched-date").fill(tomorrow.strftime("%Y-%m-%d"))
    page.locator("#sched-time").fill("10:15")
    page.locator("#sched-text").fill("Seus óculos estão prontos")
    page.get_by_role("button", name="Schedule", exact=True).click()

    # A bad phone: said under the phone field, and nothing the person typed is lost.
    expect(page.locator("#sched-phone-error")).to_contain_text("Not a valid phone number")
    expect(page.locator("#sched-phone")).to_have_value("12")
    expect(page.locator("#sched-text")).to_have_value("Seus óculos estão prontos")
    expect(page.locator("#sched-date")).to_have_value(tomorrow.strftime("%Y-%m-%d"))

    # A time in the past: said under the date and time.
    yesterday = tomorrow - timedelta(days=2)
    page.get_by_label("Or a new phone number").fill("(11) 98888-3003")
    page.locator("#sched-date").fill(yesterday.strftime("%Y-%m-%d"))
    page.get_by_role("button", name="Schedule", exact=True).click()
    expect(page.locator("#sched-when-error")).to_contain_text("Choose a time in the future")
    expect(page.locator("#sched-phone-error")).to_have_count(0)
    expect(page.locator("#sched-text")).to_have_value("Seus óculos estão prontos")
    expect(page.locator("#sched-phone")).to_have_value("(11) 98888-3003")

    # Fixed: saved, and only now the form empties.
    page.locator("#sched-date").fill(tomorrow.strftime("%Y-%m-%d"))
    page.get_by_role("button", name="Schedule", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("Message scheduled for")
    expect(page.locator("#sched-text")).to_have_value("")
    expect(page.get_by_test_id("schedule-row").filter(has_text="Seus óculos")).to_be_visible()
    page.close()


def test_campaign_csv_from_excel_preview_and_a_refused_variable(
    browser: Browser, live_app: RunningApp
) -> None:
    page = browser.new_page(locale="en-US")
    sign_up(page, live_app.url, company="Mercado", name="Mara", email=unique_email("csv"))
    add_number(page, "Vendas")
    page.get_by_role("link", name="Scheduling").click()
    page.get_by_role("tab", name="Campaigns").click()
    upload = page.locator("#campaign_csv input[type=file]")

    # Excel in Brazil: Windows-1252 and ";". The preview shows what will be stored.
    excel = "telefone;nome\r\n(11) 98888-4001;José Maçã\r\n11988884002;Conceição\r\n"
    upload.set_input_files(
        files=[FilePayload(name="clientes.csv", mimeType="text/csv", buffer=excel.encode("cp1252"))]
    )
    preview = page.get_by_test_id("csv-preview")
    expect(preview).to_contain_text("Read as Windows-1252")
    expect(preview).to_contain_text("2 recipients")
    rows = page.get_by_test_id("csv-preview-row")
    expect(rows.nth(0)).to_contain_text("+55 11 98888-4001")
    expect(rows.nth(0)).to_contain_text("José Maçã")
    expect(rows.nth(1)).to_contain_text("Conceição")
    expect(page.locator("#campaign-csv")).to_have_value(excel.replace("\r\n", "\n"))

    # A file no encoding reads is refused, with a reason, not guessed.
    upload.set_input_files(
        files=[
            FilePayload(name="x.csv", mimeType="text/csv", buffer=b"5511988884003;Jo\x81o\x8d\n")
        ]
    )
    expect(page.locator("#campaign-csv-error")).to_contain_text("encoding cannot be read")

    # Back to the good file; an unknown variable is refused under the message field.
    upload.set_input_files(
        files=[FilePayload(name="ok.csv", mimeType="text/csv", buffer=excel.encode("cp1252"))]
    )
    expect(page.get_by_test_id("csv-preview")).to_contain_text("2 recipients")
    page.get_by_label("Campaign name").fill("Natal")
    page.get_by_label("Send from").select_option(label="Vendas")
    page.locator("#campaign-text").fill("Feliz Natal, {{nmoe}}!")
    page.get_by_role("button", name="Create draft").click()
    expect(page.locator("#campaign-text-error")).to_contain_text("Unknown variable {{nmoe}}")
    expect(page.get_by_label("Campaign name")).to_have_value("Natal")
    expect(page.locator("#campaign-text")).to_have_value("Feliz Natal, {{nmoe}}!")
    expect(page.locator("#campaign-csv")).not_to_have_value("")

    # Portuguese variables and the first name after "Dona" are fine.
    page.locator("#campaign-text").fill("Feliz Natal, {{primeiro_nome}}!")
    page.get_by_role("button", name="Create draft").click()
    expect(page.get_by_role("status")).to_contain_text("Draft created with 2 recipients")
    expect(page.get_by_label("Campaign name")).to_have_value("")
    ((names,),) = query(
        live_app,
        "SELECT string_agg(r.name, ',' ORDER BY r.id) FROM campaign_recipients r "
        "JOIN campaigns c ON c.id = r.campaign_id WHERE c.name = 'Natal'",
    )
    assert names == "José Maçã,Conceição"
    page.close()


def _department_conversation(app: RunningApp, email: str, phone: str) -> str:
    """The latest tenant's conversation with ``phone`` goes to a new "Financeiro" department,
    and an agent (``email``) who is not in it is added; returns the agent's email."""
    engine = create_engine(app.database_url)
    with Session(engine) as session:
        tenant_id = session.exec(select(Tenant.id).order_by(col(Tenant.id).desc())).first()
        assert tenant_id is not None
        scope = TenantScope(session, tenant_id)
        contact = scope.first(Contact, Contact.phone == phone)
        number = scope.first(WhatsAppNumber)
        assert contact is not None and number is not None
        department = scope.add(Department(tenant_id=tenant_id, name="Financeiro"))
        session.flush()
        conversation = scope.first(Conversation, Conversation.contact_id == contact.id)
        if conversation is None:
            conversation = Conversation(
                tenant_id=tenant_id, number_id=number.id or 0, contact_id=contact.id or 0
            )
        conversation.department_id = department.id
        session.add(conversation)
        session.add(
            User(
                tenant_id=tenant_id, email=email, name="Ágata", role="agent", language="en",
                password_hash=hash_password(PASSWORD),
            )
        )  # fmt: skip
        session.commit()
    engine.dispose()
    return email


def test_an_agent_does_not_see_another_departments_schedules(
    browser: Browser, live_app: RunningApp
) -> None:
    owner = browser.new_page(locale="en-US")
    sign_up(owner, live_app.url, company="Banco", name="Bia", email=unique_email("vis"))
    add_number(owner, "Vendas")
    owner.get_by_role("link", name="Scheduling").click()
    when = _tomorrow(live_app)
    schedule(
        owner,
        phone="+55 11 98888-5001",
        when=when,
        text="Boleto vence amanhã",
        repeat="Does not repeat",
    )
    schedule(
        owner, phone="+55 11 98888-5002", when=when, text="Bem-vindo!", repeat="Does not repeat"
    )
    agent_email = _department_conversation(live_app, unique_email("agent"), "+5511988885001")

    agent = browser.new_page(locale="en-US")
    sign_in(agent, live_app.url, agent_email)
    expect(agent.get_by_role("heading", name="Dashboard")).to_be_visible()
    agent.get_by_role("link", name="Scheduling").click()
    rows = agent.get_by_test_id("schedule-row")
    expect(rows.filter(has_text="Bem-vindo!")).to_be_visible()
    expect(rows).to_have_count(1)  # the Financeiro conversation's schedule is not listed
    contacts = agent.locator("#sched-contact option").all_inner_texts()
    assert not any("98888-5001" in c or "5511988885001" in c for c in contacts)
    # Campaigns are for managers: the agent is told so, and sees none.
    agent.get_by_role("tab", name="Campaigns").click()
    expect(agent.get_by_text("Campaigns are created and run by")).to_be_visible()

    owner.reload()
    expect(owner.get_by_test_id("schedule-row")).to_have_count(2)
    agent.close()
    owner.close()


SHOTS = Path("/tmp/h4-shots")


@pytest.mark.parametrize("locale", ["pt-BR", "en-US"])
def test_scheduling_screens_in_both_languages(
    browser: Browser, live_app: RunningApp, locale: str
) -> None:
    """Screenshots at a laptop's and a phone's width; in pt-BR no "cobrança", no English."""
    SHOTS.mkdir(exist_ok=True)
    page = browser.new_page(locale="en-US", viewport={"width": 1366, "height": 768})
    sign_up(page, live_app.url, company="Padaria", name="Pedro", email=unique_email("shot"))
    add_number(page, "Vendas")
    page.locator("#sidebar-language").select_option("pt-BR" if locale == "pt-BR" else "en")
    dashboard = "Painel" if locale == "pt-BR" else "Dashboard"
    expect(page.get_by_role("link", name=dashboard)).to_be_visible()  # saved with the user
    page.goto(f"{live_app.url}/scheduling")
    tabs = ("Mensagens agendadas", "Campanhas", "Retornos")
    if locale == "en-US":
        tabs = ("Scheduled messages", "Campaigns", "Follow-ups")
    for width, height in ((1366, 768), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        for tab in tabs:
            page.get_by_role("tab", name=tab).click()
            page.wait_for_timeout(300)
            body = page.locator("main, body").first.inner_text()
            if locale == "pt-BR":
                assert "cobran" not in body.lower() and "follow" not in body.lower()
            page.screenshot(
                path=str(SHOTS / f"scheduling-{locale}-{width}-{tab[:8]}.png"), full_page=True
            )
    page.close()
