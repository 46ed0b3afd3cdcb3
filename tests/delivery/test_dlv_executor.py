"""The node-side executor: in-flight sharing, "sent" markers after a crashed worker, "tried"
markers for engines that cannot fix message ids, media from the store."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

import pytest

from whatsapp_saas.delivery.common import reasons
from whatsapp_saas.delivery.common.jobs import SendJob
from whatsapp_saas.delivery.send.agent import redis_client
from whatsapp_saas.delivery.send.executor import Markers, SendExecutor
from whatsapp_saas.inbox.media import media_store
from whatsapp_saas.whatsapp import gateway as gw


class FakeNode:
    node_id = "node-a"

    def __init__(self, delay: float = 0.0, fail: Exception | None = None) -> None:
        self.calls: list[tuple[str, str, Any]] = []
        self.delay = delay
        self.fail = fail

    def owns(self, number_id: int) -> bool:
        return True

    async def send_text(
        self, number_id: int, to: str, text: str, *, message_id: str, quoted_id: str | None = None
    ) -> gw.SendResult:
        return await self._send("text", message_id, text)

    async def send_media(
        self,
        number_id: int,
        to: str,
        media: gw.OutboundMedia,
        *,
        message_id: str,
        quoted_id: str | None = None,
    ) -> gw.SendResult:
        return await self._send("media", message_id, media)

    async def _send(self, kind: str, message_id: str, payload: Any) -> gw.SendResult:
        self.calls.append((kind, message_id, payload))
        await asyncio.sleep(self.delay)
        if self.fail is not None:
            raise self.fail
        return gw.SendResult(message_id, datetime(2026, 11, 29, 12, 0, tzinfo=UTC))


def job(message_id: int = 1, **extra: Any) -> SendJob:
    return SendJob(
        message_id,
        1,
        7,
        1,
        f"3EB0{message_id:04d}",
        "5511999990000@s.whatsapp.net",
        "text",
        text="hi",
        **extra,
    )


async def test_a_repeated_request_shares_the_send_in_flight() -> None:
    node = FakeNode(delay=0.1)
    executor = SendExecutor(node, keeps_ids=True)
    first, second = await asyncio.gather(executor.run([job()]), executor.run([job()]))
    assert len(node.calls) == 1
    assert first[0].ok and second[0].ok


async def test_sent_markers_answer_a_retry_after_a_dead_worker(dlv_redis: str) -> None:
    client = redis_client(dlv_redis)
    try:
        node = FakeNode()
        await SendExecutor(node, keeps_ids=True, markers=Markers(client, 60)).run([job()])
        again = SendExecutor(node, keeps_ids=True, markers=Markers(client, 60))  # a new agent
        (outcome,) = await again.run([job()])
    finally:
        await client.aclose()
    assert outcome.ok and outcome.wa_message_id == "3EB00001"
    assert len(node.calls) == 1, "not sent twice"


async def test_unknown_outcomes_are_not_resent_blindly_without_fixed_ids(dlv_redis: str) -> None:
    client = redis_client(dlv_redis)
    try:
        markers = Markers(client, 60)
        await markers.mark_tried([job()], "node-that-died")
        node = FakeNode()
        (outcome,) = await SendExecutor(node, keeps_ids=False, markers=markers).run([job()])
        (fixed,) = await SendExecutor(node, keeps_ids=True, markers=markers).run([job()])
    finally:
        await client.aclose()
    assert not outcome.ok and not outcome.transient
    assert outcome.reason == reasons.OUTCOME_UNKNOWN
    assert fixed.ok, "with fixed ids the phone dedupes a resend: send it"


@pytest.mark.parametrize(
    ("error", "transient", "reason"),
    [
        (gw.InvalidRecipient("nope"), False, reasons.INVALID_RECIPIENT),
        (gw.NotLoggedIn("gone"), False, reasons.LOGGED_OUT),
        (gw.SessionNotRunning("down"), True, reasons.NUMBER_OFFLINE),
        (gw.GatewayError("blip"), True, reasons.SEND_ERROR),
        (RuntimeError("bug"), True, reasons.SEND_ERROR),
    ],
)
async def test_errors_become_outcomes(error: Exception, transient: bool, reason: str) -> None:
    (outcome,) = await SendExecutor(FakeNode(fail=error), keeps_ids=True).run([job()])
    assert (outcome.ok, outcome.transient, outcome.reason) == (False, transient, reason)


async def test_media_comes_from_the_store(tmp_path: Any) -> None:
    key = media_store().put(1, b"\x89PNG...", mimetype="image/png", filename="a.png")
    node = FakeNode()
    media_job = job(media_key=key, media_kind="image", media_mimetype="image/png", caption="look")
    (outcome,) = await SendExecutor(node, keeps_ids=True).run([media_job])
    assert outcome.ok
    kind, _, media = node.calls[0]
    assert kind == "media" and media.data == b"\x89PNG..." and media.caption == "look"


async def test_missing_media_is_a_permanent_failure() -> None:
    media_job = job(media_key="1/2026/11/missing.png", media_kind="image")
    (outcome,) = await SendExecutor(FakeNode(), keeps_ids=True).run([media_job])
    assert (outcome.transient, outcome.reason) == (False, reasons.MEDIA_MISSING)
