"""Voice notes go out as WhatsApp plays them: OGG/Opus mono, push-to-talk, with a duration.
A recording ffmpeg cannot read is kept on a failed message that says why."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from conftest import World
from inbox_helpers import conversations, inbound

from whatsapp_saas.db import session_scope
from whatsapp_saas.delivery.claim.claims import claim_batch
from whatsapp_saas.errors import UserError
from whatsapp_saas.inbox import audio
from whatsapp_saas.inbox.ingest import ingest_event
from whatsapp_saas.inbox.media import media_store
from whatsapp_saas.inbox.models import Message
from whatsapp_saas.inbox.replies import enqueue_voice_reply
from whatsapp_saas.inbox.status import retry_failed
from whatsapp_saas.models_base import utcnow
from whatsapp_saas.tenancy.scope import TenantScope


def webm(seconds: int = 2) -> bytes:
    """What Chromium's MediaRecorder makes: WebM/Opus, here in stereo."""
    command = ["ffmpeg", "-hide_banner", "-loglevel", "error", "-f", "lavfi"]
    command += ["-i", f"sine=frequency=440:duration={seconds}", "-ac", "2", "-c:a", "libopus"]
    return subprocess.run([*command, "-f", "webm", "-"], capture_output=True, check=True).stdout


def _streams(data: bytes, tmp_path: Path) -> list[dict]:
    path = tmp_path / "note.ogg"
    path.write_bytes(data)
    command = ["ffprobe", "-v", "error", "-show_entries", "stream=codec_name,channels"]
    out = subprocess.run([*command, "-of", "json", str(path)], capture_output=True, check=True)
    return list(json.loads(out.stdout)["streams"])


def test_webm_becomes_ogg_opus_mono_with_its_duration(tmp_path: Path) -> None:
    note = audio.to_voice_note(webm(3))
    assert note.data.startswith(b"OggS")
    assert note.mimetype == "audio/ogg; codecs=opus"
    assert note.seconds == 3
    assert _streams(note.data, tmp_path) == [{"codec_name": "opus", "channels": 1}]


def test_unreadable_audio_or_no_ffmpeg_is_a_conversion_failure(tmp_path: Path) -> None:
    with pytest.raises(audio.ConversionFailed):
        audio.to_voice_note(b"not audio at all")
    with pytest.raises(audio.ConversionFailed):
        audio.to_voice_note(webm(1), ffmpeg=str(tmp_path / "no-ffmpeg"))
    kept = audio.prepare_voice(b"not audio", "audio/webm", "x.webm")
    assert (kept.converted, kept.data, kept.mimetype) == (None, b"not audio", "audio/webm")


def _conversation(world: World) -> int:
    ingest_event(inbound(world.a.tenant_id, world.a.number_id))
    conversation_id = conversations()[0].id
    assert conversation_id is not None
    return conversation_id


def test_a_converted_note_is_queued_as_push_to_talk_with_seconds(world: World) -> None:
    a = world.a
    conversation_id = _conversation(world)
    recorded = audio.prepare_voice(webm(2), "audio/webm;codecs=opus", "recado.webm")
    with session_scope() as session:
        message = enqueue_voice_reply(
            TenantScope(session, a.tenant_id),
            actor=a.owner,
            conversation_id=conversation_id,
            audio=recorded,
        )
        message_id = message.id
    with session_scope() as session:
        row = session.get(Message, message_id)
        assert row is not None
        assert (row.type, row.status, row.media_kind) == ("voice", "queued", "audio")
        assert (row.media_mimetype, row.media_seconds) == ("audio/ogg; codecs=opus", 2)
        assert row.media_filename == "recado.ogg"
        [claimed] = claim_batch(session, message_ids=[message_id or 0], now=utcnow())
    job = claimed.job
    assert job is not None and job.media_key is not None
    assert (job.type, job.media_seconds) == ("voice", 2)
    assert media_store().get(a.tenant_id, job.media_key).startswith(b"OggS")


def test_a_failed_conversion_keeps_the_original_on_a_failed_message(world: World) -> None:
    a = world.a
    conversation_id = _conversation(world)
    recorded = audio.prepare_voice(b"\x1aE\xdf\xa3 broken", "audio/webm", "recado.webm")
    with session_scope() as session:
        message = enqueue_voice_reply(
            TenantScope(session, a.tenant_id),
            actor=a.owner,
            conversation_id=conversation_id,
            audio=recorded,
        )
        message_id = message.id
    with session_scope() as session:
        row = session.get(Message, message_id)
        assert row is not None
        assert (row.status, row.failure_reason) == ("failed", audio.CONVERSION_FAILED)
        assert (row.media_mimetype, row.media_filename) == ("audio/webm", "recado.webm")
        assert row.media_storage_key is not None
        stored = media_store().get(a.tenant_id, row.media_storage_key)
        assert stored == b"\x1aE\xdf\xa3 broken"
        assert claim_batch(session, message_ids=[message_id or 0], now=utcnow()) == []  # never sent
    with pytest.raises(UserError) as err, session_scope() as session:
        retry_failed(TenantScope(session, a.tenant_id), actor=a.owner, message_id=message_id or 0)
    assert err.value.code == "voice.retry_record_again"
