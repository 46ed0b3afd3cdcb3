"""The CRM's pages, added to the app in one call (``register(app, title)``)."""

from __future__ import annotations

from collections.abc import Callable

import reflex as rx

from whatsapp_saas.ui.crm import routes
from whatsapp_saas.ui.crm.import_state import ImportState
from whatsapp_saas.ui.crm.import_view import import_page
from whatsapp_saas.ui.crm.lifespan import crm_job_runner
from whatsapp_saas.ui.crm.list_state import ContactsState
from whatsapp_saas.ui.crm.list_view import contacts_page
from whatsapp_saas.ui.crm.profile_state import ContactProfileState
from whatsapp_saas.ui.crm.profile_view import contact_profile_page
from whatsapp_saas.ui.crm.setup_state import CrmSetupState
from whatsapp_saas.ui.crm.setup_view import setup_page
from whatsapp_saas.ui.pipeline.deal_form import DealFormState


def register(app: rx.App, title: Callable[[str], rx.Var]) -> None:
    app.add_page(
        contacts_page, route=routes.CONTACTS, title=title("contacts"), on_load=ContactsState.load
    )
    app.add_page(
        import_page, route=routes.IMPORT, title=title("contacts_import"), on_load=ImportState.load
    )
    app.add_page(
        setup_page, route=routes.SETUP, title=title("contacts_setup"), on_load=CrmSetupState.load
    )
    app.add_page(
        contact_profile_page,
        route=routes.CONTACT,
        title=title("contact"),
        on_load=[DealFormState.close_on_page_load, ContactProfileState.load],
    )
    app.register_lifespan_task(crm_job_runner)
