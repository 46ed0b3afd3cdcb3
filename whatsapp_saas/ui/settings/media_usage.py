"""The Settings panel that shows how much of the company's media quota is used."""

from __future__ import annotations

import asyncio

import reflex as rx

from whatsapp_saas.inbox.media_quota import human_size, usage
from whatsapp_saas.ui.base_state import AppState


class MediaUsageState(AppState):
    media_used: str = ""
    media_quota: str = ""
    media_percent: int = 0

    @rx.event
    async def load_media_usage(self) -> None:
        user = await self._current_user()
        if user is None:
            return
        current = await asyncio.to_thread(usage, user.tenant_id)
        self.media_used, self.media_quota = human_size(current.used), human_size(current.quota)
        self.media_percent = min(100, current.used * 100 // max(current.quota, 1))


def media_usage_panel() -> rx.Component:
    S = MediaUsageState
    return rx.vstack(
        rx.heading(S.t["settings.media_title"], size="4", as_="h2"),
        rx.cond(
            S.media_quota != "",
            rx.vstack(
                rx.text(
                    S.t["settings.media_usage"]
                    .replace("{used}", S.media_used)
                    .replace("{quota}", S.media_quota),
                    data_testid="media-usage",
                ),
                rx.progress(
                    value=S.media_percent,
                    max=100,
                    aria_label=S.t["settings.media_title"],
                    width="min(100%, 24em)",
                ),
                spacing="1",
                width="100%",
            ),
        ),
        on_mount=S.load_media_usage,
        spacing="2",
        width="100%",
    )
