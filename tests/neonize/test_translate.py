"""The neonize translation layer, fed real neonize protobuf events (no client, no network)."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta

import pytest
from neonize.events import (
    ChatPresenceEv,
    ConnectedEv,
    ConnectFailureEv,
    DisconnectedEv,
    KeepAliveTimeoutEv,
    LoggedOutEv,
    MessageEv,
    PairStatusEv,
    ReceiptEv,
    StreamReplacedEv,
    TemporaryBanEv,
)
from neonize.proto import Neonize_pb2 as npb
from neonize.proto.waE2E import WAWebProtobufsE2E_pb2 as wa

from whatsapp_saas.whatsapp.drivers import neonize_translate as tr
from whatsapp_saas.whatsapp.gateway import (
    ChatPresenceChanged,
    Connected,
    Disconnected,
    InvalidRecipient,
    LoggedOut,
    MediaKind,
    MessageReceived,
    OutboundMedia,
    QrCodeIssued,
    QrTimedOut,
    ReceiptKind,
    StoreChanged,
)

SID = "42"
PHONE = "5511999990000"
PN = f"{PHONE}@s.whatsapp.net"
LID = "123456789012345@lid"
ME = "5511888880000@s.whatsapp.net"
GROUP = "120363000000000000@g.us"
TS_MS = 1_700_000_000_123
NOW = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


def jid(value: str | None) -> npb.JID:
    """A JID encoded the way neonize's Go side encodes it (every field set)."""
    if not value:
        return npb.JID(User="", Server="", RawAgent=0, Device=0, Integrator=0, IsEmpty=True)
    user, _, server = value.partition("@")
    user, _, device = user.partition(":")
    return npb.JID(
        User=user,
        Server=server,
        RawAgent=0,
        Device=int(device or 0),
        Integrator=0,
        IsEmpty=False,
    )


def source(
    chat: str,
    sender: str,
    *,
    sender_alt: str | None = None,
    recipient_alt: str | None = None,
    from_me: bool = False,
    group: bool = False,
) -> npb.MessageSource:
    return npb.MessageSource(
        Chat=jid(chat),
        Sender=jid(sender),
        SenderAlt=jid(sender_alt),
        RecipientAlt=jid(recipient_alt),
        IsFromMe=from_me,
        IsGroup=group,
    )


def message_ev(
    content: wa.Message,
    src: npb.MessageSource | None = None,
    *,
    msg_id: str = "3EB0ABCDEF",
    timestamp: int = TS_MS,
) -> MessageEv:
    info = npb.MessageInfo(
        MessageSource=src or source(PN, PN),
        ID=msg_id,
        Pushname="Ana",
        Timestamp=timestamp,
        Type="text",
    )
    return MessageEv(Info=info, Message=content)


def media_fields(**extra: object) -> dict[str, object]:
    return {
        "URL": "https://mmg.whatsapp.net/x",
        "directPath": "/v/t62/x",
        "mediaKey": b"k" * 32,
        "fileSHA256": b"s" * 32,
        "fileEncSHA256": b"e" * 32,
        **extra,
    }


# --- inbound messages -----------------------------------------------------------------------


def test_plain_text_from_a_phone_jid() -> None:
    event = tr.translate_message(SID, message_ev(wa.Message(conversation="Oi, tudo bem?")))

    assert event == MessageReceived(
        session_id=SID,
        message_id="3EB0ABCDEF",
        chat=PN,
        sender_jid=PN,
        sender_lid=None,
        push_name="Ana",
        timestamp=datetime(2023, 11, 14, 22, 13, 20, 123000, tzinfo=UTC),
        text="Oi, tudo bem?",
    )
    assert event.timestamp.tzinfo is UTC


def test_timestamps_are_milliseconds_and_a_zero_time_is_replaced() -> None:
    ev = message_ev(wa.Message(conversation="x"), timestamp=-62135596800000)  # Go zero time
    event = tr.translate_message(SID, ev, now=NOW)
    assert event is not None and event.timestamp == NOW


def test_quoted_reply_reports_the_stanza_id() -> None:
    content = wa.Message(
        extendedTextMessage=wa.ExtendedTextMessage(
            text="sim",
            contextInfo=wa.ContextInfo(
                stanzaID="3EB0QUOTED",
                participant=PN,
                quotedMessage=wa.Message(conversation="pode ser amanhã?"),
            ),
        )
    )
    event = tr.translate_message(SID, message_ev(content))
    assert event is not None
    assert (event.text, event.quoted_id) == ("sim", "3EB0QUOTED")


def test_image_with_caption_becomes_a_media_ref_that_round_trips() -> None:
    image = wa.ImageMessage(
        mimetype="image/jpeg",
        caption="comprovante",
        fileLength=48213,
        JPEGThumbnail=b"\xff\xd8" * 500,
        contextInfo=wa.ContextInfo(stanzaID="Q1"),
        **media_fields(),
    )
    event = tr.translate_message(SID, message_ev(wa.Message(imageMessage=image)))
    assert event is not None and event.media is not None
    assert event.text == "comprovante"
    assert event.quoted_id == "Q1"
    ref = event.media
    assert (ref.kind, ref.mimetype, ref.size, ref.voice_note) == (
        MediaKind.IMAGE,
        "image/jpeg",
        48213,
        False,
    )
    stored = tr.message_from_locator(ref.locator)
    assert stored.imageMessage.directPath == "/v/t62/x"
    assert stored.imageMessage.mediaKey == b"k" * 32
    assert not stored.imageMessage.JPEGThumbnail  # the locator stays small
    assert not stored.imageMessage.HasField("contextInfo")


def test_voice_note_is_audio_with_voice_note_flag() -> None:
    audio = wa.AudioMessage(
        mimetype="audio/ogg; codecs=opus", PTT=True, seconds=7, fileLength=9000, **media_fields()
    )
    event = tr.translate_message(SID, message_ev(wa.Message(audioMessage=audio)))
    assert event is not None and event.media is not None
    assert event.media.kind is MediaKind.AUDIO
    assert event.media.voice_note is True
    assert event.text == ""


def test_document_keeps_its_file_name_and_caption() -> None:
    doc = wa.DocumentMessage(
        mimetype="application/pdf",
        fileName="boleto.pdf",
        caption="segue o boleto",
        fileLength=120_000,
        **media_fields(),
    )
    # Documents with a caption arrive wrapped; the wrapper is unwrapped.
    content = wa.Message(
        documentWithCaptionMessage=wa.FutureProofMessage(message=wa.Message(documentMessage=doc))
    )
    event = tr.translate_message(SID, message_ev(content))
    assert event is not None and event.media is not None
    assert event.media.kind is MediaKind.DOCUMENT
    assert event.media.filename == "boleto.pdf"
    assert event.text == "segue o boleto"


def test_lid_sender_with_phone_alt_reports_both_and_chats_by_phone() -> None:
    src = source(LID, f"{LID.split('@')[0]}:3@lid", sender_alt=PN)
    event = tr.translate_message(SID, message_ev(wa.Message(conversation="oi"), src))
    assert event is not None
    assert event.sender_lid == LID  # device part dropped
    assert event.sender_jid == PN
    assert event.chat == PN


def test_lid_sender_without_phone_keeps_the_lid_chat() -> None:
    src = source(LID, LID)
    event = tr.translate_message(SID, message_ev(wa.Message(conversation="oi"), src))
    assert event is not None
    assert (event.chat, event.sender_jid, event.sender_lid) == (LID, None, LID)


def test_group_message_keeps_the_group_chat_and_the_participant() -> None:
    src = source(GROUP, f"{PHONE}:12@s.whatsapp.net", sender_alt=LID, group=True)
    event = tr.translate_message(SID, message_ev(wa.Message(conversation="bom dia"), src))
    assert event is not None
    assert event.is_group is True
    assert event.chat == GROUP
    assert (event.sender_jid, event.sender_lid) == (PN, LID)


def test_message_sent_from_the_phone_is_from_me_in_the_peers_chat() -> None:
    src = source(LID, ME, recipient_alt=PN, from_me=True)
    event = tr.translate_message(SID, message_ev(wa.Message(conversation="já enviei"), src))
    assert event is not None
    assert event.from_me is True
    assert event.chat == PN
    assert event.sender_jid == ME


@pytest.mark.parametrize(
    "content",
    [
        wa.Message(protocolMessage=wa.ProtocolMessage(type=wa.ProtocolMessage.REVOKE)),
        wa.Message(reactionMessage=wa.ReactionMessage(text="👍")),
        wa.Message(
            senderKeyDistributionMessage=wa.SenderKeyDistributionMessage(groupID=GROUP),
        ),
        wa.Message(),
    ],
    ids=["protocol", "reaction", "sender-key", "empty"],
)
def test_non_conversation_traffic_is_not_a_message(content: wa.Message) -> None:
    assert tr.translate_message(SID, message_ev(content)) is None


def test_status_updates_are_not_inbox_messages() -> None:
    src = source(tr.STATUS_BROADCAST, PN)
    assert tr.translate_message(SID, message_ev(wa.Message(conversation="x"), src)) is None


def test_ephemeral_and_view_once_wrappers_are_unwrapped() -> None:
    inner = wa.Message(conversation="some em 24h")
    content = wa.Message(ephemeralMessage=wa.FutureProofMessage(message=inner))
    event = tr.translate_message(SID, message_ev(content))
    assert event is not None and event.text == "some em 24h"


def test_location_and_unknown_content_get_a_readable_text() -> None:
    loc = wa.Message(
        locationMessage=wa.LocationMessage(degreesLatitude=-23.5, degreesLongitude=-46.6)
    )
    event = tr.translate_message(SID, message_ev(loc))
    assert event is not None and event.text == "[location] -23.500000,-46.600000"
    odd = wa.Message(groupInviteMessage=wa.GroupInviteMessage(groupName="x"))
    event = tr.translate_message(SID, message_ev(odd))
    assert event is not None and event.text == "[unsupported message: groupInviteMessage]"


# --- receipts -------------------------------------------------------------------------------


def receipt(kind: int | None, *, from_me: bool = False, ts: int = 1_700_000_100) -> ReceiptEv:
    ev = ReceiptEv(
        MessageSource=source(PN, PN, from_me=from_me), MessageIDs=["A", "B"], Timestamp=ts
    )
    if kind is not None:
        ev.Type = kind
    return ev


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        (npb.Receipt.DELIVERED, ReceiptKind.DELIVERED),
        (npb.Receipt.READ, ReceiptKind.READ),
        (npb.Receipt.PLAYED, ReceiptKind.PLAYED),
    ],
)
def test_peer_receipts_map_to_delivery_states(kind: int, expected: ReceiptKind) -> None:
    event = tr.translate_receipt(SID, receipt(kind))
    assert event is not None
    assert (event.kind, event.chat, event.message_ids) == (expected, PN, ("A", "B"))
    assert event.timestamp == datetime(2023, 11, 14, 22, 15, tzinfo=UTC)  # seconds, not ms


@pytest.mark.parametrize(
    "kind",
    [
        None,  # unset: reads as DELIVERED (first enum value) but is a type neonize doesn't know
        npb.Receipt.SERVER_ERROR,  # neonize 0.5.2's encoding of played-self
        npb.Receipt.READ_SELF,
        npb.Receipt.SENDER,
        npb.Receipt.RETRY,
        npb.Receipt.INACTIVE,
        npb.Receipt.PEER_MSG,
        npb.Receipt.HISTORY_SYNC,
    ],
)
def test_receipts_that_say_nothing_about_the_peer_are_dropped(kind: int | None) -> None:
    ev = receipt(kind)
    if kind is None:
        assert ev.Type == npb.Receipt.DELIVERED  # the trap this guards against
    assert tr.translate_receipt(SID, ev) is None


def test_receipts_from_our_own_devices_are_dropped() -> None:
    assert tr.translate_receipt(SID, receipt(npb.Receipt.READ, from_me=True)) is None


def test_receipt_from_a_lid_is_reported_in_the_phone_chat() -> None:
    ev = ReceiptEv(
        MessageSource=source(LID, LID, sender_alt=PN),
        MessageIDs=["A"],
        Timestamp=1,
        Type=npb.Receipt.READ,
    )
    event = tr.translate_receipt(SID, ev)
    assert event is not None and event.chat == PN


# --- presence and connection events ---------------------------------------------------------


def test_chat_presence() -> None:
    typing = ChatPresenceEv(
        MessageSource=source(PN, PN),
        State=npb.ChatPresence.COMPOSING,
        Media=npb.ChatPresence.TEXT,
    )
    recording = ChatPresenceEv(
        MessageSource=source(PN, PN),
        State=npb.ChatPresence.COMPOSING,
        Media=npb.ChatPresence.AUDIO,
    )
    paused = ChatPresenceEv(MessageSource=source(PN, PN), State=npb.ChatPresence.PAUSED)
    assert tr.translate_chat_presence(SID, typing) == ChatPresenceChanged(SID, PN, True, False)
    assert tr.translate_chat_presence(SID, recording) == ChatPresenceChanged(SID, PN, False, True)
    assert tr.translate_chat_presence(SID, paused) == ChatPresenceChanged(SID, PN, False, False)


def test_connected_from_the_device_record() -> None:
    me = npb.Device(JID=jid(f"{PHONE}:7@s.whatsapp.net"), PushName="Loja", Initialized=True)
    assert ConnectedEv(status=True).status
    assert tr.connected_event(SID, me) == Connected(SID, f"+{PHONE}", "Loja", PN)
    assert tr.connected_event(SID, npb.Device()) is None


def test_logged_out_reasons() -> None:
    unlinked = tr.translate_logged_out(SID, LoggedOutEv(OnConnect=False, Reason=npb.LOGGED_OUT))
    assert unlinked == LoggedOut(SID, "the device was unlinked from the phone")
    at_connect = tr.translate_logged_out(
        SID, LoggedOutEv(OnConnect=True, Reason=npb.MAIN_DEVICE_GONE)
    )
    assert "refused at connect" in at_connect.reason
    # Refused at connect is not proof that the phone unlinked it: the snapshot is kept.
    assert unlinked.unlinked is True and at_connect.unlinked is False


def test_disconnect_like_events() -> None:
    assert tr.translate_disconnected(SID, DisconnectedEv(status=True)).will_retry is True
    assert tr.translate_keepalive_timeout(SID, KeepAliveTimeoutEv(ErrorCount=3)).will_retry
    replaced = tr.translate_stream_replaced(SID, StreamReplacedEv())
    assert replaced.will_retry is False and "another client" in replaced.reason
    ban = tr.translate_temporary_ban(
        SID, TemporaryBanEv(Code=npb.TemporaryBan.SEND_TO_TOO_MANY_PEOPLE, Expire=3600)
    )
    assert ban.will_retry is False
    assert "send_to_too_many_people" in ban.reason and "3600" in ban.reason
    busy = tr.translate_connect_failure(SID, ConnectFailureEv(Reason=npb.SERVICE_UNAVAILABLE))
    assert busy.will_retry is True
    agent = tr.translate_connect_failure(SID, ConnectFailureEv(Reason=npb.BAD_USER_AGENT))
    assert agent.will_retry is False


def test_pairing_success_means_the_store_changed() -> None:
    ok = PairStatusEv(ID=jid(PN), Status=npb.PairStatus.SUCCESS)
    failed = PairStatusEv(Status=npb.PairStatus.ERROR, Error="x")
    assert tr.translate_pair_status(SID, ok) == StoreChanged(SID)
    assert tr.translate_pair_status(SID, failed) is None


# --- QR phase -------------------------------------------------------------------------------


def test_qr_codes_expire_after_60_then_20_seconds() -> None:
    first = tr.qr_issued(SID, b"2@ref,noise,identity,adv", 0, NOW)
    second = tr.qr_issued(SID, b"2@ref2,noise,identity,adv", 1, NOW)
    assert first == QrCodeIssued(SID, "2@ref,noise,identity,adv", NOW + timedelta(seconds=60))
    assert second.expires_at == NOW + timedelta(seconds=20)


def test_login_status_mapping() -> None:
    expired = tr.QrPhase(codes_issued=6, last_expires_at=NOW - timedelta(seconds=1))
    early = tr.QrPhase(codes_issued=1, last_expires_at=NOW + timedelta(seconds=40))
    assert tr.login_status_event(SID, "timeout", expired, NOW) == QrTimedOut(SID)
    dropped = tr.login_status_event(SID, "timeout", early, NOW)
    assert isinstance(dropped, Disconnected) and dropped.will_retry is False
    outdated = tr.login_status_event(SID, "err-client-outdated", early, NOW)
    assert isinstance(outdated, Disconnected) and "outdated" in outdated.reason
    assert tr.login_status_event(SID, "success", early, NOW) == StoreChanged(SID)
    assert tr.login_status_event(SID, "passkey-request", early, NOW) is None
    assert tr.ends_qr_phase("timeout") and tr.ends_qr_phase("err-unexpected-state")
    assert not tr.ends_qr_phase("success")


# --- JIDs and phone numbers -----------------------------------------------------------------


def test_phone_and_jid_helpers() -> None:
    assert tr.phone_digits("+55 (11) 99999-0000") == PHONE
    assert tr.phone_to_jid("+5511999990000") == PN
    assert tr.jid_to_phone(PN) == f"+{PHONE}"
    assert tr.jid_to_phone(f"{PHONE}:3@s.whatsapp.net") == f"+{PHONE}"
    assert tr.jid_to_phone(LID) is None and tr.jid_to_phone(GROUP) is None
    assert tr.normalize_recipient("+5511999990000") == PN
    assert tr.normalize_recipient(f"{PHONE}@c.us") == PN
    assert tr.normalize_recipient(f"{PHONE}:4@s.whatsapp.net") == PN
    assert tr.normalize_recipient(GROUP) == GROUP
    assert tr.normalize_recipient(LID) == LID


def test_phones_follow_the_one_phone_module() -> None:
    """The driver reads numbers by ``phones.py``'s rules, not rules of its own."""
    from whatsapp_saas import phones

    for typed in ("+55 11 98765-4321", "5511987654321", "+1 (202) 555-0143"):
        assert "+" + tr.phone_digits(typed) == phones.to_e164(typed, None, valid=False)
    assert tr.jid_to_phone(f"{PHONE}.0:2@c.us") == f"+{PHONE}"
    for impossible in ("+55 11", "+999 1234567", "5511999990000@s.whatsapp.net"):
        with pytest.raises(InvalidRecipient):
            tr.phone_digits(impossible)


@pytest.mark.parametrize(
    "bad", ["", "abc", "+0011999", "123", "x@s.whatsapp.net", "status@broadcast", "1@newsletter"]
)
def test_invalid_recipients_are_rejected(bad: str) -> None:
    with pytest.raises(InvalidRecipient):
        tr.normalize_recipient(bad)


def test_proto_jids_have_every_field_set() -> None:
    proto = tr.to_proto_jid(PN)
    for name in ("User", "Server", "RawAgent", "Device", "Integrator", "IsEmpty"):
        assert proto.HasField(name), name  # the Go side dereferences every one
    assert tr.jid_str(proto) == PN


# --- outbound -------------------------------------------------------------------------------


def test_text_messages_are_plain_unless_quoting() -> None:
    assert tr.build_text_message("olá") == wa.Message(conversation="olá")
    quote = tr.Quote("3EB0Q", PN, wa.Message(conversation="qual o preço?"))
    reply = tr.build_text_message("R$ 10", quote)
    ctx = reply.extendedTextMessage.contextInfo
    assert reply.extendedTextMessage.text == "R$ 10"
    assert (ctx.stanzaID, ctx.participant) == ("3EB0Q", PN)
    assert ctx.quotedMessage.conversation == "qual o preço?"


def test_quotable_strips_nested_context() -> None:
    content = wa.Message(
        extendedTextMessage=wa.ExtendedTextMessage(
            text="oi", contextInfo=wa.ContextInfo(stanzaID="older")
        )
    )
    participant, quoted = tr.quotable(message_ev(content))
    assert participant == PN
    assert not quoted.extendedTextMessage.HasField("contextInfo")


def upload_response() -> npb.UploadResponse:
    return npb.UploadResponse(
        url="https://mmg.whatsapp.net/u",
        DirectPath="/v/t62/u",
        MediaKey=b"m" * 32,
        FileEncSHA256=b"e" * 32,
        FileSHA256=b"s" * 32,
        FileLength=1234,
    )


def test_media_messages_from_an_upload() -> None:
    voice = OutboundMedia(MediaKind.AUDIO, b"ogg", "audio/ogg; codecs=opus", voice_note=True)
    msg = tr.build_media_message(voice, upload_response(), seconds=4, now=NOW)
    assert msg.audioMessage.PTT is True
    assert msg.audioMessage.seconds == 4
    assert msg.audioMessage.mimetype == "audio/ogg; codecs=opus"
    assert msg.audioMessage.directPath == "/v/t62/u"
    doc = OutboundMedia(MediaKind.DOCUMENT, b"%PDF", "application/pdf", "nota.pdf", "sua nota")
    msg = tr.build_media_message(doc, upload_response(), quote=tr.Quote("Q9"))
    assert (msg.documentMessage.fileName, msg.documentMessage.caption) == ("nota.pdf", "sua nota")
    assert msg.documentMessage.contextInfo.stanzaID == "Q9"
    image = OutboundMedia(MediaKind.IMAGE, b"\xff\xd8", "image/jpeg", caption="foto")
    msg = tr.build_media_message(image, upload_response())
    assert msg.imageMessage.caption == "foto" and msg.imageMessage.fileLength == 1234


def test_bad_locators_are_rejected() -> None:
    with pytest.raises(ValueError):
        tr.message_from_locator("not base64!")
    empty = base64.b64encode(wa.Message(conversation="x").SerializeToString()).decode()
    with pytest.raises(ValueError):
        tr.message_from_locator(empty)
