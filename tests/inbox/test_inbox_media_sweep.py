"""The periodic media sweep resumes pending downloads of the numbers this process owns."""

from __future__ import annotations

import pytest

from whatsapp_saas.inbox import media_sweep


class _Downloader:
    def __init__(self) -> None:
        self.asked: list[list[int]] = []

    async def sweep(self, number_ids: list[int]) -> int:
        self.asked.append(list(number_ids))
        return len(number_ids)


class _Pipeline:
    def __init__(self) -> None:
        self.downloader = _Downloader()


async def test_sweep_asks_only_for_owned_numbers(monkeypatch: pytest.MonkeyPatch) -> None:
    pipeline = _Pipeline()
    monkeypatch.setattr(media_sweep, "installed_pipeline", lambda: pipeline)
    assert await media_sweep.sweep_once([3, 5]) == 2
    assert await media_sweep.sweep_once([]) == 0
    assert pipeline.downloader.asked == [[3, 5]]


async def test_sweep_without_a_fetcher_does_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(media_sweep, "installed_pipeline", lambda: None)
    assert await media_sweep.sweep_once([1]) == 0
