"""The media HTTP routes, driven over HTTP against ``build_api()`` on PostgreSQL.

Every row is made through the services a person's clicks would call: sign-up, invitations,
departments, a number, a contact, a conversation and a reply with a file.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from tests.conftest import media_dir
from whatsapp_saas.accounts import service as accounts
from whatsapp_saas.accounts.service import CurrentUser
from whatsapp_saas.contacts import service as contacts
from whatsapp_saas.db import session_scope
from whatsapp_saas.inbox import departments
from whatsapp_saas.inbox import service as inbox
from whatsapp_saas.inbox.media import media_store
from whatsapp_saas.inbox.models import Message
from whatsapp_saas.tenancy.scope import TenantScope
from whatsapp_saas.ui.api import build_api
from whatsapp_saas.ui.media_routes import VOICE_MAX_BYTES, content_disposition
from whatsapp_saas.whatsapp import service as numbers

PASSWORD = "correct horse battery"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
VOICE = b"\x1aE\xdf\xa3" + b"webm-opus" * 100  # not audio ffmpeg can read


@dataclass
class Tenant:
    owner: str  # session tokens
    agent_in: str  # member of the conversation's department
    agent_out: str  # in no department
    owner_user: CurrentUser
    conversation_id: int
    image_id: int  # an image reply with a stored file


@pytest.fixture(autouse=True)
def _media_dir(tmp_path: Path) -> Iterator[None]:
    with media_dir(tmp_path / "media"):
        yield


def _signed_in(email: str) -> str:
    with session_scope() as session:
        return accounts.sign_in(session, email=email, password=PASSWORD).token


def _invite(owner: CurrentUser, email: str) -> None:
    with session_scope() as session:
        scope = TenantScope(session, owner.tenant_id)
        issued = accounts.invite_user(scope, actor=owner, email=email, name=email.split("@")[0])
        accounts.accept_invite(session, token=issued.token, password=PASSWORD)


def _tenant(slug: str, language: str = "en") -> Tenant:
    with session_scope() as session:
        accounts.signup(
            session,
            company_name=slug.title(),
            name="Olivia",
            email=f"owner@{slug}.io",
            password=PASSWORD,
            language=language,
        )
    owner_token = _signed_in(f"owner@{slug}.io")
    with session_scope() as session:
        owner = accounts.resolve_session(session, token=owner_token)
    assert owner is not None
    _invite(owner, f"in@{slug}.io")
    _invite(owner, f"out@{slug}.io")
    in_token, out_token = _signed_in(f"in@{slug}.io"), _signed_in(f"out@{slug}.io")
    with session_scope() as session:
        scope = TenantScope(session, owner.tenant_id)
        agent_in = accounts.resolve_session(session, token=in_token)
        assert agent_in is not None
        sales = departments.create_department(scope, actor=owner, name="Sales")
        assert sales.id is not None
        departments.add_member(scope, actor=owner, department_id=sales.id, user_id=agent_in.user_id)
        number = numbers.add_number(scope, name="Main")
        contact = contacts.create_contact(scope, phone="+5511988887777", name="Maria")
        assert number.id is not None and contact.id is not None
        conversation = inbox.open_conversation(
            scope, actor=owner, number_id=number.id, contact_id=contact.id
        )
        assert conversation.id is not None
        # In the Sales queue with no assignee: only Sales members (and managers) see it.
        inbox.transfer(scope, actor=owner, conversation_id=conversation.id, department_id=sales.id)
        reply = inbox.enqueue_media_reply(
            scope,
            actor=owner,
            conversation_id=conversation.id,
            data=PNG,
            mimetype="image/png",
            filename='relatório "final".png',
        )
        assert reply.id is not None
        conversation_id, image_id = conversation.id, reply.id
    return Tenant(owner_token, in_token, out_token, owner, conversation_id, image_id)


@pytest.fixture
def acme(db: str) -> Tenant:
    return _tenant("acme")


@pytest.fixture
def beta(db: str) -> Tenant:
    return _tenant("beta", language="pt-BR")


def _client(token: str | None = None) -> TestClient:
    cookies = {"wa_session": token} if token else None
    return TestClient(build_api(), cookies=cookies, headers={"accept-language": "en-US"})


def _voice(client: TestClient, conversation_id: int, body: object, content_type: str):  # type: ignore[no-untyped-def]
    return client.post(
        f"/inbox/conversations/{conversation_id}/voice",
        content=body,  # type: ignore[arg-type]
        headers={"content-type": content_type},
    )


# --- GET /media/{id} ------------------------------------------------------------------------


def test_signed_out_gets_401(acme: Tenant) -> None:
    for client in (_client(), _client("not-a-real-token")):
        response = client.get(f"/media/{acme.image_id}")
        assert response.status_code == 401
        assert response.json() == {"error": "Your session has ended. Sign in again to continue."}
        voice = _voice(client, acme.conversation_id, VOICE, "audio/webm")
        assert voice.status_code == 401 and "error" in voice.json()


def test_owner_gets_the_file_inline_with_its_mimetype(acme: Tenant) -> None:
    response = _client(acme.owner).get(f"/media/{acme.image_id}")
    assert response.status_code == 200
    assert response.content == PNG
    assert response.headers["content-type"] == "image/png"
    assert response.headers["content-disposition"].startswith("inline;")
    assert response.headers["x-content-type-options"] == "nosniff"


def test_download_names_the_original_file_safely(acme: Tenant) -> None:
    response = _client(acme.owner).get(f"/media/{acme.image_id}?download=1")
    assert response.status_code == 200
    assert response.headers["content-disposition"] == (
        'attachment; filename="relat_rio _final_.png"; '
        "filename*=UTF-8''relat%C3%B3rio%20%22final%22.png"
    )


def test_content_disposition_never_breaks_the_header() -> None:
    header = content_disposition("attachment", 'evil"\r\nSet-Cookie: x=1;.pdf')
    assert "\r" not in header and "\n" not in header
    assert header.startswith('attachment; filename="evil___Set-Cookie_ x_1_.pdf"; filename*=')


def test_hidden_and_foreign_messages_are_404(acme: Tenant, beta: Tenant) -> None:
    assert _client(acme.agent_in).get(f"/media/{acme.image_id}").status_code == 200
    for token, message_id in [
        (acme.agent_out, acme.image_id),  # outside the Sales department
        (beta.owner, acme.image_id),  # another tenant's id
        (acme.owner, beta.image_id),
        (acme.owner, 999_999),
    ]:
        response = _client(token).get(f"/media/{message_id}")
        assert response.status_code == 404
        assert response.json()["error"] in ("Not found.", "Não encontrado.")
    assert _client(acme.owner).get("/media/abc").status_code == 404


def test_active_content_is_always_a_download(acme: Tenant) -> None:
    with session_scope() as session:
        scope = TenantScope(session, acme.owner_user.tenant_id)
        page = inbox.enqueue_media_reply(
            scope,
            actor=acme.owner_user,
            conversation_id=acme.conversation_id,
            data=b"<script>alert(1)</script>",
            mimetype="text/html",
            filename="page.html",
        )
    response = _client(acme.owner).get(f"/media/{page.id}")
    assert response.status_code == 200
    assert response.headers["content-disposition"].startswith("attachment;")
    assert "sandbox" in response.headers["content-security-policy"]


# --- POST /inbox/conversations/{id}/voice ---------------------------------------------------


def _webm(seconds: int = 2) -> bytes:
    """A real browser-style recording: WebM/Opus, stereo."""
    command = ["ffmpeg", "-hide_banner", "-loglevel", "error", "-f", "lavfi"]
    command += ["-i", f"sine=frequency=440:duration={seconds}", "-ac", "2", "-c:a", "libopus"]
    return subprocess.run([*command, "-f", "webm", "-"], capture_output=True, check=True).stdout


def test_voice_note_is_converted_to_ogg_opus_and_queued(acme: Tenant) -> None:
    recording = _webm()
    response = _voice(
        _client(acme.agent_in), acme.conversation_id, recording, "audio/webm;codecs=opus"
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["ok"] is True and isinstance(body["message_id"], int)
    with session_scope() as session:
        message = session.get(Message, body["message_id"])
        assert message is not None
        assert (message.type, message.status, message.direction) == ("voice", "queued", "out")
        assert message.conversation_id == acme.conversation_id
        assert message.media_mimetype == "audio/ogg; codecs=opus"
        assert message.media_seconds == 2
        assert message.media_storage_key is not None
        stored = media_store().get(message.tenant_id, message.media_storage_key)
    assert stored.startswith(b"OggS") and message.media_size == len(stored)
    played = _client(acme.owner).get(f"/media/{body['message_id']}")
    assert played.status_code == 200 and played.content == stored
    assert played.headers["content-type"] == "audio/ogg; codecs=opus"


def test_unconvertible_voice_note_fails_with_a_reason_and_keeps_the_file(acme: Tenant) -> None:
    response = _voice(_client(acme.agent_in), acme.conversation_id, VOICE, "audio/webm")
    assert response.status_code == 200, response.text
    with session_scope() as session:
        message = session.get(Message, response.json()["message_id"])
        assert message is not None
        assert (message.type, message.status) == ("voice", "failed")
        assert message.failure_reason == "voice.reason_conversion_failed"
        assert message.media_mimetype == "audio/webm"
        assert message.media_storage_key is not None
        assert media_store().get(message.tenant_id, message.media_storage_key) == VOICE


def test_oversized_voice_is_refused_before_storing(acme: Tenant) -> None:
    client = _client(acme.owner)
    too_big = b"\0" * (VOICE_MAX_BYTES + 1)
    declared = _voice(client, acme.conversation_id, too_big, "audio/ogg")
    assert declared.status_code == 413
    assert declared.json() == {"error": "The voice note is too large (at most 16 MB)."}
    # No Content-Length (chunked): the cap holds while reading the stream.
    streamed = _voice(client, acme.conversation_id, iter([too_big]), "audio/ogg")
    assert streamed.status_code == 413
    with session_scope() as session:
        scope = TenantScope(session, acme.owner_user.tenant_id)
        assert scope.count(Message, Message.type == "voice") == 0


@pytest.mark.parametrize(
    ("content_type", "body", "error"),
    [
        ("text/plain", b"hello", "Files of type text/plain cannot be sent as voice."),
        ("audio/x-wav", b"RIFF", "Files of type audio/x-wav cannot be sent as voice."),
        ("", b"RIFF", "Files of type application/octet-stream cannot be sent as voice."),
        ("audio/ogg", b"", "The file is empty."),
    ],
)
def test_unsupported_voice_bodies_get_a_clear_error(
    acme: Tenant, content_type: str, body: bytes, error: str
) -> None:
    response = _voice(_client(acme.owner), acme.conversation_id, body, content_type)
    assert response.status_code == 400
    assert response.json() == {"error": error}


def test_voice_errors_follow_the_users_language(beta: Tenant) -> None:
    response = _voice(_client(beta.owner), beta.conversation_id, b"x", "text/plain")
    assert response.json() == {
        "error": "Arquivos do tipo text/plain não podem ser enviados como voice."
    }


def test_voice_to_a_hidden_or_foreign_conversation_is_404(acme: Tenant, beta: Tenant) -> None:
    for token, conversation_id in [
        (acme.agent_out, acme.conversation_id),
        (beta.owner, acme.conversation_id),
        (acme.owner, 999_999),
    ]:
        response = _voice(_client(token), conversation_id, VOICE, "audio/ogg")
        assert response.status_code == 404
        assert "error" in response.json()
