"""Pipeline page state: the chosen pipeline's board, paged per column, updated in place.

A drag (or the "Move to stage" list) moves the card between the two columns in this tab's
state at once; every other open board hears a ``deals`` tick on the tenant's shared feed and
reloads only the columns it names, with its own viewer's permissions (see ``live.py``).
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from whatsapp_saas.accounts.service import CurrentUser
from whatsapp_saas.deals import service as deals
from whatsapp_saas.tenancy.scope import TenantScope
from whatsapp_saas.ui.actions import act
from whatsapp_saas.ui.base_state import AppState
from whatsapp_saas.ui.db import in_session
from whatsapp_saas.ui.pipeline import loaders
from whatsapp_saas.ui.pipeline.views import ColumnView, moved, with_totals
from whatsapp_saas.ui.realtime import TenantFeed, feed_token


class PipelineState(AppState):
    pipelines: list[dict[str, str]] = []
    pipeline_id: str = ""
    columns: list[ColumnView] = []
    error: str = ""
    notice: str = ""
    _labels_language: str = ""  # the language the columns' texts were formatted in

    @rx.var
    def stage_options(self) -> list[dict[str, str]]:
        return [{"id": c.id, "name": c.name} for c in self.columns]

    @rx.event
    async def load(self):  # type: ignore[no-untyped-def]
        redirect = await self.require_login()
        if redirect is not None:
            return redirect
        user = await self._user()
        if user is None:
            return None
        feed = await self.get_state(TenantFeed)
        await feed._link_to(feed_token(user.tenant_id))
        self.error = self.notice = ""
        wanted = self.router.url.query_parameters.get("p", "") or self.pipeline_id
        await self._open(user, wanted, keep_shown=wanted == self.pipeline_id)
        return None

    async def _user(self) -> CurrentUser | None:
        user = await self._current_user()
        if user is None:
            self._forget()
        return user

    def _language(self) -> str:
        return self.lang or "pt-BR"

    def _shown(self) -> dict[str, int]:
        return {c.id: len(c.cards) for c in self.columns}

    async def _open(self, user: CurrentUser, wanted: str, *, keep_shown: bool) -> None:
        shown = self._shown() if keep_shown else {}
        language = self._language()
        found = await in_session(lambda s: loaders.open_board(s, user, wanted, language, shown))
        self._labels_language = language
        self.pipelines, self.pipeline_id, self.columns = (
            found.pipelines,
            found.pipeline_id,
            found.columns,
        )

    @rx.event
    async def relabel(self) -> None:
        """The UI language changed: values, counts and days are formatted on the server."""
        if not self.columns or self._labels_language == self._language():
            return
        user = await self._user()
        if user is not None:
            self.notice = ""
            await self._open(user, self.pipeline_id, keep_shown=True)

    @rx.event
    async def choose_pipeline(self, pipeline_id: str) -> None:
        user = await self._user()
        if user is not None:
            self.error = self.notice = ""
            await self._open(user, pipeline_id, keep_shown=False)

    @rx.event
    async def load_more(self, stage_id: str) -> None:
        user = await self._user()
        column = next((c for c in self.columns if c.id == stage_id), None)
        if user is None or column is None or not column.cursor:
            return
        language, cursor = self._language(), column.cursor
        try:
            cards, after = await in_session(
                lambda s: loaders.more_cards(s, user, int(stage_id), cursor, language)
            )
        except LookupError:
            return
        known = {c.id for c in column.cards}
        fresh = [c for c in cards if c.id not in known]
        self._replace(stage_id, lambda c: _with_cards(c, [*c.cards, *fresh], after))

    def _replace(self, stage_id: str, change: Any) -> None:
        self.columns = [change(c) if c.id == stage_id else c for c in self.columns]

    # --- moving ---------------------------------------------------------------------------

    @rx.event
    async def move_deal(self, deal_id: str, stage_id: str) -> None:
        """The "Move to stage" list of a card (keyboard and phones)."""
        await self._move(deal_id, stage_id)

    @rx.event
    async def drop_deal(self, form: dict[str, Any]) -> None:
        """A card dropped on a column (assets/pipeline.js fills the hidden form)."""
        await self._move(str(form.get("deal_id") or ""), str(form.get("stage_id") or ""))

    async def _move(self, deal_id: str, stage_id: str) -> None:
        self.notice = ""
        if not (deal_id.isdigit() and stage_id.isdigit()):
            return
        outcome = await act(
            self,
            lambda scope, me: deals.move_deal(
                scope, actor=me, deal_id=int(deal_id), stage_id=int(stage_id)
            ),
        )
        if not outcome.ok:
            self.error = outcome.error
            await self._reload_columns(set())
            return
        self.error = ""
        after = moved(self.columns, deal_id, stage_id, self._language())
        if after is not None:
            self.columns = after
            card = next(c for col in after for c in col.cards if c.id == deal_id)
            name = next(c.name for c in after if c.id == stage_id)
            self.notice = self._tr("deals.moved", title=card.title, stage=name)
        elif outcome.value is not None:
            # The card was not loaded here (or left this pipeline): reload what it touched.
            event = outcome.value
            await self._reload_columns({str(event.from_stage_id), str(event.to_stage_id)})

    # --- live updates ---------------------------------------------------------------------

    @rx.event
    async def on_deals_tick(self) -> None:
        """Another tab (or this one) changed deals: reload only the columns it names."""
        if not self.pipeline_id:
            return
        feed = await self.get_state(TenantFeed)
        changed = set(feed.deals_changed)
        user = await self._user()
        if user is None:
            return
        if any(key.startswith("p") for key in changed):
            await self._open(user, self.pipeline_id, keep_shown=True)
            return
        mine = {c.id for c in self.columns} & changed
        if mine:
            await self._reload_columns(mine)

    async def _reload_columns(self, stage_ids: set[str]) -> None:
        """Reload the named columns (as many cards as they show) and every column's totals."""
        user = await self._user()
        if user is None or not self.pipeline_id:
            return
        pipeline_id, language, shown = int(self.pipeline_id), self._language(), self._shown()

        def read(session: Any) -> tuple[list[ColumnView], dict[str, tuple[int, int]]]:
            scope = TenantScope(session, user.tenant_id)
            fresh = loaders.columns(scope, user, pipeline_id, language, shown, only=stage_ids)
            return fresh, loaders.totals_only(session, user, pipeline_id)

        try:
            fresh, totals = await in_session(read)
        except LookupError:  # the pipeline is gone: open the first one again
            await self._open(user, "", keep_shown=False)
            return
        by_id = {c.id: c for c in fresh}
        self.columns = [
            with_totals(by_id.get(c.id, c), *totals.get(c.id, (0, 0)), language)
            for c in self.columns
        ]


def _with_cards(column: ColumnView, cards: list[Any], cursor: str) -> ColumnView:
    import dataclasses

    return dataclasses.replace(column, cards=cards, cursor=cursor)
