"""Resume inbound media downloads that a restart interrupted or an attendant re-armed.

Downloads normally start right after ingest commits; this periodic sweep picks up what is
still ``pending`` for the numbers whose live sessions this process owns (only the owner can
download: the bytes come through the session).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Collection

from whatsapp_saas.inbox.pipeline import installed_pipeline

log = logging.getLogger(__name__)

SWEEP_EVERY_S = 30.0


async def sweep_once(number_ids: Collection[int]) -> int:
    pipeline = installed_pipeline()
    if pipeline is None or pipeline.downloader is None or not number_ids:
        return 0
    return await pipeline.downloader.sweep(number_ids)


async def sweep_forever(
    owned_numbers: Callable[[], Collection[int]], every: float = SWEEP_EVERY_S
) -> None:
    while True:
        await asyncio.sleep(every)
        try:
            tried = await sweep_once(owned_numbers())
            if tried:
                log.info("media sweep resumed %d downloads", tried)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("media sweep failed; next try in %.0f s", every)
