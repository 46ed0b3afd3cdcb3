"""Accounts: sign-up, sign-in, sessions, invitations, roles — on PostgreSQL and SQLite."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from whatsapp_saas.accounts import service
from whatsapp_saas.accounts.models import AuthSession, User
from whatsapp_saas.db import session_scope
from whatsapp_saas.errors import PermissionDenied, UserError
from whatsapp_saas.models_base import utcnow
from whatsapp_saas.tenancy.scope import TenantScope

PASSWORD = "correct horse battery"


def make_owner(email: str = "Owner@Example.com", company: str = "Acme") -> service.IssuedSession:
    with session_scope() as s:
        service.signup(s, company_name=company, name="Olivia", email=email, password=PASSWORD)
    with session_scope() as s:
        return service.sign_in(s, email=email, password=PASSWORD)


def test_signup_creates_tenant_and_owner(any_db: str) -> None:
    issued = make_owner()
    assert issued.user.role == "owner"
    assert issued.user.email == "owner@example.com"
    assert issued.user.tenant_name == "Acme"
    with session_scope() as s:
        user = s.exec(select(User)).one()
        assert user.password_hash.startswith("$argon2id$")
        assert PASSWORD not in user.password_hash


def test_email_is_case_insensitive_and_unique(any_db: str) -> None:
    first = make_owner("ana@example.com")
    with pytest.raises(UserError) as err, session_scope() as s:
        service.signup(
            s, company_name="Other", name="Ana", email="ANA@Example.COM", password="other pass 123"
        )
    # The sign-in form's answer, not "email taken": sign-up does not tell who has an account.
    assert err.value.code == "error.invalid_credentials"
    with session_scope() as s:
        again = service.signup(
            s, company_name="Other", name="Ana", email="ANA@Example.COM", password=PASSWORD
        )
        # The same person now owns a second company: one membership row each.
        assert again.tenant_id != first.user.tenant_id and again.email == "ana@example.com"
        assert len(s.exec(select(User)).all()) == 2
    with session_scope() as s:
        assert (
            service.sign_in(s, email="  ANA@EXAMPLE.com ", password=PASSWORD).user.email
            == "ana@example.com"
        )


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("password", "short", "error.password_too_short"),
        ("email", "not-an-email", "error.email_invalid"),
        ("company_name", "   ", "error.company_required"),
        ("name", "", "error.name_required"),
    ],
)
def test_signup_rejects_bad_input_and_changes_nothing(
    any_db: str, field: str, value: str, code: str
) -> None:
    form = {
        "company_name": "Acme",
        "name": "Olivia",
        "email": "o@example.com",
        "password": PASSWORD,
    }
    form[field] = value
    with pytest.raises(UserError) as err, session_scope() as s:
        service.signup(s, **form)
    assert err.value.code == code
    with session_scope() as s:
        assert s.exec(select(User)).all() == []


def test_wrong_password_is_refused(any_db: str) -> None:
    make_owner("o@example.com")
    with pytest.raises(UserError) as err, session_scope() as s:
        service.sign_in(s, email="o@example.com", password="wrong password!")
    assert err.value.code == "error.invalid_credentials"


def test_repeated_failures_are_throttled_even_with_right_password(any_db: str) -> None:
    make_owner("o@example.com")
    for _ in range(5):
        with pytest.raises(UserError), session_scope() as s:
            service.sign_in(s, email="o@example.com", password="wrong password!", ip="10.0.0.9")
    with pytest.raises(UserError) as err, session_scope() as s:
        service.sign_in(s, email="o@example.com", password=PASSWORD, ip="10.0.0.9")
    assert err.value.code == "error.too_many_attempts"
    assert int(err.value.params["minutes"]) >= 1  # type: ignore[call-overload]


def test_sign_out_revokes_the_session(any_db: str) -> None:
    issued = make_owner()
    with session_scope() as s:
        assert service.resolve_session(s, token=issued.token) is not None
        service.sign_out(s, token=issued.token)
    with session_scope() as s:
        assert service.resolve_session(s, token=issued.token) is None


def test_sessions_expire(any_db: str) -> None:
    issued = make_owner()
    with session_scope() as s:
        row = s.exec(select(AuthSession)).one()
        row.expires_at = utcnow() - timedelta(seconds=1)
    with session_scope() as s:
        assert service.resolve_session(s, token=issued.token) is None
        assert service.resolve_session(s, token="made-up-token") is None


def test_invite_accept_and_sign_in_as_agent(any_db: str) -> None:
    owner = make_owner()
    with session_scope() as s:
        invite = service.invite_user(
            TenantScope(s, owner.user.tenant_id),
            actor=owner.user,
            email="Agent@Example.com",
            name="Ari",
        )
    with session_scope() as s:
        service.accept_invite(s, token=invite.token, password="agent password 1")
    with session_scope() as s:
        agent = service.sign_in(s, email="agent@example.com", password="agent password 1").user
    assert agent.role == "agent" and agent.tenant_id == owner.user.tenant_id
    with pytest.raises(UserError) as err, session_scope() as s:
        service.accept_invite(s, token=invite.token, password="agent password 1")
    assert err.value.code == "error.invite_invalid"


def test_agents_cannot_invite_or_disable(any_db: str) -> None:
    owner = make_owner()
    with session_scope() as s:
        invite = service.invite_user(
            TenantScope(s, owner.user.tenant_id), actor=owner.user, email="a@x.io", name="A"
        )
    with session_scope() as s:
        service.accept_invite(s, token=invite.token, password="agent password 1")
    with session_scope() as s:
        agent = service.sign_in(s, email="a@x.io", password="agent password 1").user
    with pytest.raises(PermissionDenied), session_scope() as s:
        service.invite_user(TenantScope(s, agent.tenant_id), actor=agent, email="b@x.io", name="B")
    with pytest.raises(PermissionDenied), session_scope() as s:
        service.set_user_active(
            TenantScope(s, agent.tenant_id), actor=agent, user_id=owner.user.user_id, active=False
        )


def test_disabling_a_user_ends_their_sessions(any_db: str) -> None:
    owner = make_owner()
    with session_scope() as s:
        invite = service.invite_user(
            TenantScope(s, owner.user.tenant_id), actor=owner.user, email="a@x.io", name="A"
        )
    with session_scope() as s:
        service.accept_invite(s, token=invite.token, password="agent password 1")
    with session_scope() as s:
        agent = service.sign_in(s, email="a@x.io", password="agent password 1")
    with session_scope() as s:
        service.set_user_active(
            TenantScope(s, owner.user.tenant_id),
            actor=owner.user,
            user_id=agent.user.user_id,
            active=False,
        )
    with session_scope() as s:
        assert service.resolve_session(s, token=agent.token) is None
    with pytest.raises(UserError) as err, session_scope() as s:
        service.sign_in(s, email="a@x.io", password="agent password 1")
    assert err.value.code == "error.account_disabled"


def test_owner_cannot_be_disabled_or_demoted(any_db: str) -> None:
    owner = make_owner()
    with pytest.raises(UserError), session_scope() as s:
        service.set_user_active(
            TenantScope(s, owner.user.tenant_id),
            actor=owner.user,
            user_id=owner.user.user_id,
            active=False,
        )


def test_managers_change_roles_but_not_the_owners(any_db: str) -> None:
    owner = make_owner()
    with session_scope() as s:
        scope = TenantScope(s, owner.user.tenant_id)
        invite = service.invite_user(scope, actor=owner.user, email="a@x.io", name="A")
    with session_scope() as s:
        agent_id = service.accept_invite(s, token=invite.token, password="agent password 1").id
        assert agent_id is not None
    with session_scope() as s:
        scope = TenantScope(s, owner.user.tenant_id)
        assert (
            service.set_user_role(scope, actor=owner.user, user_id=agent_id, role="admin").role
            == "admin"
        )
    with pytest.raises(UserError) as err, session_scope() as s:
        service.set_user_role(
            TenantScope(s, owner.user.tenant_id), actor=owner.user, user_id=agent_id, role="owner"
        )
    assert err.value.code == "error.role_invalid"
    with pytest.raises(PermissionDenied), session_scope() as s:
        service.set_user_role(
            TenantScope(s, owner.user.tenant_id),
            actor=owner.user,
            user_id=owner.user.user_id,
            role="agent",
        )


def test_sign_up_costs_the_same_argon2_work_whether_the_email_exists_or_not(
    any_db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Hashing happens before the lookup, and an unknown email gets the dummy verify."""
    make_owner("taken@example.com")
    work: list[str] = []
    # The names the service calls (imported there from security.passwords), patched below.
    real_hash = service.hash_password  # type: ignore[attr-defined]
    real_verify = service.verify_password  # type: ignore[attr-defined]

    def counting_hash(password: str) -> str:
        work.append("hash")
        return real_hash(password)

    def counting_verify(password: str, password_hash: str | None) -> bool:
        work.append("verify")
        return real_verify(password, password_hash)

    monkeypatch.setattr(service, "hash_password", counting_hash)
    monkeypatch.setattr(service, "verify_password", counting_verify)
    with session_scope() as s:
        service.signup(s, company_name="New", name="N", email="new@example.com", password=PASSWORD)
    new_work, work[:] = list(work), []
    with pytest.raises(UserError) as err, session_scope() as s:
        service.signup(
            s, company_name="X", name="N", email="taken@example.com", password="guess 123456"
        )
    assert err.value.code == "error.invalid_credentials"  # what the sign-in form says
    assert work == new_work == ["hash", "verify"]


def test_the_invite_form_does_not_say_whether_an_email_has_an_account_elsewhere(
    any_db: str,
) -> None:
    make_owner("elsewhere@example.com", company="Other company")
    owner = make_owner("boss@example.com")
    with session_scope() as s:
        scope = TenantScope(s, owner.user.tenant_id)
        issued = service.invite_user(
            scope, actor=owner.user, email="elsewhere@example.com", name="E"
        )
    assert issued.token
    with pytest.raises(UserError) as err, session_scope() as s:
        service.invite_user(
            TenantScope(s, owner.user.tenant_id),
            actor=owner.user,
            email="boss@example.com",
            name="B",
        )
    assert err.value.code == "error.already_member"  # only this company's own team is named


# --- one person, several companies (issue 9, item 9) ---------------------------------------------


def test_a_person_invited_by_a_second_company_joins_with_their_own_password(any_db: str) -> None:
    make_owner("maria@example.com", company="Padaria")
    boss = make_owner("boss@example.com", company="Mercado")
    with session_scope() as s:
        invite = service.invite_user(
            TenantScope(s, boss.user.tenant_id),
            actor=boss.user,
            email="maria@example.com",
            name="M",
        )
        assert service.invite_has_account(s, token=invite.token)
    with pytest.raises(UserError) as err, session_scope() as s:
        service.accept_invite(s, token=invite.token, password="not her password")
    assert err.value.code == "error.invalid_credentials"
    with session_scope() as s:
        joined = service.accept_invite(s, token=invite.token, password=PASSWORD)
        assert joined.tenant_id == boss.user.tenant_id and joined.role == "agent"
    with session_scope() as s:
        companies = service.companies_of(s, email="maria@example.com")
    assert [(c.name, c.role) for c in companies] == [("Mercado", "agent"), ("Padaria", "owner")]


def test_switching_company_signs_the_same_person_into_the_other_one(any_db: str) -> None:
    first = make_owner("maria@example.com", company="Padaria")
    with session_scope() as s:
        second = service.signup(
            s, company_name="Mercado", name="M", email="maria@example.com", password=PASSWORD
        )
    from whatsapp_saas.security.tokens import token_hash

    with session_scope() as s:
        code = service.switch_company(
            s, actor=first.user, tenant_id=second.tenant_id, current_hash=token_hash(first.token)
        )
    with session_scope() as s:
        assert service.resolve_session(s, token=first.token) is None  # the old session ended
        switched = service.redeem_sign_in_code(s, code=code)
    assert switched.user.tenant_id == second.tenant_id and switched.user.role == "owner"
    assert switched.user.tenant_name == "Mercado"
    stranger = make_owner("x@example.com", company="Elsewhere")
    with pytest.raises(UserError) as err, session_scope() as s:
        service.switch_company(
            s, actor=switched.user, tenant_id=stranger.user.tenant_id, current_hash=None
        )
    assert err.value.code == "error.not_found"


def test_disabled_in_one_company_still_works_in_the_other(any_db: str) -> None:
    boss = make_owner("boss@example.com", company="Mercado")
    make_owner("maria@example.com", company="Padaria")
    with session_scope() as s:
        invite = service.invite_user(
            TenantScope(s, boss.user.tenant_id),
            actor=boss.user,
            email="maria@example.com",
            name="M",
        )
    with session_scope() as s:
        member = service.accept_invite(s, token=invite.token, password=PASSWORD)
        assert member.id is not None
        member_id = member.id
    with session_scope() as s:
        service.set_user_active(
            TenantScope(s, boss.user.tenant_id), actor=boss.user, user_id=member_id, active=False
        )
    with session_scope() as s:
        back = service.sign_in(s, email="maria@example.com", password=PASSWORD)
    assert back.user.tenant_name == "Padaria"
    with session_scope() as s:
        assert [c.name for c in service.companies_of(s, email="maria@example.com")] == ["Padaria"]
