"""The Scheduling page: scheduled messages, campaigns and follow-ups, one tab each."""

from __future__ import annotations

import reflex as rx

from whatsapp_saas.ui.layout import shell
from whatsapp_saas.ui.scheduling.campaigns_view import campaigns_tab
from whatsapp_saas.ui.scheduling.followups_view import followups_tab
from whatsapp_saas.ui.scheduling.schedules_state import SchedulesState as S
from whatsapp_saas.ui.scheduling.schedules_view import schedules_tab

T = S.t


def scheduling_page() -> rx.Component:
    return shell(
        rx.text(T["sched.intro"].replace("{timezone}", S.timezone), color_scheme="gray"),
        rx.tabs.root(
            rx.tabs.list(
                rx.tabs.trigger(T["sched.tab_schedules"], value="schedules"),
                rx.tabs.trigger(T["sched.tab_campaigns"], value="campaigns"),
                rx.tabs.trigger(T["sched.tab_followups"], value="followups"),
                flex_wrap="wrap",  # all three stay reachable on a narrow screen
            ),
            rx.tabs.content(schedules_tab(), value="schedules", padding_top="1em"),
            rx.tabs.content(campaigns_tab(), value="campaigns", padding_top="1em"),
            rx.tabs.content(followups_tab(), value="followups", padding_top="1em"),
            value=S.tab,
            on_change=S.set_tab,
            width="100%",
        ),
        title=T["sched.title"],
    )
