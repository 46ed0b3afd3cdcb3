"""Issue 8 "Language and formats": one date-and-time format per language, phones for people."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from whatsapp_saas.i18n import LANGUAGES, catalog
from whatsapp_saas.i18n.formatting import format_datetime
from whatsapp_saas.i18n.messages.titles import MESSAGES as TITLES

EVENING = datetime(2026, 12, 1, 20, 21, tzinfo=UTC)


@pytest.mark.parametrize(
    ("language", "expected"),
    [("pt-BR", "01/12/2026 17:21"), ("en", "Dec 1, 2026 17:21"), ("pt", "01/12/2026 17:21")],
)
def test_one_format_per_language_in_the_users_timezone(language: str, expected: str) -> None:
    assert format_datetime(EVENING, language, "America/Sao_Paulo") == expected


def test_naive_means_utc_nothing_is_empty_and_an_unknown_zone_falls_back_to_utc() -> None:
    assert format_datetime(EVENING.replace(tzinfo=None), "pt-BR") == "01/12/2026 20:21"
    assert format_datetime(None, "en") == ""
    assert format_datetime(EVENING, "en", "Not/A_Zone") == "Dec 1, 2026 20:21"


def test_every_page_title_exists_in_both_languages_and_the_portuguese_one_is_portuguese() -> None:
    for language in LANGUAGES:
        titles = {key: catalog(language)[key] for key in TITLES}
        assert all(title.endswith("· WhatsApp Desk") for title in titles.values())
    assert catalog("pt-BR")["title.inbox"] == "Caixa de entrada · WhatsApp Desk"
    assert catalog("en")["title.inbox"] == "Inbox · WhatsApp Desk"


def test_scheduling_shows_contacts_and_numbers_with_phones_for_people(db: str) -> None:
    from whatsapp_saas.accounts import service as accounts
    from whatsapp_saas.contacts.service import create_contact
    from whatsapp_saas.db import session_scope
    from whatsapp_saas.tenancy.scope import TenantScope
    from whatsapp_saas.ui.scheduling import view
    from whatsapp_saas.whatsapp.service import add_number

    with session_scope() as s:
        owner = accounts.signup(
            s, company_name="Loja", name="Olivia", email="o@example.com", password="x" * 12
        )
        scope = TenantScope(s, owner.tenant_id)
        create_contact(scope, phone="+5511987654321", name="Dona Maria")
        create_contact(scope, phone="+5521976543210")
        number = add_number(scope, name="Loja Centro")
        number.phone = "+5511912345678"
        s.flush()
        issued = accounts.sign_in(s, email="o@example.com", password="x" * 12)
        viewer = accounts.resolve_session(s, token=issued.token)
        assert viewer is not None
        labels = sorted(row["label"] for row in view.contacts(scope, viewer))
        number_labels = [row["label"] for row in view.numbers(scope)]
    assert labels == ["+55 21 97654-3210", "Dona Maria (+55 11 98765-4321)"]
    assert number_labels == ["Loja Centro (+55 11 91234-5678)"]
