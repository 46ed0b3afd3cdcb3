"""The periodic media sweep resumes pending downloads of the numbers this process owns."""

from __future__ import annotations

from typing import Any

from whatsapp_saas.inbox import media_sweep


class _Downloader:
    def __init__(self) -> None:
        self.asked: list[list[int]] = []

    async def sweep(self, number_ids: list[int]) -> int:
        self.asked.append(list(number_ids))
        return len(number_ids)


async def test_sweep_asks_only_for_owned_numbers() -> None:
    downloader: Any = _Downloader()
    assert await media_sweep.sweep_once(downloader, [3, 5]) == 2
    assert await media_sweep.sweep_once(downloader, []) == 0
    assert downloader.asked == [[3, 5]]


async def test_sweep_without_a_fetcher_does_nothing() -> None:
    assert await media_sweep.sweep_once(None, [1]) == 0
