"""Driving the running app from outside: its processes, its people, a tab over the websocket.

People and rows are made through the same services the pages call, against the app's own
database (the test process points its settings there). Requests then go over real HTTP and
the real websocket, as an attacker's would.
"""

from __future__ import annotations

import asyncio
import secrets
import uuid
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

import httpx
import socketio

from tests.conftest import point_app_at
from whatsapp_saas.accounts import service as accounts
from whatsapp_saas.accounts.service import CurrentUser
from whatsapp_saas.contacts import service as contacts
from whatsapp_saas.db import session_scope
from whatsapp_saas.inbox import service as inbox
from whatsapp_saas.tenancy.scope import TenantScope
from whatsapp_saas.whatsapp import service as numbers

PASSWORD = "correct horse battery"
ROOT_STATE = "reflex___state____state"
APP_STATE = f"{ROOT_STATE}.whatsapp_saas___ui___base_state____app_state"
COMPOSER = (
    f"{APP_STATE}.whatsapp_saas___ui___inbox___state____inbox_state"
    ".whatsapp_saas___ui___inbox___composer____composer_state"
)
SCHEDULES = f"{APP_STATE}.whatsapp_saas___ui___scheduling___schedules_state____schedules_state"
CAMPAIGNS = f"{APP_STATE}.whatsapp_saas___ui___scheduling___campaigns_state____campaigns_state"
AUTO_FILES = f"{APP_STATE}.whatsapp_saas___ui___automations___files_state____automation_files_state"
T = TypeVar("T")
UPLOAD_HANDLERS = (
    f"{COMPOSER}.upload",
    f"{SCHEDULES}.upload",
    f"{CAMPAIGNS}.load_csv_file",
    f"{AUTO_FILES}.upload_file",
)


BOUNDARY = "----wa-test-boundary"


def multipart_head(filename: str, content_type: str) -> bytes:
    return (
        f"--{BOUNDARY}\r\n"
        f'Content-Disposition: form-data; name="files"; filename="{filename}"\r\n'
        f"Content-Type: {content_type}\r\n\r\n"
    ).encode()


def multipart_form(filename: str, content_type: str, data: bytes) -> bytes:
    return multipart_head(filename, content_type) + data + f"\r\n--{BOUNDARY}--\r\n".encode()


def run_async(coro: Coroutine[Any, Any, T]) -> T:
    """Run ``coro`` on a loop of its own in a thread of its own.

    Playwright's sync API keeps an event loop running in the test thread once a browser test
    ran, so a plain ``async def`` test (or ``asyncio.run``) would fail after one.
    """
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coro).result()


# --- the app's processes --------------------------------------------------------------------


def app_pids(url: str) -> list[int]:
    """The app's processes (the reflex command and its granian worker) by their command line."""
    marker = f"--backend-port\0{urlsplit(url).port}\0".encode()
    pids = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            if marker in (proc / "cmdline").read_bytes():
                pids.append(int(proc.name))
        except OSError:
            continue
    return pids


def rss_bytes(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


def app_rss(url: str) -> dict[int, int]:
    return {pid: rss_bytes(pid) for pid in app_pids(url)}


# --- people and rows ------------------------------------------------------------------------


@dataclass
class Company:
    owner: CurrentUser
    owner_token: str
    agent_token: str
    conversation_id: int
    number_id: int
    contact_id: int


def use_app_database(database_url: str) -> None:
    point_app_at(database_url)


def sign_in(email: str) -> str:
    with session_scope() as session:
        return accounts.sign_in(session, email=email, password=PASSWORD).token


def company(language: str = "en") -> Company:
    """An owner, an agent (in no department) and an open conversation with a customer."""
    slug = secrets.token_hex(4)
    with session_scope() as session:
        accounts.signup(
            session,
            company_name=f"Co {slug}",
            name="Olivia",
            email=f"owner-{slug}@example.com",
            password=PASSWORD,
            language=language,
        )
    owner_token = sign_in(f"owner-{slug}@example.com")
    with session_scope() as session:
        owner = accounts.resolve_session(session, token=owner_token)
        assert owner is not None
        scope = TenantScope(session, owner.tenant_id)
        issued = accounts.invite_user(
            scope, actor=owner, email=f"agent-{slug}@example.com", name="Ana"
        )
        accounts.accept_invite(session, token=issued.token, password=PASSWORD)
        number = numbers.add_number(scope, name="Main")
        contact = contacts.create_contact(scope, phone="+5511988887777", name="Maria")
        assert number.id is not None and contact.id is not None
        conversation = inbox.open_conversation(
            scope, actor=owner, number_id=number.id, contact_id=contact.id
        )
        assert conversation.id is not None
        ids = (conversation.id, number.id, contact.id)
    return Company(owner, owner_token, sign_in(f"agent-{slug}@example.com"), *ids)


# --- a tab over the websocket ---------------------------------------------------------------


class Tab:
    """A browser tab without a browser: a client token, and its session cookie in the state."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.token = str(uuid.uuid4())
        self.client = socketio.AsyncClient(reconnection=False)
        self.deltas: list[dict[str, dict[str, object]]] = []
        self.client.on("event", self._on_event, namespace="/_event")
        self.session_token = ""

    async def _on_event(self, data: dict[str, object]) -> None:
        delta = data.get("delta") if isinstance(data, dict) else None
        if isinstance(delta, dict):
            self.deltas.append(delta)

    async def open(self, session_token: str = "") -> Tab:
        self.session_token = session_token
        # The cookie rides on the handshake as a browser's would; the state's copy is set too.
        cookie = {"Cookie": f"wa_session={session_token}"} if session_token else {}
        await self.client.connect(
            f"{self.url}?token={self.token}",
            headers={"Origin": self.url, **cookie},
            socketio_path="/_event",
            namespaces=["/_event"],
            transports=["websocket"],
        )
        if session_token:
            await self.emit(
                f"{ROOT_STATE}.reflex___state____update_vars_internal_state.update_vars_internal",
                {"vars": {f"{APP_STATE}.token": session_token}},
            )
        return self

    async def emit(self, handler: str, payload: dict[str, object]) -> None:
        """Send an event and wait for the app's answer to it (its first delta)."""
        seen = len(self.deltas)
        await self._send(handler, payload)
        for _ in range(200):
            if len(self.deltas) > seen:
                return
            await asyncio.sleep(0.05)
        raise TimeoutError(f"no answer to {handler}")

    async def _send(self, handler: str, payload: dict[str, object]) -> None:
        await self.client.emit(
            "event",
            {
                "name": handler,
                "payload": payload,
                "router_data": {"pathname": "/inbox", "query": {}, "asPath": "/inbox"},
            },
            namespace="/_event",
        )

    async def upload(
        self, handler: str, filename: str, content_type: str, data: bytes
    ) -> tuple[int, str]:
        """POST one file to ``/_upload`` as this tab; the status and what the app streamed."""
        async with httpx.AsyncClient(timeout=60) as client:
            response = await client.post(
                f"{self.url}/_upload",
                content=multipart_form(filename, content_type, data),
                headers={
                    "content-type": f"multipart/form-data; boundary={BOUNDARY}",
                    "reflex-client-token": self.token,
                    "reflex-event-handler": handler,
                    "cookie": f"wa_session={self.session_token}",
                },
            )
        return response.status_code, response.text

    async def close(self) -> None:
        await self.client.disconnect()
