"""The session cookie routes and what Reflex's requests carry (issue 9, item 10), in-process.

The same holes are also checked against a running app in tests/browser/test_accounts_flow.py.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from starlette.testclient import TestClient

from whatsapp_saas.accounts import service
from whatsapp_saas.accounts.models import User
from whatsapp_saas.config import reset_settings_cache
from whatsapp_saas.db import session_scope
from whatsapp_saas.security.tokens import token_hash
from whatsapp_saas.ui.api import build_api
from whatsapp_saas.ui.auth.session_routes import _rewrite_cookie_header

PASSWORD = "correct horse battery"


def _owner(email: str = "o@example.com") -> User:
    with session_scope() as s:
        user = service.signup(s, company_name="Acme", name="O", email=email, password=PASSWORD)
        s.expunge(user)
    return user


@pytest.fixture
def https_app(db: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    monkeypatch.setenv("APP_BASE_URL", "https://desk.example.com")
    reset_settings_cache()
    with TestClient(build_api(), base_url="https://desk.example.com") as client:
        yield client


def test_behind_https_the_cookie_is_secure_http_only_and_strict(https_app: TestClient) -> None:
    _owner()
    response = https_app.post(
        "/auth/session", data={"email": "o@example.com", "password": PASSWORD}
    )
    assert response.status_code == 200
    cookie = response.headers["set-cookie"].lower()
    for flag in ("httponly", "samesite=strict", "secure", "path=/"):
        assert flag in cookie


def test_a_one_time_code_is_traded_once_for_the_cookie(https_app: TestClient) -> None:
    user = _owner()
    with session_scope() as s:
        code = service.issue_sign_in_code(s, user=s.merge(user))
    first = https_app.post("/auth/session", data={"code": code}, follow_redirects=False)
    assert first.status_code == 303 and first.headers["location"] == "https://desk.example.com/"
    assert "wa_session=" in first.headers["set-cookie"]
    again = https_app.post("/auth/session", data={"code": code}, follow_redirects=False)
    assert again.status_code == 303 and again.headers["location"].endswith("/login")
    assert "set-cookie" not in again.headers


def test_cross_site_posts_are_refused(https_app: TestClient) -> None:
    _owner()
    for path in ("/auth/session", "/auth/sign-out"):
        response = https_app.post(
            path,
            data={"email": "o@example.com", "password": PASSWORD},
            headers={"Origin": "https://evil.example"},
        )
        assert response.status_code == 403
        assert "set-cookie" not in response.headers
    same_site_script = https_app.post(
        "/auth/session",
        data={"email": "o@example.com", "password": PASSWORD},
        headers={"Sec-Fetch-Site": "cross-site"},
    )
    assert same_site_script.status_code == 403


def test_sign_out_revokes_and_clears_the_cookie(https_app: TestClient) -> None:
    _owner()
    signed = https_app.post("/auth/session", data={"email": "o@example.com", "password": PASSWORD})
    token = signed.cookies["wa_session"]
    out = https_app.post(
        "/auth/sign-out",
        headers={"Origin": "https://desk.example.com", "Cookie": f"wa_session={token}"},
        follow_redirects=False,
    )
    assert out.status_code == 303 and "max-age=0" in out.headers["set-cookie"].lower()
    with session_scope() as s:
        assert service.resolve_session(s, token=token) is None


def test_reflex_sees_only_the_hash_and_never_a_forged_one() -> None:
    rewritten = _rewrite_cookie_header("a=1; wa_session=tok; wa_session_ref=forged; b=2")
    assert rewritten == f"a=1; b=2; wa_session_ref={token_hash('tok')}"
    assert _rewrite_cookie_header("wa_session_ref=forged") == ""


@pytest.mark.parametrize(("env", "status"), [("development", 303), ("production", 403)])
def test_two_ports_of_one_host_count_as_ours_only_in_development(
    db: str, monkeypatch: pytest.MonkeyPatch, env: str, status: int
) -> None:
    """`reflex run` serves pages on :3000 and the backend on :8000 of the same host."""
    monkeypatch.setenv("APP_ENV", env)
    monkeypatch.setenv("APP_BASE_URL", "http://localhost:3000")
    if env == "production":  # what production refuses to start without
        monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/15")
        monkeypatch.setenv("ALLOW_SIMULATOR_IN_PRODUCTION", "true")
    reset_settings_cache()
    user = _owner()
    with session_scope() as s:
        code = service.issue_sign_in_code(s, user=s.merge(user))
    with TestClient(build_api(), base_url="http://127.0.0.1:8000") as client:
        response = client.post(
            "/auth/session",
            data={"code": code},
            headers={"Origin": "http://127.0.0.1:3000"},
            follow_redirects=False,
        )
    assert response.status_code == status
    if status == 303:
        assert response.headers["location"] == "http://127.0.0.1:3000/"
