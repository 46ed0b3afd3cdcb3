"""Pure translation between neonize's protobuf objects and the gateway's types.

No client, no I/O: every function takes protobuf messages (or strings) and returns gateway
events, JIDs or outbound ``Message`` objects, so the whole mapping is tested with real
neonize event objects and no network.

Mapping rules that are easy to get wrong, and why:

* ``MessageInfo.Timestamp`` is in milliseconds, ``Receipt.Timestamp`` and
  ``SendResponse.Timestamp`` in seconds. A Go zero time arrives as a large negative number.
* A sender may be a LID (``123@lid``); the phone JID is then ``SenderAlt`` (and the other way
  round). For 1:1 chats the chat is reported by phone JID whenever WhatsApp gives the number
  (``SenderAlt`` for inbound, ``RecipientAlt`` for our own messages), so a customer writing
  through a LID and through a phone number lands in one chat.
* neonize 0.5.2 encodes whatsmeow's ``played-self`` receipt as ``SERVER_ERROR`` and leaves
  ``Type`` unset for receipt types it does not know (a real ``server-error`` among them). An
  unset proto2 enum reads as its first value, ``DELIVERED``: check ``HasField`` first.
* JIDs handed to the Go side must have every field set: it dereferences each one.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from google.protobuf.message import DecodeError

from whatsapp_saas import phones
from whatsapp_saas.whatsapp.gateway import (
    ChatPresenceChanged,
    Connected,
    Disconnected,
    GatewayEvent,
    InvalidRecipient,
    LoggedOut,
    MediaKind,
    MediaRef,
    MessageReceived,
    OutboundMedia,
    QrCodeIssued,
    QrTimedOut,
    ReceiptKind,
    ReceiptReceived,
    StoreChanged,
)

from .neonize_runtime import load_neonize

load_neonize()  # must run before any neonize import: it contains the import's side effects

from neonize.proto import Neonize_pb2 as npb  # noqa: E402
from neonize.proto.waE2E import WAWebProtobufsE2E_pb2 as wa  # noqa: E402

USER_SERVER = phones.PHONE_SERVER
LID_SERVER = phones.LID_SERVER
GROUP_SERVER = "g.us"
BROADCAST_SERVER = "broadcast"
STATUS_BROADCAST = "status@broadcast"

FIRST_QR_SECONDS = 60
NEXT_QR_SECONDS = 20

_SENDABLE_SERVERS = frozenset({USER_SERVER, LID_SERVER, GROUP_SERVER})
_GROUP_USER = re.compile(r"^\d+(-\d+)?$")


# --- JIDs and phone numbers ------------------------------------------------------------------
# The rules are phones.py's (the app's one phone/JID module); these adapt them to the engine's
# vocabulary: neonize wants digits and JIDs, and answers InvalidRecipient, not a UserError.


def phone_digits(phone: str) -> str:
    """``"+55 (11) 99999-0000"`` -> ``"5511999990000"``; InvalidRecipient when it is not an
    international number. Read without a region (the engine has no tenant to take one from)
    and as the network does, possible rather than assigned (``valid=False``)."""
    e164 = phones.to_e164(phone, region=None, valid=False) if "@" not in phone else None
    if e164 is None:
        raise InvalidRecipient(f"not an international phone number: {phone!r}")
    return e164.removeprefix("+")


def phone_to_jid(phone: str) -> str:
    return phones.to_jid("+" + phone_digits(phone))


def jid_to_phone(jid: str) -> str | None:
    """E.164 (``"+5511999990000"``) for a phone JID, None for LIDs, groups and the rest.

    WhatsApp's own JID names the number: it is taken as it is, not re-checked against the
    numbering plan (a number WhatsApp knows and ``phonenumbers`` does not is still a number)."""
    user, server = phones.split_jid(jid)
    if server not in phones.PHONE_SERVERS:
        return None
    return f"+{user}" if user.isdigit() else None


def normalize_recipient(to: str) -> str:
    """A JID we can send to, from a JID or an E.164 number; InvalidRecipient otherwise."""
    to = to.strip()
    if "@" not in to:
        return phone_to_jid(to)
    if to.rpartition("@")[2] == GROUP_SERVER:  # groups keep their "-" user as it is
        user, server = to.rpartition("@")[0], GROUP_SERVER
        valid = bool(_GROUP_USER.match(user))
    else:
        user, server = phones.split_jid(to)
        server = USER_SERVER if server in phones.PHONE_SERVERS else server
        if server not in _SENDABLE_SERVERS:
            raise InvalidRecipient(f"cannot send to {to!r}: unsupported server {server!r}")
        valid = user.isdigit()
    if not valid:
        raise InvalidRecipient(f"not a valid WhatsApp address: {to!r}")
    return f"{user}@{server}"


def to_proto_jid(jid: str) -> Any:
    """A neonize ``JID`` with every field set (the Go side dereferences each one)."""
    user, _, server = jid.rpartition("@")
    if not server:
        raise InvalidRecipient(f"not a JID: {jid!r}")
    return npb.JID(User=user, Server=server, RawAgent=0, Device=0, Integrator=0, IsEmpty=False)


def jid_str(jid: Any) -> str | None:
    """``"user@server"`` without agent/device parts; None for an empty JID."""
    if jid.IsEmpty or not jid.Server:
        return None
    return f"{jid.User}@{jid.Server}" if jid.User else jid.Server


def _pick(server: str, *jids: Any) -> str | None:
    for jid in jids:
        text = jid_str(jid)
        if text and text.endswith("@" + server):
            return text
    return None


def _chat_of(source: Any, peer_phone: str | None) -> str | None:
    """The chat JID, by phone number for 1:1 chats whenever the number is known."""
    chat = jid_str(source.Chat)
    if chat is None:
        return None
    server = chat.rpartition("@")[2]
    if server == BROADCAST_SERVER and chat != STATUS_BROADCAST:
        # A broadcast list reaches each recipient as a 1:1 message from the sender.
        return peer_phone or _pick(LID_SERVER, source.Sender, source.SenderAlt)
    if server == LID_SERVER and not source.IsGroup and peer_phone:
        return peer_phone
    return chat


# --- time -----------------------------------------------------------------------------------


def from_millis(ms: int, *, now: datetime | None = None) -> datetime:
    if ms <= 0:
        return now or datetime.now(UTC)
    return datetime.fromtimestamp(ms / 1000, UTC)


def from_seconds(seconds: int, *, now: datetime | None = None) -> datetime:
    if seconds <= 0:
        return now or datetime.now(UTC)
    return datetime.fromtimestamp(seconds, UTC)


# --- inbound messages -----------------------------------------------------------------------

_WRAPPERS = (
    "deviceSentMessage",
    "ephemeralMessage",
    "viewOnceMessage",
    "viewOnceMessageV2",
    "viewOnceMessageV2Extension",
    "documentWithCaptionMessage",
    "editedMessage",
    "groupMentionedMessage",
    "botInvokeMessage",
    "botForwardedMessage",
    "spoilerMessage",
    "lottieStickerMessage",
    "associatedChildMessage",
)
# Content that is not a conversation message: protocol traffic, reactions, key distribution.
_SILENT = frozenset(
    {
        "protocolMessage",
        "reactionMessage",
        "encReactionMessage",
        "senderKeyDistributionMessage",
        "fastRatchetKeySenderKeyDistributionMessage",
        "messageContextInfo",
        "pollUpdateMessage",
        "keepInChatMessage",
        "pinInChatMessage",
        "messageHistoryBundle",
        "messageHistoryNotice",
        "stickerSyncRmrMessage",
        "call",
        "bcallMessage",
        "callLogMesssage",
        "placeholderMessage",
    }
)
_MEDIA_FIELDS: dict[str, MediaKind] = {
    "imageMessage": MediaKind.IMAGE,
    "videoMessage": MediaKind.VIDEO,
    "ptvMessage": MediaKind.VIDEO,
    "audioMessage": MediaKind.AUDIO,
    "documentMessage": MediaKind.DOCUMENT,
    "stickerMessage": MediaKind.STICKER,
}
_DEFAULT_MIMETYPES: dict[MediaKind, str] = {
    MediaKind.IMAGE: "image/jpeg",
    MediaKind.VIDEO: "video/mp4",
    MediaKind.AUDIO: "audio/ogg; codecs=opus",
    MediaKind.DOCUMENT: "application/octet-stream",
    MediaKind.STICKER: "image/webp",
}


def unwrap(message: Any) -> Any:
    """The content inside ephemeral/view-once/device-sent/... wrappers."""
    for _ in range(6):
        for name in _WRAPPERS:
            if message.HasField(name) and getattr(message, name).HasField("message"):
                message = getattr(message, name).message
                break
        else:
            return message
    return message


def _content_fields(message: Any) -> list[str]:
    return [field.name for field, _ in message.ListFields()]


def message_text(content: Any) -> str:
    """The text a person would read: body, caption, or a short description."""
    if content.conversation:
        return str(content.conversation)
    for name, attr in (
        ("extendedTextMessage", "text"),
        ("imageMessage", "caption"),
        ("videoMessage", "caption"),
        ("ptvMessage", "caption"),
        ("documentMessage", "caption"),
        ("buttonsResponseMessage", "selectedDisplayText"),
        ("templateButtonReplyMessage", "selectedDisplayText"),
        ("listResponseMessage", "title"),
    ):
        if content.HasField(name) and getattr(getattr(content, name), attr):
            return str(getattr(getattr(content, name), attr))
    if content.HasField("interactiveResponseMessage"):
        return str(content.interactiveResponseMessage.body.text)
    for name in ("locationMessage", "liveLocationMessage"):
        if content.HasField(name):
            loc = getattr(content, name)
            coords = f"{loc.degreesLatitude:.6f},{loc.degreesLongitude:.6f}"
            parts = (getattr(loc, "name", ""), getattr(loc, "address", ""))
            label = " - ".join(str(p) for p in parts if p)
            return f"[location] {label} ({coords})" if label else f"[location] {coords}"
    if content.HasField("contactMessage"):
        return f"[contact] {content.contactMessage.displayName}"
    if content.HasField("contactsArrayMessage"):
        return f"[contacts] {content.contactsArrayMessage.displayName}"
    for name in ("pollCreationMessage", "pollCreationMessageV2", "pollCreationMessageV3"):
        if content.HasField(name):
            poll = getattr(content, name)
            options = ", ".join(o.optionName for o in poll.options)
            return f"[poll] {poll.name}: {options}" if options else f"[poll] {poll.name}"
    return ""


def _media_part(content: Any) -> tuple[str, MediaKind] | None:
    for name, kind in _MEDIA_FIELDS.items():
        if content.HasField(name):
            return name, kind
    return None


def _context_info(content: Any) -> Any | None:
    for field, value in content.ListFields():
        has_context = field.message_type is not None and (
            "contextInfo" in field.message_type.fields_by_name
        )
        if has_context and value.HasField("contextInfo"):
            return value.contextInfo
    return None


def media_locator(field_name: str, part: Any) -> str:
    """A compact serialized ``Message`` holding only what ``download_any`` needs."""
    slim = type(part)()
    slim.CopyFrom(part)
    for heavy in ("contextInfo", "JPEGThumbnail", "pngThumbnail", "streamingSidecar", "waveform"):
        if heavy in slim.DESCRIPTOR.fields_by_name:
            slim.ClearField(heavy)
    holder = wa.Message()
    getattr(holder, field_name).CopyFrom(slim)
    return base64.b64encode(holder.SerializeToString()).decode("ascii")


def message_from_locator(locator: str) -> Any:
    """The ``Message`` stored in a :class:`MediaRef` locator; ValueError when it is not one."""
    try:
        message = wa.Message.FromString(base64.b64decode(locator, validate=True))
    except (binascii.Error, ValueError, DecodeError) as exc:
        raise ValueError("not a neonize media locator") from exc
    if _media_part(message) is None:
        raise ValueError("media locator holds no attachment")
    return message


def media_ref(content: Any) -> MediaRef | None:
    found = _media_part(content)
    if found is None:
        return None
    name, kind = found
    part = getattr(content, name)
    filename = str(part.fileName) if kind is MediaKind.DOCUMENT and part.fileName else None
    return MediaRef(
        kind=kind,
        mimetype=str(part.mimetype) or _DEFAULT_MIMETYPES[kind],
        locator=media_locator(name, part),
        filename=filename,
        size=int(part.fileLength) if part.fileLength else None,
        voice_note=bool(kind is MediaKind.AUDIO and part.PTT),
    )


def translate_message(
    session_id: str, ev: Any, *, now: datetime | None = None
) -> MessageReceived | None:
    """A neonize ``Message`` event as :class:`MessageReceived`; None for other traffic."""
    info, source = ev.Info, ev.Info.MessageSource
    chat_raw = jid_str(source.Chat) or ""
    if chat_raw == STATUS_BROADCAST or chat_raw.endswith("@newsletter"):
        return None
    content = unwrap(ev.Message)
    fields = _content_fields(content)
    if not fields or all(name in _SILENT for name in fields):
        return None
    sender_jid = _pick(USER_SERVER, source.Sender, source.SenderAlt)
    sender_lid = _pick(LID_SERVER, source.Sender, source.SenderAlt)
    peer_phone = _pick(USER_SERVER, source.RecipientAlt) if source.IsFromMe else sender_jid
    chat = _chat_of(source, peer_phone)
    if chat is None:
        return None
    text = message_text(content)
    media = media_ref(content)
    if not text and media is None:
        unknown = next(name for name in fields if name not in _SILENT)
        text = f"[unsupported message: {unknown}]"
    context = _context_info(content)
    quoted = str(context.stanzaID) if context is not None and context.stanzaID else None
    return MessageReceived(
        session_id=session_id,
        message_id=str(info.ID),
        chat=chat,
        sender_jid=sender_jid,
        sender_lid=sender_lid,
        push_name=str(info.Pushname),
        timestamp=from_millis(int(info.Timestamp), now=now),
        text=text,
        from_me=bool(source.IsFromMe),
        is_group=bool(source.IsGroup) or chat.endswith("@" + GROUP_SERVER),
        media=media,
        quoted_id=quoted,
    )


def quotable(ev: Any) -> tuple[str | None, Any]:
    """(participant JID, content without its own context) to quote this message later."""
    source = ev.Info.MessageSource
    participant = _pick(USER_SERVER, source.Sender, source.SenderAlt) or _pick(
        LID_SERVER, source.Sender, source.SenderAlt
    )
    return participant, strip_context(unwrap(ev.Message))


def strip_context(content: Any) -> Any:
    copy = wa.Message()
    copy.CopyFrom(content)
    for _, value in copy.ListFields():
        if hasattr(value, "DESCRIPTOR") and "contextInfo" in value.DESCRIPTOR.fields_by_name:
            value.ClearField("contextInfo")
    return copy


# --- receipts, presence, connection events ---------------------------------------------------

_RECEIPT_KINDS: dict[int, ReceiptKind] = {
    npb.Receipt.DELIVERED: ReceiptKind.DELIVERED,
    npb.Receipt.READ: ReceiptKind.READ,
    npb.Receipt.PLAYED: ReceiptKind.PLAYED,
    # SERVER_ERROR is whatsmeow's played-self in neonize 0.5.2 (our other device played it);
    # READ_SELF, SENDER, RETRY, INACTIVE, PEER_MSG, HISTORY_SYNC say nothing about the peer.
}


def translate_receipt(
    session_id: str, ev: Any, *, now: datetime | None = None
) -> ReceiptReceived | None:
    if not ev.HasField("Type") or ev.MessageSource.IsFromMe:
        return None
    kind = _RECEIPT_KINDS.get(ev.Type)
    source = ev.MessageSource
    peer = _pick(USER_SERVER, source.Sender, source.SenderAlt)
    chat = _chat_of(source, peer)
    if kind is None or chat is None or not ev.MessageIDs:
        return None
    return ReceiptReceived(
        session_id=session_id,
        kind=kind,
        chat=chat,
        message_ids=tuple(str(i) for i in ev.MessageIDs),
        timestamp=from_seconds(int(ev.Timestamp), now=now),
    )


def translate_chat_presence(session_id: str, ev: Any) -> ChatPresenceChanged | None:
    if not ev.HasField("State"):
        return None
    source = ev.MessageSource
    chat = _chat_of(source, _pick(USER_SERVER, source.Sender, source.SenderAlt))
    if chat is None:
        return None
    composing = ev.State == npb.ChatPresence.COMPOSING
    recording = composing and ev.HasField("Media") and ev.Media == npb.ChatPresence.AUDIO
    return ChatPresenceChanged(
        session_id=session_id, chat=chat, typing=composing and not recording, recording=recording
    )


def connected_event(session_id: str, me: Any) -> Connected | None:
    """:class:`Connected` from neonize's ``Device`` (``client.me``); None if it has no JID."""
    if me is None or not me.HasField("JID"):
        return None
    jid = jid_str(me.JID)
    phone = jid_to_phone(jid) if jid else None
    if jid is None or phone is None:
        return None
    return Connected(
        session_id=session_id,
        phone=phone,
        push_name=str(me.PushName),
        jid=phones.to_jid(phone),
    )


_LOGOUT_REASONS = {
    npb.LOGGED_OUT: "the device was unlinked from the phone",
    npb.MAIN_DEVICE_GONE: "the phone's WhatsApp account is gone (reinstalled or deleted)",
    npb.UNKNOWN_LOGOUT: "WhatsApp ended the session for an unknown reason",
}
_RETRYABLE_FAILURES = frozenset({npb.INTERNAL_SERVER_ERROR, npb.SERVICE_UNAVAILABLE})


def _reason_name(value: int) -> str:
    try:
        return str(npb.ConnectFailureReason.Name(value)).lower()
    except ValueError:
        return f"reason {value}"


def translate_logged_out(session_id: str, ev: Any) -> LoggedOut:
    reason = _LOGOUT_REASONS.get(ev.Reason, f"logged out by WhatsApp ({_reason_name(ev.Reason)})")
    if ev.OnConnect:
        reason += " (refused at connect)"
    # Refused at connect is what a restart against a forgotten device looks like, too: not
    # proof that the phone unlinked it, so the manager keeps the saved session.
    return LoggedOut(session_id=session_id, reason=reason, unlinked=not ev.OnConnect)


def translate_disconnected(session_id: str, ev: Any) -> Disconnected:
    return Disconnected(
        session_id=session_id, reason="connection lost; the engine is reconnecting", will_retry=True
    )


def translate_stream_replaced(session_id: str, ev: Any) -> Disconnected:
    return Disconnected(
        session_id=session_id,
        reason="the session was opened by another client (stream replaced); this one stopped",
        will_retry=False,
    )


def translate_keepalive_timeout(session_id: str, ev: Any) -> Disconnected:
    return Disconnected(
        session_id=session_id,
        reason=f"keepalive timeout ({ev.ErrorCount} missed); waiting for the link to recover",
        will_retry=True,
    )


def translate_temporary_ban(session_id: str, ev: Any) -> Disconnected:
    code = "unknown"
    if ev.HasField("Code"):
        code = npb.TemporaryBan.TempBanReason.Name(ev.Code).lower()
    return Disconnected(
        session_id=session_id,
        reason=f"temporarily banned by WhatsApp ({code}); the ban expires in {ev.Expire} s",
        will_retry=False,
    )


def translate_connect_failure(session_id: str, ev: Any) -> Disconnected:
    retry = ev.Reason in _RETRYABLE_FAILURES
    detail = f": {ev.Message}" if ev.Message else ""
    return Disconnected(
        session_id=session_id,
        reason=f"WhatsApp refused the connection ({_reason_name(ev.Reason)}){detail}",
        will_retry=retry,
    )


def translate_client_outdated(session_id: str, ev: Any) -> Disconnected:
    return Disconnected(
        session_id=session_id,
        reason="WhatsApp rejected this client version as outdated; upgrade neonize",
        will_retry=False,
    )


def translate_stream_error(session_id: str, ev: Any) -> Disconnected:
    return Disconnected(
        session_id=session_id,
        reason=f"stream error {ev.Code or 'unknown'}; the engine is reconnecting",
        will_retry=True,
    )


def translate_pair_status(session_id: str, ev: Any) -> StoreChanged | None:
    """A successful pairing wrote the device identity: snapshot it now."""
    if ev.HasField("Status") and ev.Status == npb.PairStatus.SUCCESS:
        return StoreChanged(session_id=session_id)
    return None


# --- QR phase -------------------------------------------------------------------------------


def qr_issued(session_id: str, data: bytes, index: int, now: datetime) -> QrCodeIssued:
    """The ``index``-th code (0-based) of one QR phase: 60 s for the first, 20 s after."""
    seconds = FIRST_QR_SECONDS if index == 0 else NEXT_QR_SECONDS
    return QrCodeIssued(
        session_id=session_id,
        code=data.decode("utf-8", errors="replace"),
        expires_at=now + timedelta(seconds=seconds),
    )


_LOGIN_ERRORS = {
    "err-client-outdated": "WhatsApp rejected this client version as outdated; upgrade neonize",
    "err-scanned-without-multidevice": "the QR was scanned by a phone without multi-device",
    "err-unexpected-state": "the connection changed state unexpectedly during pairing",
    "error": "pairing failed",
}


@dataclass(frozen=True, slots=True)
class QrPhase:
    """What the driver knows about the QR phase when neonize reports its end."""

    codes_issued: int
    last_expires_at: datetime | None


def login_status_event(
    session_id: str, status: str, phase: QrPhase, now: datetime
) -> GatewayEvent | None:
    """Map neonize's login-status callback to a gateway event (None: nothing to report).

    whatsmeow reports ``timeout`` both when every code expired and when the connection dropped
    during the QR phase; the codes' expiry tells the two apart.
    """
    if status == "success":
        return StoreChanged(session_id=session_id)
    if status == "timeout":
        expired = phase.last_expires_at is not None and now >= phase.last_expires_at - timedelta(
            seconds=5
        )
        if phase.codes_issued and expired:
            return QrTimedOut(session_id=session_id)
        return Disconnected(
            session_id=session_id,
            reason="connection lost while waiting for the QR code to be scanned",
            will_retry=False,
        )
    if status.startswith("err") or status == "error":
        reason = _LOGIN_ERRORS.get(status, f"pairing failed ({status})")
        return Disconnected(session_id=session_id, reason=reason, will_retry=False)
    return None  # passkey-request / passkey-confirmation and future informational events


def ends_qr_phase(status: str) -> bool:
    """Whether this login status closes the QR phase without a paired device."""
    return status == "timeout" or status.startswith("err") or status == "error"


# --- outbound -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Quote:
    """What a reply needs to render the quoted message on the recipient's phone."""

    message_id: str
    participant: str | None = None
    content: Any = None


def quote_context(quote: Quote) -> Any:
    ctx = wa.ContextInfo(stanzaID=quote.message_id)
    if quote.participant:
        ctx.participant = quote.participant
    if quote.content is not None:
        ctx.quotedMessage.CopyFrom(quote.content)
    return ctx


def build_text_message(text: str, quote: Quote | None = None) -> Any:
    """Plain ``conversation`` text, or ``extendedTextMessage`` when quoting."""
    if quote is None:
        return wa.Message(conversation=text)
    return wa.Message(
        extendedTextMessage=wa.ExtendedTextMessage(text=text, contextInfo=quote_context(quote))
    )


_MEDIA_BUILD: dict[MediaKind, tuple[str, Any]] = {
    MediaKind.IMAGE: ("imageMessage", wa.ImageMessage),
    MediaKind.VIDEO: ("videoMessage", wa.VideoMessage),
    MediaKind.AUDIO: ("audioMessage", wa.AudioMessage),
    MediaKind.DOCUMENT: ("documentMessage", wa.DocumentMessage),
    MediaKind.STICKER: ("stickerMessage", wa.StickerMessage),
}


def build_media_message(
    media: OutboundMedia,
    upload: Any,
    *,
    quote: Quote | None = None,
    seconds: int | None = None,
    now: datetime | None = None,
) -> Any:
    """The ``Message`` for an uploaded attachment (``upload`` is neonize's UploadResponse)."""
    field_name, cls = _MEDIA_BUILD[media.kind]
    part = cls(
        URL=upload.url,
        directPath=upload.DirectPath,
        mediaKey=upload.MediaKey,
        fileEncSHA256=upload.FileEncSHA256,
        fileSHA256=upload.FileSHA256,
        fileLength=upload.FileLength,
        mimetype=media.mimetype,
        mediaKeyTimestamp=int((now or datetime.now(UTC)).timestamp()),
    )
    if media.caption and "caption" in part.DESCRIPTOR.fields_by_name:
        part.caption = media.caption
    if media.kind is MediaKind.DOCUMENT:
        name = media.filename or "file"
        part.fileName = name
        part.title = name
    if media.kind is MediaKind.AUDIO:
        part.PTT = media.voice_note
    if seconds is not None and "seconds" in part.DESCRIPTOR.fields_by_name:
        part.seconds = seconds
    if quote is not None:
        part.contextInfo.CopyFrom(quote_context(quote))
    message = wa.Message()
    getattr(message, field_name).CopyFrom(part)
    return message


def media_type_name(kind: MediaKind) -> str:
    """The name of neonize's ``MediaType`` member to upload this kind with."""
    return {
        MediaKind.IMAGE: "MediaImage",
        MediaKind.STICKER: "MediaImage",
        MediaKind.VIDEO: "MediaVideo",
        MediaKind.AUDIO: "MediaAudio",
        MediaKind.DOCUMENT: "MediaDocument",
    }[kind]
