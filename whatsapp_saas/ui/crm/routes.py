"""The CRM's routes."""

from whatsapp_saas.ui import routes

CONTACTS = routes.CONTACTS
CONTACT = "/contacts/[contact_id]"
IMPORT = "/contacts/import"
SETUP = "/contacts/setup"


def contact_href(contact_id: int | str) -> str:
    return f"/contacts/{contact_id}"
