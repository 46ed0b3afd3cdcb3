"""What other parts of the system ask of a node: pairing codes and, for the outbox, the live socket.

Sends, read marks and media downloads must run where the session lives (one owner per number),
so these calls go to the session host that runs it. A number this node does not run raises
:class:`SessionNotRunning` (transient): the outbox retries, and the sweeper hands the work to
whichever node owns the number by then.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from whatsapp_saas.errors import UserError
from whatsapp_saas.whatsapp import gateway as gw
from whatsapp_saas.whatsapp.manager import records
from whatsapp_saas.whatsapp.manager.host_pool import HostHandle

log = logging.getLogger(__name__)


class NodeApi:
    # Provided by ManagerNode / SessionOps.
    runners: dict[int, Any]
    pool: Any
    settings: Any

    async def db(self, fn: Any, *args: Any) -> Any: ...

    async def reconcile_number(self, number_id: int, view: Any = None) -> None: ...

    def owns(self, number_id: int) -> bool:
        return number_id in self.runners

    def is_live(self, number_id: int) -> bool:
        runner = self.runners.get(number_id)
        return runner is not None and runner.live

    def _host(self, number_id: int) -> tuple[HostHandle, str]:
        runner = self.runners.get(number_id)
        host = self.pool.host_of(str(number_id)) if runner is not None and runner.live else None
        if host is None:
            raise gw.SessionNotRunning(f"number {number_id} has no live session on this node")
        return host, str(number_id)

    async def _call(self, number_id: int, method: str, *args: Any, **kwargs: Any) -> Any:
        host, sid = self._host(number_id)
        return await host.call(method, sid, *args, timeout=self.settings.call_timeout, **kwargs)

    # --- for the outbox worker ----------------------------------------------------------------

    async def send_text(
        self, number_id: int, to: str, text: str, *, message_id: str, quoted_id: str | None = None
    ) -> gw.SendResult:
        result: gw.SendResult = await self._call(
            number_id, "send_text", to, text, message_id=message_id, quoted_id=quoted_id
        )
        return result

    async def send_media(
        self,
        number_id: int,
        to: str,
        media: gw.OutboundMedia,
        *,
        message_id: str,
        quoted_id: str | None = None,
    ) -> gw.SendResult:
        result: gw.SendResult = await self._call(
            number_id, "send_media", to, media, message_id=message_id, quoted_id=quoted_id
        )
        return result

    async def mark_read(
        self, number_id: int, chat: str, sender: str | None, message_ids: list[str]
    ) -> None:
        await self._call(number_id, "mark_read", chat, sender, message_ids)

    async def download_media(self, number_id: int, ref: gw.MediaRef) -> bytes:
        data: bytes = await self._call(number_id, "download_media", ref)
        return data

    async def set_typing(self, number_id: int, chat: str, typing: bool) -> None:
        await self._call(number_id, "set_typing", chat, typing)

    # --- read receipts (control channel) ------------------------------------------------------

    async def on_read(self, number_id: int, chat: str, message_ids: list[str]) -> None:
        if not self.is_live(number_id):
            return  # not ours, or not connected: receipts are best effort
        try:
            await self.mark_read(number_id, chat, None, message_ids)
        except gw.GatewayError as exc:
            log.info("read receipts for number %s not sent: %s", number_id, exc)

    # --- pairing code (control channel) -------------------------------------------------------

    async def on_pairing_code(self, number_id: int, phone: str) -> str | None:
        """The code for ``phone``, once the session shows QR codes; None if not ours."""
        if number_id not in self.runners:
            await self.reconcile_number(number_id)  # maybe nobody has adopted it yet
        runner = self.runners.get(number_id)
        if runner is None:
            return None
        try:
            await asyncio.wait_for(runner.qr_ready.wait(), self.settings.pairing_timeout)
            code = str(await self._call(number_id, "request_pairing_code", phone))
        except (TimeoutError, gw.GatewayError) as exc:
            raise UserError("error.whatsapp_pairing_failed") from exc
        await self.db(records.set_pairing_code, number_id, code)
        return code
