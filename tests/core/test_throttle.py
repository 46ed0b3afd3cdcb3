"""Sign-in, sign-up and invitation throttling (issue 9, item 4), on PostgreSQL and SQLite.

Each test would fail on the old throttle: it counted failures with a SELECT before the argon2
verify (so parallel guesses all passed the check), and any success from an address reset that
address's failures.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from starlette.testclient import TestClient

from whatsapp_saas.accounts import service, throttle
from whatsapp_saas.config import reset_settings_cache
from whatsapp_saas.db import session_scope
from whatsapp_saas.errors import UserError
from whatsapp_saas.tenancy.scope import TenantScope
from whatsapp_saas.ui.api import build_api
from whatsapp_saas.ui.auth.client_ip import client_ip

PASSWORD = "correct horse battery"
WRONG = "wrong password!!"


def owner(email: str, company: str = "Acme") -> service.CurrentUser:
    with session_scope() as s:
        service.signup(s, company_name=company, name="Olivia", email=email, password=PASSWORD)
    with session_scope() as s:
        return service.sign_in(s, email=email, password=PASSWORD).user


def attempt(email: str, password: str, ip: str | None) -> str:
    """The outcome's code: "ok", or the refusal's i18n key."""
    try:
        with session_scope() as s:
            service.sign_in(s, email=email, password=password, ip=ip)
    except UserError as err:
        return err.code
    return "ok"


@pytest.fixture
def verifies(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the argon2 verifies that sign-in actually runs."""
    calls: list[int] = []
    real = service.verify_password  # type: ignore[attr-defined]  # patched below

    def counting(password: str, password_hash: str | None) -> bool:
        calls.append(1)
        return real(password, password_hash)

    monkeypatch.setattr(service, "verify_password", counting)
    return calls


def test_parallel_guesses_get_at_most_the_limit_evaluated(any_db: str, verifies: list[int]) -> None:
    owner("victim@example.com")
    verifies.clear()
    outcomes: list[str] = []
    start = threading.Barrier(16)

    def guess() -> None:
        start.wait()
        outcomes.append(attempt("victim@example.com", WRONG, "203.0.113.7"))

    threads = [threading.Thread(target=guess) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(outcomes) == 16
    assert len(verifies) <= 5
    assert outcomes.count("error.invalid_credentials") == len(verifies)
    assert attempt("victim@example.com", PASSWORD, "203.0.113.7") == "error.too_many_attempts"


def test_own_successes_do_not_reset_failures_against_someone_else(any_db: str) -> None:
    owner("victim@example.com")
    owner("attacker@example.com", "Evil")
    ip = "198.51.100.4"
    outcomes = []
    for _ in range(30):
        outcomes.append(attempt("victim@example.com", WRONG, ip))
        assert attempt("attacker@example.com", PASSWORD, ip) == "ok"
    assert outcomes.count("error.invalid_credentials") == 5
    assert set(outcomes[5:]) == {"error.too_many_attempts"}


def test_a_success_clears_only_its_own_pair(any_db: str) -> None:
    owner("ana@example.com")
    for _ in range(4):
        assert attempt("ana@example.com", WRONG, "192.0.2.1") == "error.invalid_credentials"
    assert attempt("ana@example.com", PASSWORD, "192.0.2.1") == "ok"
    # That pair starts over: five more failures before it is refused.
    for _ in range(5):
        assert attempt("ana@example.com", WRONG, "192.0.2.1") == "error.invalid_credentials"
    assert attempt("ana@example.com", WRONG, "192.0.2.1") == "error.too_many_attempts"


def test_the_account_wide_limit_is_a_growing_delay_not_a_lockout(
    any_db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Junk from many addresses slows the account down; the real person still gets in."""
    owner("maria@example.com")
    clock = [1_000_000_000_000]
    monkeypatch.setattr(throttle, "_now_ms", lambda: clock[0])
    for n in range(5):
        assert attempt("maria@example.com", WRONG, f"10.1.0.{n}") == "error.invalid_credentials"
    refused = attempt("maria@example.com", PASSWORD, "10.9.9.9")
    assert refused == "error.try_again_in_seconds"
    clock[0] += 2_000
    assert attempt("maria@example.com", WRONG, "10.1.0.99") == "error.invalid_credentials"
    with pytest.raises(UserError) as err, session_scope() as s:
        service.sign_in(s, email="maria@example.com", password=PASSWORD, ip="10.9.9.9")
    assert err.value.code == "error.try_again_in_seconds"
    assert int(str(err.value.params["seconds"])) > 2  # the wait grows
    clock[0] += int(str(err.value.params["seconds"])) * 1000
    assert attempt("maria@example.com", PASSWORD, "10.9.9.9") == "ok"


def test_sign_up_is_throttled_per_address(any_db: str) -> None:
    for n in range(10):
        with session_scope() as s:
            service.signup(
                s, company_name=f"C{n}", name="N", email=f"n{n}@x.io", password=PASSWORD, ip="a"
            )
    with pytest.raises(UserError) as err, session_scope() as s:
        service.signup(s, company_name="C", name="N", email="late@x.io", password=PASSWORD, ip="a")
    assert err.value.code == "error.too_many_requests"
    with session_scope() as s:  # another address is not affected
        service.signup(s, company_name="C", name="N", email="b@x.io", password=PASSWORD, ip="b")


def test_invitations_are_throttled_per_company(
    any_db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("INVITES_MAX_PER_HOUR", "3")
    reset_settings_cache()
    boss = owner("boss@example.com")
    for n in range(3):
        with session_scope() as s:
            service.invite_user(
                TenantScope(s, boss.tenant_id), actor=boss, email=f"a{n}@x.io", name="A"
            )
    with pytest.raises(UserError) as err, session_scope() as s:
        service.invite_user(TenantScope(s, boss.tenant_id), actor=boss, email="a9@x.io", name="A")
    assert err.value.code == "error.too_many_requests"


# --- behind a proxy, over HTTP -------------------------------------------------------------------


def test_forwarded_for_is_read_only_through_trusted_hops() -> None:
    assert client_ip("10.0.0.1", "6.6.6.6", 0) == "10.0.0.1"
    assert client_ip("10.0.0.1", "6.6.6.6, 198.51.100.2", 1) == "198.51.100.2"
    assert client_ip("10.0.0.1", "6.6.6.6, 198.51.100.2, 10.0.0.2", 2) == "198.51.100.2"
    assert client_ip("10.0.0.1", "", 1) == "10.0.0.1"


@pytest.fixture
def http(db: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    monkeypatch.setenv("TRUSTED_PROXY_HOPS", "1")
    reset_settings_cache()
    with TestClient(build_api()) as client:
        yield client


def post_sign_in(client: TestClient, email: str, password: str, forwarded: str) -> int:
    response = client.post(
        "/auth/session",
        data={"email": email, "password": password},
        headers={"X-Forwarded-For": forwarded},
    )
    return response.status_code


def test_behind_a_proxy_junk_from_one_client_does_not_refuse_another(http: TestClient) -> None:
    owner("real@example.com")
    for n in range(50):  # spraying many accounts uses up the attacker's address
        post_sign_in(http, f"guess{n}@example.com", WRONG, "6.6.6.6")
    assert post_sign_in(http, "guess99@example.com", WRONG, "6.6.6.6") == 429
    # The real user sits behind the same proxy, so the peer address is the same for both.
    assert post_sign_in(http, "real@example.com", PASSWORD, "6.6.6.6, 198.51.100.20") == 200


def test_a_forged_forwarded_for_does_not_buy_fresh_guesses(
    db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRUSTED_PROXY_HOPS", "0")
    reset_settings_cache()
    owner("real@example.com")
    with TestClient(build_api()) as client:
        codes = [post_sign_in(client, "real@example.com", WRONG, f"7.7.7.{n}") for n in range(10)]
    assert codes[:5] == [401] * 5
    assert set(codes[5:]) == {429}
