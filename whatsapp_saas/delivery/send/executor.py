"""Performing sends on the node that owns the number's live session.

Used by the send agent (Redis mode) and by the embedded workers alike. Three guards make a
repeated request harmless:

- in-flight sharing: a second request for a message this node is sending right now waits for
  the first one's result instead of sending again;
- "sent" markers (Redis): a request repeated after its worker died gets the recorded result;
- "tried" markers (Redis), for engines that cannot fix message ids (neonize): a send whose
  outcome nobody knows is reported as such instead of being sent again blindly.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Sequence
from typing import Protocol

import redis.asyncio as aioredis

from whatsapp_saas.delivery.common import keys, reasons
from whatsapp_saas.delivery.common.jobs import SendJob, SendOutcome
from whatsapp_saas.inbox.media import MediaNotFound, media_store
from whatsapp_saas.inbox.models import MessageType
from whatsapp_saas.whatsapp import gateway as gw

log = logging.getLogger(__name__)


class SendingNode(Protocol):
    """The part of :class:`~whatsapp_saas.whatsapp.manager.node.ManagerNode` we use."""

    node_id: str

    def owns(self, number_id: int) -> bool: ...

    async def send_text(
        self, number_id: int, to: str, text: str, *, message_id: str, quoted_id: str | None = None
    ) -> gw.SendResult: ...

    async def send_media(
        self,
        number_id: int,
        to: str,
        media: gw.OutboundMedia,
        *,
        message_id: str,
        quoted_id: str | None = None,
    ) -> gw.SendResult: ...


class Markers:
    """Per-message notes in Redis that outlive a crashed worker (and a crashed node)."""

    def __init__(self, client: aioredis.Redis, ttl: float) -> None:
        self.redis = client
        self.ttl = max(int(ttl), 1)

    @staticmethod
    def _key(kind: str, job: SendJob) -> str:
        return keys.dlv(f"{kind}:{job.number_id}:{job.wa_message_id}")

    async def lookup(self, jobs: Sequence[SendJob]) -> tuple[dict[int, SendOutcome], set[int]]:
        """(recorded results, messages some node already tried) for ``jobs``."""
        keys = [self._key("sent", j) for j in jobs] + [self._key("try", j) for j in jobs]
        values = await self.redis.mget(keys)
        sent: dict[int, SendOutcome] = {}
        tried: set[int] = set()
        for index, job in enumerate(jobs):
            if values[index]:
                sent[job.message_id] = SendOutcome.from_wire(json.loads(values[index]))
            if values[len(jobs) + index]:
                tried.add(job.message_id)
        return sent, tried

    async def mark_tried(self, jobs: Sequence[SendJob], node_id: str) -> None:
        if jobs:
            pipe = self.redis.pipeline(transaction=False)
            for job in jobs:
                pipe.set(self._key("try", job), node_id, ex=self.ttl)
            await pipe.execute()

    async def remember(self, done: Sequence[tuple[SendJob, SendOutcome]]) -> None:
        if done:
            pipe = self.redis.pipeline(transaction=False)
            for job, outcome in done:
                pipe.set(self._key("sent", job), json.dumps(outcome.to_wire()), ex=self.ttl)
            await pipe.execute()


class SendExecutor:
    def __init__(
        self, node: SendingNode, *, keeps_ids: bool, markers: Markers | None = None
    ) -> None:
        self.node = node
        self.keeps_ids = keeps_ids
        self.markers = markers
        self._inflight: dict[str, asyncio.Future[SendOutcome]] = {}

    async def run(self, jobs: Sequence[SendJob]) -> list[SendOutcome]:
        """Send ``jobs`` (concurrently; they are heads of different conversations)."""
        sent, tried = await self._recall(jobs)
        fresh = [
            j for j in jobs if j.message_id not in sent and j.wa_message_id not in self._inflight
        ]
        if self.markers is not None and not self.keeps_ids:
            await self.markers.mark_tried(
                [j for j in fresh if j.message_id not in tried], self.node.node_id
            )
        outcomes = await asyncio.gather(*(self._one(j, sent, tried) for j in jobs))
        if self.markers is not None:
            new = [
                (j, o)
                for j, o in zip(jobs, outcomes, strict=True)
                if o.ok and j.message_id not in sent
            ]
            await self.markers.remember(new)
        return list(outcomes)

    async def _recall(self, jobs: Sequence[SendJob]) -> tuple[dict[int, SendOutcome], set[int]]:
        if self.markers is None or not jobs:
            return {}, set()
        return await self.markers.lookup(jobs)

    async def _one(
        self, job: SendJob, sent: dict[int, SendOutcome], tried: set[int]
    ) -> SendOutcome:
        if job.message_id in sent:
            return sent[job.message_id]
        running = self._inflight.get(job.wa_message_id)
        if running is not None:
            return await asyncio.shield(running)
        if job.message_id in tried and not self.keeps_ids:
            return SendOutcome.failed(
                job.message_id,
                False,
                reasons.OUTCOME_UNKNOWN,
                "tried before by a node that did not report back",
            )
        future: asyncio.Future[SendOutcome] = asyncio.get_running_loop().create_future()
        self._inflight[job.wa_message_id] = future
        try:
            outcome = await self._send(job)
            future.set_result(outcome)
            return outcome
        except BaseException:  # cancelled (errors become outcomes in _send)
            future.cancel()
            raise
        finally:
            self._inflight.pop(job.wa_message_id, None)

    async def _send(self, job: SendJob) -> SendOutcome:
        if not self.node.owns(job.number_id):
            return SendOutcome.failed(
                job.message_id,
                True,
                reasons.NUMBER_OFFLINE,
                f"node {self.node.node_id} does not own the number",
            )
        try:
            result = await self._call(job)
        except MediaNotFound:
            return SendOutcome.failed(job.message_id, False, reasons.MEDIA_MISSING)
        except Exception as exc:
            failure = reasons.classify(exc)
            # The type only at INFO: an engine's error text may quote what was sent.
            log.info("send of message %s failed: %s", job.message_id, type(exc).__name__)
            log.debug("send of message %s failed: %s", job.message_id, failure.detail)
            return SendOutcome.failed(
                job.message_id, failure.transient, failure.reason, failure.detail
            )
        return SendOutcome(
            job.message_id,
            True,
            wa_message_id=result.message_id,
            timestamp=result.timestamp.isoformat(),
        )

    async def _call(self, job: SendJob) -> gw.SendResult:
        if job.media_key:
            media = await _media(job)
            return await self.node.send_media(
                job.number_id,
                job.to,
                media,
                message_id=job.wa_message_id,
                quoted_id=job.quoted_wa_id,
            )
        return await self.node.send_text(
            job.number_id,
            job.to,
            job.text or "",
            message_id=job.wa_message_id,
            quoted_id=job.quoted_wa_id,
        )


async def _media(job: SendJob) -> gw.OutboundMedia:
    assert job.media_key is not None
    data = await asyncio.to_thread(media_store().get, job.tenant_id, job.media_key)
    voice = job.type == MessageType.VOICE.value
    kind = job.media_kind or ("audio" if voice else "document")
    return gw.OutboundMedia(
        kind=gw.MediaKind(kind),
        data=data,
        mimetype=job.media_mimetype or "application/octet-stream",
        filename=job.media_filename,
        caption=job.caption,
        voice_note=voice,
        seconds=job.media_seconds,
    )
