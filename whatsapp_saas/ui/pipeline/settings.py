"""Pipeline settings (managers): name the pipeline, add, rename, reorder and delete stages,
mark stages won or lost, add or delete pipelines. Every open board follows (a ``deals`` tick
with the pipeline's key reloads its structure)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import reflex as rx

from whatsapp_saas.accounts.service import CurrentUser
from whatsapp_saas.deals import pipelines
from whatsapp_saas.tenancy.scope import TenantScope
from whatsapp_saas.ui.actions import act
from whatsapp_saas.ui.base_state import AppState
from whatsapp_saas.ui.components import error_callout, success_callout
from whatsapp_saas.ui.pipeline.state import PipelineState

OUTCOMES = ("open", "won", "lost")


class PipelineSettingsState(AppState):
    settings_stages: list[dict[str, str]] = []
    settings_name: str = ""
    settings_key: int = 0
    settings_error: str = ""
    settings_saved: bool = False

    @rx.var
    def settings_notice(self) -> str:
        return self._tr("deals.settings_saved") if self.settings_saved else ""

    @rx.event
    async def open_settings(self) -> None:
        board = await self.get_state(PipelineState)
        await self._refresh(board.pipeline_id)

    async def _refresh(self, pipeline_id: str) -> None:
        if not pipeline_id.isdigit():
            return

        def read(scope: TenantScope, _me: CurrentUser) -> tuple[str, list[dict[str, str]]]:
            stages = pipelines.stages_of(scope, pipeline_id=int(pipeline_id))
            name = next(p.name for p in pipelines.list_pipelines(scope) if str(p.id) == pipeline_id)
            rows = [{"id": str(s.id), "name": s.name, "outcome": s.outcome} for s in stages]
            return name, rows

        outcome = await act(self, read, managers_only=True)
        if outcome.ok and outcome.value is not None:
            self.settings_name, self.settings_stages = outcome.value
            self.settings_key += 1

    async def _change(self, work: Callable[[TenantScope, CurrentUser, int], Any]) -> None:
        board = await self.get_state(PipelineState)
        pipeline_id = board.pipeline_id
        if not pipeline_id.isdigit():
            return
        outcome = await act(
            self, lambda scope, me: work(scope, me, int(pipeline_id)), managers_only=True
        )
        self.settings_error = outcome.error
        self.settings_saved = outcome.ok
        if outcome.ok and isinstance(outcome.value, int):
            pipeline_id = str(outcome.value)  # a new pipeline: show it
        user = await self._current_user()
        if user is not None:
            await board._open(user, pipeline_id, keep_shown=True)
        await self._refresh(board.pipeline_id)

    @rx.event
    async def rename_pipeline(self, form: dict[str, Any]) -> None:
        name = str(form.get("name") or "")
        await self._change(
            lambda scope, me, pid: (
                pipelines.rename_pipeline(scope, actor=me, pipeline_id=pid, name=name) and None
            )
        )

    @rx.event
    async def add_pipeline(self, form: dict[str, Any]) -> None:
        name, language = str(form.get("name") or ""), self.lang or "pt-BR"
        await self._change(
            lambda scope, me, _pid: (
                pipelines.create_pipeline(scope, actor=me, name=name, language=language).id
            )
        )

    @rx.event
    async def delete_pipeline(self) -> None:
        await self._change(
            lambda scope, me, pid: pipelines.delete_pipeline(scope, actor=me, pipeline_id=pid)
        )

    @rx.event
    async def add_stage(self, form: dict[str, Any]) -> None:
        name, kind = str(form.get("name") or ""), str(form.get("outcome") or "open")
        await self._change(
            lambda scope, me, pid: (
                pipelines.add_stage(scope, actor=me, pipeline_id=pid, name=name, outcome=kind)
                and None
            )
        )

    @rx.event
    async def save_stage(self, form: dict[str, Any]) -> None:
        stage = str(form.get("stage_id") or "")
        name, kind = str(form.get("name") or ""), str(form.get("outcome") or "open")
        if stage.isdigit():
            await self._change(
                lambda scope, me, _pid: (
                    pipelines.update_stage(
                        scope, actor=me, stage_id=int(stage), name=name, outcome=kind
                    )
                    and None
                )
            )

    @rx.event
    async def move_stage(self, stage_id: str, offset: int) -> None:
        if stage_id.isdigit():
            step = -1 if int(offset) < 0 else 1
            await self._change(
                lambda scope, me, _pid: pipelines.move_stage(
                    scope, actor=me, stage_id=int(stage_id), offset=step
                )
            )

    @rx.event
    async def delete_stage(self, stage_id: str) -> None:
        if stage_id.isdigit():
            await self._change(
                lambda scope, me, _pid: pipelines.delete_stage(
                    scope, actor=me, stage_id=int(stage_id)
                )
            )


P = PipelineSettingsState
T = P.t


def _outcome_select(field_id: str, value: rx.Var | str) -> rx.Component:
    return rx.el.select(
        *[rx.el.option(T[f"deals.outcome.{o}"], value=o) for o in OUTCOMES],
        id=field_id,
        name="outcome",
        default_value=value,
        aria_label=T["deals.stage_outcome"],
        class_name="native-select",
    )


def _stage_row(stage: rx.Var) -> rx.Component:
    return rx.form(
        rx.flex(
            rx.el.input(type="hidden", name="stage_id", value=stage["id"]),
            rx.input(
                name="name",
                default_value=stage["name"],
                aria_label=T["deals.stage_name"],
                max_length=80,
                flex="1 1 140px",
            ),
            _outcome_select("stage-outcome-" + stage["id"].to(str), stage["outcome"]),
            rx.hstack(
                rx.button(T["deals.save"], size="1", type="submit"),
                rx.icon_button(
                    rx.icon("arrow_left", size=14),
                    size="1",
                    variant="soft",
                    type="button",
                    aria_label=T["deals.stage_left"],
                    on_click=P.move_stage(stage["id"], -1),
                ),
                rx.icon_button(
                    rx.icon("arrow_right", size=14),
                    size="1",
                    variant="soft",
                    type="button",
                    aria_label=T["deals.stage_right"],
                    on_click=P.move_stage(stage["id"], 1),
                ),
                rx.icon_button(
                    rx.icon("trash_2", size=14),
                    size="1",
                    variant="soft",
                    color_scheme="red",
                    type="button",
                    aria_label=T["deals.stage_delete"],
                    on_click=P.delete_stage(stage["id"]),
                ),
                spacing="1",
                align="center",
            ),
            spacing="2",
            align="center",
            wrap="wrap",
            width="100%",
        ),
        on_submit=P.save_stage,
        reset_on_submit=False,
        data_testid="stage-settings-row",
    )


def _small_form(
    field_id: str, label_key: str, button_key: str, handler: Any, *extra: rx.Component
) -> rx.Component:
    return rx.form(
        rx.flex(
            rx.input(
                id=field_id,
                name="name",
                placeholder=T[label_key],
                aria_label=T[label_key],
                max_length=80,
                required=True,
                flex="1 1 160px",
            ),
            *extra,
            rx.button(T[button_key], size="1", type="submit"),
            spacing="2",
            align="center",
            wrap="wrap",
            width="100%",
        ),
        on_submit=handler,
        reset_on_submit=True,
    )


def settings_section() -> rx.Component:
    """A folded section for managers under the board."""
    body = rx.vstack(
        rx.text(T["deals.settings_intro"], size="2", color_scheme="gray"),
        error_callout(P.settings_error),
        success_callout(P.settings_notice),
        rx.form(
            rx.flex(
                rx.input(
                    name="name",
                    default_value=P.settings_name,
                    aria_label=T["deals.pipeline_name"],
                    max_length=80,
                    flex="1 1 160px",
                ),
                rx.button(T["deals.rename"], size="1", type="submit"),
                rx.button(
                    T["deals.delete_pipeline"],
                    size="1",
                    type="button",
                    variant="soft",
                    color_scheme="red",
                    on_click=P.delete_pipeline,
                ),
                spacing="2",
                wrap="wrap",
                width="100%",
            ),
            key=P.settings_key,
            on_submit=P.rename_pipeline,
            reset_on_submit=False,
        ),
        rx.box(rx.foreach(P.settings_stages, _stage_row), key=P.settings_key, width="100%"),
        _small_form(
            "new-stage-name",
            "deals.new_stage_name",
            "deals.add_stage",
            P.add_stage,
            _outcome_select("new-stage-outcome", "open"),
        ),
        _small_form(
            "new-pipeline-name", "deals.new_pipeline_name", "deals.add_pipeline", P.add_pipeline
        ),
        spacing="3",
        width="100%",
        max_width="720px",
        padding_top="0.75em",
    )
    return rx.cond(
        P.is_manager,
        rx.el.details(
            rx.el.summary(
                T["deals.settings"], on_click=P.open_settings, class_name="deal-settings-summary"
            ),
            body,
            class_name="deal-settings",
            data_testid="pipeline-settings",
        ),
    )
