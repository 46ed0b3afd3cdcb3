"""Voice notes as WhatsApp plays them: OGG/Opus, mono, with their duration.

Browsers record WebM/Opus (Chromium) or MP4/AAC (Safari); people upload MP3s and M4As. WhatsApp
shows a push-to-talk note with a waveform only for OGG/Opus, so every audio the composer sends
is converted here with ffmpeg first. A conversion that fails is reported, never hidden: the
caller keeps the original file on the message and marks it failed with
:data:`CONVERSION_FAILED`.

Blocking (runs ffmpeg): async callers run :func:`to_voice_note` in a thread, outside any
database transaction.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

VOICE_MIMETYPE = "audio/ogg; codecs=opus"
CONVERSION_FAILED = "voice.reason_conversion_failed"  # i18n key, shown on the message
TIMEOUT_S = 120  # a 16 MB recording converts in a few seconds; this only stops a hang
# Speech settings WhatsApp itself uses for voice notes: mono Opus at 48 kHz, ~32 kbit/s.
FFMPEG_ARGS = ["-vn", "-ac", "1", "-ar", "48000", "-c:a", "libopus", "-b:a", "32k"]
FFMPEG_ARGS += ["-application", "voip", "-f", "ogg"]


class ConversionFailed(Exception):
    """ffmpeg is missing, or could not read the audio; ``detail`` is for logs only."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


@dataclass(frozen=True, slots=True)
class VoiceNote:
    data: bytes
    seconds: int | None  # None when ffprobe is missing or cannot tell
    mimetype: str = VOICE_MIMETYPE


@dataclass(frozen=True, slots=True)
class RecordedAudio:
    """Audio as the attendant gave it, and what ffmpeg made of it (None: conversion failed)."""

    data: bytes
    mimetype: str
    filename: str | None = None
    converted: VoiceNote | None = None


def prepare_voice(data: bytes, mimetype: str, filename: str | None = None) -> RecordedAudio:
    """Convert for sending; a failure is logged and leaves ``converted`` empty."""
    try:
        converted: VoiceNote | None = to_voice_note(data)
    except ConversionFailed as exc:
        log.warning("voice note conversion failed (%s, %d bytes): %s", mimetype, len(data), exc)
        converted = None
    return RecordedAudio(data, mimetype, filename, converted)


def to_voice_note(data: bytes, *, ffmpeg: str | None = None) -> VoiceNote:
    """Convert any audio ffmpeg reads into an OGG/Opus mono voice note."""
    binary = ffmpeg or shutil.which("ffmpeg")
    if binary is None:
        raise ConversionFailed("ffmpeg is not installed")
    with tempfile.TemporaryDirectory(prefix="wa-voice-") as folder:
        source, target = Path(folder) / "in", Path(folder) / "out.ogg"
        source.write_bytes(data)  # a file, not a pipe: MP4/M4A need a seekable input
        command = [binary, "-hide_banner", "-nostdin", "-y", "-i", str(source)]
        _run([*command, *FFMPEG_ARGS, str(target)])
        converted = target.read_bytes() if target.is_file() else b""
        if not converted:
            raise ConversionFailed("ffmpeg produced no audio")
        return VoiceNote(converted, duration_seconds(target))


def _run(command: list[str]) -> None:
    try:
        result = subprocess.run(command, capture_output=True, timeout=TIMEOUT_S, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise ConversionFailed(f"{type(exc).__name__}: {exc}") from exc
    if result.returncode != 0:
        tail = result.stderr.decode(errors="replace").strip().splitlines()[-1:] or [""]
        raise ConversionFailed(f"ffmpeg exited {result.returncode}: {tail[0][:300]}")


def duration_seconds(path: Path) -> int | None:
    """Whole seconds (at least 1) of an audio file, by ffprobe; None when unknown."""
    ffprobe = shutil.which("ffprobe")
    if ffprobe is None:
        return None
    command = [ffprobe, "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0"]
    try:
        result = subprocess.run([*command, str(path)], capture_output=True, timeout=30, check=False)
        return max(1, round(float(result.stdout.strip())))
    except (OSError, subprocess.TimeoutExpired, ValueError):
        log.warning("could not read the duration of a voice note")
        return None
