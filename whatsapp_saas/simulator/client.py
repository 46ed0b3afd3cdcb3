"""A small async client for the control API, for tests, demos and load generators."""

from __future__ import annotations

import asyncio
import base64
import time
from types import TracebackType
from typing import Any
from urllib.parse import quote

import aiohttp


class SimulatorError(Exception):
    def __init__(self, status: int, body: Any) -> None:
        super().__init__(f"simulator answered {status}: {body}")
        self.status, self.body = status, body


def media_payload(
    kind: str, data: bytes, mimetype: str, filename: str | None = None, voice_note: bool = False
) -> dict[str, Any]:
    """The ``media`` object of ``POST /sim/messages``."""
    return {
        "kind": kind,
        "mimetype": mimetype,
        "filename": filename,
        "data_b64": base64.b64encode(data).decode(),
        "voice_note": voice_note,
    }


def _path_phone(phone: str) -> str:
    return quote(phone, safe="")


class SimulatorClient:
    """``async with SimulatorClient("http://127.0.0.1:7781") as sim: await sim.link(qr, phone)``."""

    def __init__(self, base_url: str, *, timeout: float = 10.0) -> None:
        self.base_url = base_url.rstrip("/")
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._http: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> SimulatorClient:
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    async def close(self) -> None:
        if self._http is not None:
            await self._http.close()
            self._http = None

    async def _object(self, method: str, path: str, body: Any = None) -> dict[str, Any]:
        """A request whose answer is a JSON object (every ``/sim`` inspection route)."""
        data = await self._request(method, path, body)
        if not isinstance(data, dict):
            raise SimulatorError(500, data)
        return data

    async def _request(self, method: str, path: str, body: Any = None) -> Any:
        if self._http is None:
            self._http = aiohttp.ClientSession(timeout=self._timeout)
        async with self._http.request(method, self.base_url + path, json=body) as resp:
            data = (
                await resp.json() if resp.content_type == "application/json" else await resp.read()
            )
            if resp.status >= 400:
                raise SimulatorError(resp.status, data)
            return data

    # --- linking -------------------------------------------------------------------------

    async def link(self, qr: str, phone: str, push_name: str | None = None) -> dict[str, Any]:
        return await self._object(
            "POST", "/sim/link", _drop_none(qr=qr, phone=phone, push_name=push_name)
        )

    async def pair(self, phone: str, code: str, push_name: str | None = None) -> dict[str, Any]:
        return await self._object(
            "POST", "/sim/pair", _drop_none(phone=phone, code=code, push_name=push_name)
        )

    async def unlink(self, phone: str) -> None:
        await self._request("POST", f"/sim/phones/{_path_phone(phone)}/unlink")

    async def drop(self, phone: str) -> int:
        data = await self._request("POST", f"/sim/phones/{_path_phone(phone)}/drop")
        return int(data["dropped"])

    # --- customer side -------------------------------------------------------------------

    async def send_message(
        self,
        sender: str,
        to: str,
        text: str = "",
        *,
        push_name: str | None = None,
        media: dict[str, Any] | None = None,
        quoted_id: str | None = None,
        lid: str | None = None,
        only_lid: bool = False,
        message_id: str | None = None,
    ) -> str:
        """A customer phone writes to a linked business number; returns the message id."""
        body = _drop_none(
            to=to,
            text=text,
            push_name=push_name,
            media=media,
            quoted_id=quoted_id,
            lid=lid,
            id=message_id,
        )
        body["from"] = sender
        if only_lid:
            body["only_lid"] = True
        data = await self._request("POST", "/sim/messages", body)
        return str(data["id"])

    async def send_messages(self, messages: list[dict[str, Any]]) -> list[str]:
        """Batch of ``POST /sim/messages`` bodies in one request."""
        data = await self._request("POST", "/sim/messages/batch", {"messages": messages})
        return [str(i) for i in data["ids"]]

    async def receipts(
        self, phone: str, message_ids: list[str], kind: str = "delivered"
    ) -> dict[str, Any]:
        body = {"phone": phone, "message_ids": message_ids, "kind": kind}
        return await self._object("POST", "/sim/receipts", body)

    async def typing(
        self, sender: str, to: str, typing: bool = True, recording: bool = False
    ) -> bool:
        body = {"from": sender, "to": to, "typing": typing, "recording": recording}
        return bool((await self._request("POST", "/sim/typing", body))["delivered"])

    # --- inspection ----------------------------------------------------------------------

    async def phone_messages(self, phone: str) -> dict[str, Any]:
        return await self._object("GET", f"/sim/phones/{_path_phone(phone)}/messages")

    async def read_receipts(self, phone: str) -> dict[str, Any]:
        return await self._object("GET", f"/sim/phones/{_path_phone(phone)}/read-receipts")

    async def phone(self, phone: str) -> dict[str, Any]:
        return await self._object("GET", f"/sim/phones/{_path_phone(phone)}")

    async def media(self, media_id: str) -> bytes:
        return bytes(await self._request("GET", f"/sim/media/{quote(media_id, safe='')}"))

    async def sessions(self) -> list[dict[str, Any]]:
        return list((await self._request("GET", "/sim/sessions"))["sessions"])

    async def health(self) -> dict[str, Any]:
        return await self._object("GET", "/sim/health")

    async def reset(self) -> None:
        await self._request("POST", "/sim/reset")

    async def wait_for_qr(self, session_id: str | None = None, timeout: float = 10.0) -> str:
        """The current QR text of a waiting session (the first one if no id is given)."""
        deadline = time.monotonic() + timeout
        while True:
            for item in await self.sessions():
                if item["qr"] and session_id in (None, item["session_id"]):
                    return str(item["qr"])
            if time.monotonic() > deadline:
                raise TimeoutError("no session is waiting for a QR scan")
            await asyncio.sleep(0.02)


def _drop_none(**fields: Any) -> dict[str, Any]:
    return {key: value for key, value in fields.items() if value is not None}
