"""Sign-up, sign-in, sessions, invitations and user management.

Plain functions over a SQLModel session (or a TenantScope for tenant-owned work). Every
function that changes a user's access revokes what must stop working at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, col, select, update

from whatsapp_saas.accounts.models import (
    MANAGER_ROLES,
    AuthSession,
    Invite,
    Role,
    SignInCode,
    User,
)
from whatsapp_saas.accounts.throttle import (
    check_invite,
    check_sign_in,
    check_sign_up,
    sign_in_succeeded,
)
from whatsapp_saas.accounts.validation import (
    check_language,
    check_password,
    check_timezone,
    normalise_email,
    require_name,
)
from whatsapp_saas.config import get_settings
from whatsapp_saas.errors import PermissionDenied, UserError
from whatsapp_saas.models_base import as_utc, utcnow
from whatsapp_saas.security.passwords import hash_password, needs_rehash, verify_password
from whatsapp_saas.security.tokens import new_token, token_hash
from whatsapp_saas.tenancy.models import Tenant
from whatsapp_saas.tenancy.scope import TenantScope

SIGN_IN_CODE_SECONDS = 60
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class CurrentUser:
    """Who is signed in; what the UI and services need, nothing secret."""

    user_id: int
    tenant_id: int
    tenant_name: str
    name: str
    email: str
    role: str
    language: str
    timezone: str

    @property
    def is_manager(self) -> bool:
        return self.role in MANAGER_ROLES


@dataclass(frozen=True)
class IssuedSession:
    token: str
    user: CurrentUser


def _member_of(scope: TenantScope, email: str) -> bool:
    return scope.first(User, col(User.email) == email) is not None


def signup(
    session: Session,
    *,
    company_name: str,
    name: str,
    email: str,
    password: str,
    language: str = "pt-BR",
    timezone: str = "America/Sao_Paulo",
    ip: str | None = None,
) -> User:
    """Create a tenant and its owner (a person may own or belong to several companies).

    Whether the email has an account must not show, neither in the answer nor in the time it
    takes: the password is hashed *before* the lookup, and an existing person costs one argon2
    verify where a new one costs the same dummy verify. Both get a new company. Only an
    existing email with a wrong password is refused, with the sign-in form's answer.
    """
    company = require_name(company_name, "error.company_required")
    person = require_name(name)
    address = normalise_email(email)
    check_password(password)
    zone = check_timezone(timezone)
    check_sign_up(session, ip=ip)
    hashed = hash_password(password)
    existing = _credential_row(_person_rows(session, address))
    if existing is not None:
        # The same person starting another company: their one password, checked like sign-in.
        _verify_person(session, existing, password, ip)
        hashed = existing.password_hash
    else:
        verify_password(password, None)  # the time an existing person's check takes
    tenant = Tenant(name=company, timezone=zone, language=check_language(language))
    session.add(tenant)
    session.flush()
    assert tenant.id is not None
    owner = User(
        tenant_id=tenant.id,
        email=address,
        name=person,
        password_hash=hashed,
        role=Role.OWNER.value,
        language=check_language(language),
        timezone=zone,
    )
    session.add(owner)
    session.flush()
    return owner


def _person_rows(session: Session, address: str) -> list[User]:
    """Every membership of the person with this email (one per company)."""
    return list(session.exec(select(User).where(User.email == address).order_by(col(User.id))))


def _credential_row(rows: list[User]) -> User | None:
    """The membership to sign in to: the active one used last; else any (to say "disabled")."""
    active = [row for row in rows if row.is_active]
    if not active:
        return rows[0] if rows else None
    return max(active, key=lambda row: (as_utc(row.last_login_at or EPOCH), row.id or 0))


def _verify_person(session: Session, person: User, password: str, ip: str | None) -> None:
    """The person's password (the same in every company), throttled like the sign-in form."""
    ticket = check_sign_in(session, email=person.email, ip=ip)
    if not verify_password(password, person.password_hash):
        raise UserError("error.invalid_credentials")
    sign_in_succeeded(session, ticket=ticket)


def check_credentials(
    session: Session, *, email: str, password: str, ip: str | None = None
) -> User:
    """The active user behind these credentials; rate-limited before the slow hash runs."""
    address = email.strip().lower()
    ticket = check_sign_in(session, email=address, ip=ip)
    user = _credential_row(_person_rows(session, address))
    if not verify_password(password, user.password_hash if user else None):
        raise UserError("error.invalid_credentials")
    assert user is not None
    if not user.is_active:
        raise UserError("error.account_disabled")
    sign_in_succeeded(session, ticket=ticket)
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


def sign_in(session: Session, *, email: str, password: str, ip: str | None = None) -> IssuedSession:
    """Check credentials (rate-limited) and open a session."""
    user = check_credentials(session, email=email, password=password, ip=ip)
    return _issue(session, user, ip)


def _issue(session: Session, user: User, ip: str | None) -> IssuedSession:
    user.last_login_at = utcnow()
    return IssuedSession(token=_open_session(session, user, ip), user=_current(session, user))


def issue_sign_in_code(session: Session, *, user: User) -> str:
    """A one-time code, valid a minute, that ``/auth/session`` trades for the session cookie.

    The websocket handler that checked the password cannot set an HttpOnly cookie; the
    browser posts this code to an HTTP route that can. The code is not a session token.
    """
    assert user.id is not None
    table = SignInCode.__table__  # type: ignore[attr-defined]
    session.execute(sa.delete(table).where(table.c.expires_at <= utcnow()))  # abandoned ones
    code = new_token()
    session.add(
        SignInCode(
            code_hash=token_hash(code),
            user_id=user.id,
            expires_at=utcnow() + timedelta(seconds=SIGN_IN_CODE_SECONDS),
        )
    )
    return code


def redeem_sign_in_code(session: Session, *, code: str, ip: str | None = None) -> IssuedSession:
    """Trade a code for a new session, once: the DELETE … RETURNING makes it single-use."""
    table = SignInCode.__table__  # type: ignore[attr-defined]
    user_id = session.execute(
        sa.delete(table)
        .where(table.c.code_hash == token_hash(code), table.c.expires_at > utcnow())
        .returning(table.c.user_id)
    ).scalar_one_or_none()
    user = session.get(User, user_id) if user_id is not None else None
    if user is None or not user.is_active:
        raise UserError("error.sign_in_code_invalid")
    return _issue(session, user, ip)


def _open_session(session: Session, user: User, ip: str | None) -> str:
    token = new_token()
    hours = get_settings().auth_session_hours
    assert user.id is not None
    session.add(
        AuthSession(
            tenant_id=user.tenant_id,
            user_id=user.id,
            token_hash=token_hash(token),
            expires_at=utcnow() + timedelta(hours=hours),
            ip=ip,
        )
    )
    return token


def _current(session: Session, user: User) -> CurrentUser:
    tenant = session.get(Tenant, user.tenant_id)
    assert tenant is not None and user.id is not None
    return CurrentUser(
        user_id=user.id,
        tenant_id=user.tenant_id,
        tenant_name=tenant.name,
        name=user.name,
        email=user.email,
        role=user.role,
        language=user.language,
        timezone=user.timezone,
    )


def resolve_session(session: Session, *, token: str | None) -> CurrentUser | None:
    """The user behind a token, or None if it is unknown, expired, revoked or disabled."""
    return resolve_session_hash(session, hashed=token_hash(token)) if token else None


def resolve_session_hash(session: Session, *, hashed: str | None) -> CurrentUser | None:
    """Like :func:`resolve_session`, from the token's hash (what the websocket carries)."""
    if not hashed:
        return None
    row = session.exec(select(AuthSession).where(AuthSession.token_hash == hashed)).first()
    if row is None or row.revoked_at is not None or as_utc(row.expires_at) <= utcnow():
        return None
    user = session.get(User, row.user_id)
    if user is None or not user.is_active:
        return None
    return _current(session, user)


def sign_out(session: Session, *, token: str | None) -> None:
    if token:
        sign_out_hash(session, hashed=token_hash(token))


def sign_out_hash(session: Session, *, hashed: str | None) -> None:
    if not hashed:
        return
    session.exec(
        update(AuthSession)
        .where(col(AuthSession.token_hash) == hashed)
        .where(col(AuthSession.revoked_at).is_(None))
        .values(revoked_at=utcnow())
    )


def revoke_user_sessions(session: Session, *, user_id: int) -> None:
    session.exec(
        update(AuthSession)
        .where(col(AuthSession.user_id) == user_id)
        .where(col(AuthSession.revoked_at).is_(None))
        .values(revoked_at=utcnow())
    )


# --- team management (tenant scoped) --------------------------------------------------------


def require_manager(actor: CurrentUser) -> None:
    if not actor.is_manager:
        raise PermissionDenied()


def list_users(scope: TenantScope) -> list[User]:
    return list(scope.session.exec(scope.select(User).order_by(col(User.created_at))).all())


def _assignable_role(actor: CurrentUser, role: str) -> str:
    if role not in (Role.ADMIN.value, Role.AGENT.value):
        raise UserError("error.role_invalid")
    if (
        role == Role.ADMIN.value
        and actor.role != Role.OWNER.value
        and actor.role != Role.ADMIN.value
    ):
        raise PermissionDenied()
    return role


@dataclass(frozen=True)
class IssuedInvite:
    invite_id: int
    token: str


def invite_user(
    scope: TenantScope, *, actor: CurrentUser, email: str, name: str, role: str = "agent"
) -> IssuedInvite:
    """Invite a colleague; the returned token goes in the invite link, shown once."""
    require_manager(actor)
    address = normalise_email(email)
    person = require_name(name)
    # Only this company's own members are named: another company's emails are not ours to
    # confirm (the invitee finds out when accepting, and only they see it).
    if _member_of(scope, address):
        raise UserError("error.already_member")
    check_invite(scope.session, tenant_id=scope.tenant_id)
    token = new_token()
    hours = get_settings().invite_valid_hours
    invite = scope.add(
        Invite(
            tenant_id=scope.tenant_id,
            email=address,
            name=person,
            role=_assignable_role(actor, role),
            token_hash=token_hash(token),
            invited_by=actor.user_id,
            expires_at=utcnow() + timedelta(hours=hours),
        )
    )
    scope.session.flush()
    assert invite.id is not None
    return IssuedInvite(invite_id=invite.id, token=token)


def find_invite(session: Session, *, token: str) -> Invite:
    invite = session.exec(select(Invite).where(Invite.token_hash == token_hash(token))).first()
    if invite is None or invite.accepted_at is not None or as_utc(invite.expires_at) <= utcnow():
        raise UserError("error.invite_invalid")
    return invite


def accept_invite(
    session: Session,
    *,
    token: str,
    password: str,
    name: str | None = None,
    ip: str | None = None,
) -> User:
    """Join the inviting company. Someone who already has an account confirms their password."""
    invite = find_invite(session, token=token)
    rows = _person_rows(session, invite.email)
    if any(row.tenant_id == invite.tenant_id for row in rows):
        raise UserError("error.already_member")
    person = _credential_row(rows)
    if person is not None:
        _verify_person(session, person, password, ip)
        hashed = person.password_hash
    else:
        hashed = hash_password(check_password(password))
    tenant = session.get(Tenant, invite.tenant_id)
    assert tenant is not None
    user = User(
        tenant_id=invite.tenant_id,
        email=invite.email,
        name=require_name(name) if name else invite.name,
        password_hash=hashed,
        role=invite.role,
        language=person.language if person else tenant.language,
        timezone=person.timezone if person else tenant.timezone,
    )
    session.add(user)
    invite.accepted_at = utcnow()
    session.flush()
    return user


def invite_has_account(session: Session, *, token: str) -> bool:
    """For the invitation page: whether to ask for the existing password or a new one.

    Only the holder of the link, the invitee, learns this about their own email.
    """
    invite = find_invite(session, token=token)
    return bool(_person_rows(session, invite.email))


# --- several companies per person --------------------------------------------------------------


@dataclass(frozen=True)
class Company:
    tenant_id: int
    name: str
    role: str


def companies_of(session: Session, *, email: str) -> list[Company]:
    """The companies this person may switch to (active memberships), by name."""
    rows = session.exec(
        select(User, Tenant)
        .join(Tenant, col(Tenant.id) == col(User.tenant_id))
        .where(col(User.email) == email, col(User.is_active))
        .order_by(col(Tenant.name))
    ).all()
    return [Company(tenant.id or 0, tenant.name, user.role) for user, tenant in rows]


def switch_company(
    session: Session, *, actor: CurrentUser, tenant_id: int, current_hash: str | None
) -> str:
    """A sign-in code for the same person in another company; the current session ends."""
    target = session.exec(
        select(User).where(
            col(User.email) == actor.email,
            col(User.tenant_id) == tenant_id,
            col(User.is_active),
        )
    ).first()
    if target is None:
        raise UserError("error.not_found")
    sign_out_hash(session, hashed=current_hash)
    return issue_sign_in_code(session, user=target)


def list_pending_invites(scope: TenantScope) -> list[Invite]:
    now = utcnow()
    rows = scope.all(Invite, col(Invite.accepted_at).is_(None))
    return [row for row in rows if as_utc(row.expires_at) > now]


def revoke_invite(scope: TenantScope, *, actor: CurrentUser, invite_id: int) -> None:
    require_manager(actor)
    scope.delete(Invite, invite_id)


def set_user_active(scope: TenantScope, *, actor: CurrentUser, user_id: int, active: bool) -> User:
    """Disable (ending every session at once) or re-enable a colleague."""
    require_manager(actor)
    user = scope.get(User, user_id)
    if user.id == actor.user_id:
        raise UserError("error.cannot_disable_self")
    if user.role == Role.OWNER.value:
        raise PermissionDenied("error.cannot_change_owner")
    user.is_active = active
    if not active:
        revoke_user_sessions(scope.session, user_id=user_id)
    return user


def set_user_role(scope: TenantScope, *, actor: CurrentUser, user_id: int, role: str) -> User:
    require_manager(actor)
    user = scope.get(User, user_id)
    if user.role == Role.OWNER.value or user.id == actor.user_id:
        raise PermissionDenied("error.cannot_change_owner")
    user.role = _assignable_role(actor, role)
    return user


def update_preferences(
    scope: TenantScope,
    *,
    actor: CurrentUser,
    language: str | None = None,
    timezone: str | None = None,
) -> User:
    user = scope.get(User, actor.user_id)
    if language is not None:
        user.language = check_language(language)
    if timezone is not None:
        user.timezone = check_timezone(timezone)
    return user


SIGNATURE_MAX = 60


def set_signature(scope: TenantScope, *, actor: CurrentUser, signature: str | None) -> User:
    """The actor's own signature for WhatsApp replies; empty removes it."""
    text = " ".join((signature or "").split())
    if len(text) > SIGNATURE_MAX:
        raise UserError("error.too_long", limit=SIGNATURE_MAX)
    user = scope.get(User, actor.user_id)
    user.signature = text or None
    return user


def session_expiry(session: Session, *, token: str) -> datetime | None:
    row = session.exec(
        select(AuthSession).where(AuthSession.token_hash == token_hash(token))
    ).first()
    return as_utc(row.expires_at) if row else None
