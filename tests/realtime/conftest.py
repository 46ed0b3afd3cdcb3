"""A running app (embedded mode, PostgreSQL) for tests that speak its websocket protocol."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.browser.conftest import RunningApp, live_app_process
from tests.conftest import point_app_at

PASSWORD = "correct horse battery"


@dataclass(frozen=True)
class Person:
    user_id: int
    tenant_id: int
    session_token: str


@dataclass(frozen=True)
class Team:
    owner: Person
    agent: Person


@pytest.fixture(scope="module")
def feed_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[RunningApp, Path]]:
    data_dir = tmp_path_factory.mktemp("feedapp")
    with live_app_process(data_dir) as app:
        point_app_at(app.database_url)
        yield app, data_dir / "app.log"


def make_team(role: str = "agent") -> Team:
    """A tenant with an owner and a colleague (an agent unless ``role`` says otherwise), each
    with an open session."""
    from whatsapp_saas.accounts import service as accounts
    from whatsapp_saas.db import session_scope
    from whatsapp_saas.tenancy.scope import TenantScope

    suffix = secrets.token_hex(4)
    owner_email, agent_email = f"owner-{suffix}@example.com", f"agent-{suffix}@example.com"
    with session_scope() as s:
        accounts.signup(s, company_name="Loja", name="Olivia", email=owner_email, password=PASSWORD)
    with session_scope() as s:
        owner = accounts.sign_in(s, email=owner_email, password=PASSWORD)
        invite = accounts.invite_user(
            TenantScope(s, owner.user.tenant_id),
            actor=owner.user,
            email=agent_email,
            name="Ana",
            role=role,
        )
    with session_scope() as s:
        accounts.accept_invite(s, token=invite.token, password=PASSWORD)
    with session_scope() as s:
        agent = accounts.sign_in(s, email=agent_email, password=PASSWORD)
    return Team(
        Person(owner.user.user_id, owner.user.tenant_id, owner.token),
        Person(agent.user.user_id, agent.user.tenant_id, agent.token),
    )


# Browser tests here use the same Chromium settings as tests/browser.
from tests.browser.conftest import browser_context_args, browser_type_launch_args  # noqa: E402,F401


def make_colleagues(role: str = "admin") -> tuple[str, str]:
    """A tenant with an owner and a colleague of ``role``; returns both emails (one password)."""
    from whatsapp_saas.accounts import service as accounts
    from whatsapp_saas.db import session_scope
    from whatsapp_saas.tenancy.scope import TenantScope

    suffix = secrets.token_hex(4)
    owner_email, colleague_email = f"owner-{suffix}@example.com", f"ana-{suffix}@example.com"
    with session_scope() as s:
        accounts.signup(
            s,
            company_name="Loja",
            name="Olivia",
            email=owner_email,
            password=PASSWORD,
            language="en",
        )
    with session_scope() as s:
        owner = accounts.sign_in(s, email=owner_email, password=PASSWORD)
        invite = accounts.invite_user(
            TenantScope(s, owner.user.tenant_id),
            actor=owner.user,
            email=colleague_email,
            name="Ana",
            role=role,
        )
    with session_scope() as s:
        accounts.accept_invite(s, token=invite.token, password=PASSWORD)
    return owner_email, colleague_email
