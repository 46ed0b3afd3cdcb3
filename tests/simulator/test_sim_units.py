"""Small pure pieces: phone parsing, codes, backoff, the driver's store, the state file."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from whatsapp_saas import phones
from whatsapp_saas.simulator.ids import new_pairing_code, normalize_pairing_code, utc_now
from whatsapp_saas.simulator.model import Device, Media, Phone, Received
from whatsapp_saas.simulator.network import Network
from whatsapp_saas.simulator.persistence import restore, snapshot
from whatsapp_saas.simulator.protocol import decode, encode
from whatsapp_saas.whatsapp.drivers.simulator_session import Backoff
from whatsapp_saas.whatsapp.drivers.simulator_store import (
    Credentials,
    load_credentials,
    save_credentials,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("+5511999990000", "+5511999990000"),
        ("5511999990000", "+5511999990000"),
        ("5511999990000@s.whatsapp.net", "+5511999990000"),
        ("5511999990000:7@s.whatsapp.net", "+5511999990000"),
        ("123@g.us", None),
        ("hello", None),
        ("+1", None),
    ],
)
def test_parse_phone(raw: str, expected: str | None) -> None:
    assert phones.to_e164(raw, None, valid=False) == expected


def test_strict_parsing_rejects_unassigned_numbers() -> None:
    assert phones.to_e164("+15551234567", None, valid=False) == "+15551234567"
    assert phones.to_e164("+15551234567", None) is None


def test_jids_and_lids() -> None:
    assert phones.to_jid("+5511999990000") == "5511999990000@s.whatsapp.net"
    assert phones.parse_lid("42") == phones.parse_lid("42@lid") == "42@lid"
    assert phones.parse_lid("42@s.whatsapp.net") is None


def test_pairing_codes() -> None:
    code = new_pairing_code()
    assert len(code) == 9 and code[4] == "-"
    assert normalize_pairing_code(code.lower().replace("-", " ")) == code.replace("-", "")


def test_frames_batch_and_single() -> None:
    assert decode(encode([{"a": 1}])) == [{"a": 1}]
    assert decode(encode([{"a": 1}, {"b": 2}])) == [{"a": 1}, {"b": 2}]
    assert decode('[1, {"c": 3}]') == [{"c": 3}]


def test_backoff_grows_caps_and_jitters() -> None:
    backoff = Backoff(initial=1.0, cap=8.0)
    for attempt, base in [(0, 1.0), (1, 2.0), (3, 8.0), (10, 8.0), (500, 8.0)]:
        delays = {backoff.delay(attempt) for _ in range(20)}
        assert all(base / 2 <= d <= base for d in delays)
        assert len(delays) > 1


def test_store_roundtrip_is_private_and_atomic(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "store.json"
    creds = Credentials("dev_1", "s3cret", "+5511999990000", "Loja", "5511999990000@s.whatsapp.net")
    save_credentials(path, creds)
    assert load_credentials(path) == creds
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in path.parent.iterdir()] == ["store.json"]


def test_missing_empty_or_damaged_store_means_unpaired(tmp_path: Path) -> None:
    path = tmp_path / "store.json"
    assert load_credentials(path) is None
    path.write_text("")
    assert load_credentials(path) is None
    path.write_text("{not json")
    assert load_credentials(path) is None


def test_state_snapshot_roundtrip() -> None:
    net = Network()
    net.devices["d1"] = Device("d1", "s", "+5511999990000", "Loja", "s1", "SaaS")
    media = net.add_media(Media("m1", "image", "image/png", b"\x00\x01", "a.png"))
    phone = net.phone("+5511988887777")
    phone.inbox["X"] = Received("X", "+5511999990000", "hi", utc_now(), media, "Q")
    phone.duplicates = 2
    net.phone("+5511999990000").pending["k"] = {"type": "message", "id": "Y"}
    net.lids["1@lid"] = "+5511988887777"
    data = json.loads(json.dumps(snapshot(net)))

    again = Network()
    restore(again, data)
    assert again.devices == net.devices
    assert again.media["m1"].data == b"\x00\x01"
    assert again.phones["+5511988887777"].inbox["X"].to_api() == phone.inbox["X"].to_api()
    assert again.phones["+5511988887777"].duplicates == 2
    assert again.phones["+5511999990000"].pending == {"k": {"type": "message", "id": "Y"}}
    assert isinstance(again.phones["+5511999990000"], Phone)
    assert again.lids == net.lids
