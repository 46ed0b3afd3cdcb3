"""The Reflex app: pages, extra HTTP routes and background tasks. Entry point of ``reflex run``."""

from __future__ import annotations

import reflex as rx

from whatsapp_saas.bootstrap import bootstrap, web_role
from whatsapp_saas.config import get_settings
from whatsapp_saas.logging_setup import configure_logging
from whatsapp_saas.ui import routes
from whatsapp_saas.ui.api import build_api
from whatsapp_saas.ui.auth.pages import invite_page, login_page, signup_page
from whatsapp_saas.ui.auth.state import AuthFormState, InviteState
from whatsapp_saas.ui.automations.page import automations_page
from whatsapp_saas.ui.automations.state import AutomationsState
from whatsapp_saas.ui.base_state import AppState
from whatsapp_saas.ui.crm import pages as crm_pages
from whatsapp_saas.ui.dashboard.page import DashboardState, dashboard_page
from whatsapp_saas.ui.graph import attach_graph
from whatsapp_saas.ui.inbox.page import inbox_page
from whatsapp_saas.ui.inbox.state import InboxState
from whatsapp_saas.ui.lifespan import register_background_tasks
from whatsapp_saas.ui.pipeline.deal_form import DealFormState
from whatsapp_saas.ui.pipeline.page import pipeline_page
from whatsapp_saas.ui.pipeline.state import PipelineState
from whatsapp_saas.ui.placeholder import placeholder_page
from whatsapp_saas.ui.scheduling.page import scheduling_page
from whatsapp_saas.ui.scheduling.schedules_state import SchedulesState
from whatsapp_saas.ui.settings import departments, quick_replies, sending
from whatsapp_saas.ui.settings.page import settings_page
from whatsapp_saas.ui.settings.users_state import UsersState
from whatsapp_saas.ui.simulator.page import SimulatorState, simulator_page
from whatsapp_saas.ui.whatsapp.page import whatsapp_page
from whatsapp_saas.ui.whatsapp.state import WhatsAppState

_settings = get_settings()  # validated when built: an unsafe production config stops here
configure_logging(_settings)
# The process graph: built once, kept on the app (ui/graph.py is the seam handlers use).
graph = bootstrap(_settings, web_role(_settings))


def _title(page: str) -> rx.Var:
    """The browser tab's title, in the UI language (the catalogue's ``title.<page>``)."""
    return AppState.t[f"title.{page}"].to(str)


app = rx.App(
    stylesheets=["/styles.css"],
    head_components=[
        rx.script(src="/countdown.js"),
        rx.script(src="/voice.js"),
        rx.script(src="/composer.js"),
        rx.script(src="/notify.js"),
        rx.script(src="/chat_scroll.js"),
        # Loaded with the app, not by its page: a page's <script> mounts through a
        # componentWillMount side effect that React's strict mode reports on every visit.
        rx.script(src="/pipeline.js"),
        # Installable on a phone's home screen (opens at the inbox).
        rx.el.link(rel="manifest", href="/manifest.webmanifest"),
        rx.el.meta(name="theme-color", content="#128c60"),
        rx.el.link(rel="icon", type="image/png", sizes="32x32", href="/icons/favicon-32.png"),
        rx.el.link(rel="apple-touch-icon", href="/icons/apple-touch-icon.png"),
        rx.el.meta(name="mobile-web-app-capable", content="yes"),
    ],
    api_transformer=build_api(),
)
attach_graph(app, graph)

app.add_page(
    login_page, route=routes.LOGIN, title=_title("login"), on_load=AuthFormState.open_public_page
)
app.add_page(
    signup_page, route=routes.SIGNUP, title=_title("signup"), on_load=AuthFormState.open_public_page
)
app.add_page(
    invite_page, route=routes.INVITE, title=_title("invite"), on_load=InviteState.load_invite
)
app.add_page(
    dashboard_page, route=routes.DASHBOARD, title=_title("dashboard"), on_load=DashboardState.load
)
app.add_page(
    settings_page, route=routes.SETTINGS, title=_title("settings"), on_load=UsersState.load
)
app.add_page(
    inbox_page,
    route=routes.INBOX,
    title=_title("inbox"),
    on_load=[DealFormState.close_on_page_load, InboxState.load],
)
app.add_page(
    quick_replies.quick_replies_page,
    route=quick_replies.ROUTE,
    title=_title("quick_replies"),
    on_load=quick_replies.QuickRepliesState.load,
)
app.add_page(
    departments.departments_page,
    route=departments.ROUTE,
    title=_title("departments"),
    on_load=departments.DepartmentsState.load,
)
app.add_page(
    sending.sending_page,
    route=sending.ROUTE,
    title=_title("sending"),
    on_load=sending.SendingState.load,
)
app.add_page(
    whatsapp_page, route=routes.WHATSAPP, title=_title("whatsapp"), on_load=WhatsAppState.load
)
app.add_page(
    simulator_page, route=routes.SIMULATOR, title=_title("simulator"), on_load=SimulatorState.load
)
app.add_page(
    scheduling_page,
    route=routes.SCHEDULING,
    title=_title("scheduling"),
    on_load=SchedulesState.load,
)
app.add_page(
    pipeline_page,
    route=routes.PIPELINE,
    title=_title("pipeline"),
    on_load=[DealFormState.close_on_page_load, PipelineState.load],
)

crm_pages.register(app, _title)

app.add_page(
    automations_page,
    route=routes.AUTOMATIONS,
    title=_title("automations"),
    on_load=AutomationsState.load,
)

_PLACEHOLDERS = {
    routes.AI: "nav.ai",
}
for _route, _key in _PLACEHOLDERS.items():
    app.add_page(
        lambda key=_key: placeholder_page(key),
        route=_route,
        title=_title(_key.split(".")[1]),
        on_load=AppState.require_login,
    )

register_background_tasks(app, graph)
