"""Random identifiers shaped like WhatsApp's, and the simulator's clock."""

from __future__ import annotations

import base64
import secrets
from datetime import UTC, datetime

# whatsmeow's alphabet for linking codes: no 0/O/I/U, so codes survive being read aloud.
PAIRING_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTVWXYZ"


def _b64(size: int) -> str:
    return base64.b64encode(secrets.token_bytes(size)).decode()


def new_qr_text() -> str:
    """ "2@<ref>,<noise key>,<identity key>,<adv secret>", as the phone scans it."""
    return ",".join(["2@" + _b64(48), _b64(32), _b64(32), _b64(32)])


def new_pairing_code() -> str:
    chars = "".join(secrets.choice(PAIRING_ALPHABET) for _ in range(8))
    return f"{chars[:4]}-{chars[4:]}"


def normalize_pairing_code(code: str) -> str:
    return code.replace("-", "").replace(" ", "").upper()


def new_message_id() -> str:
    return "3EB0" + secrets.token_hex(9).upper()


def new_device_id() -> str:
    return "dev_" + secrets.token_hex(8)


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def new_media_id() -> str:
    return "media_" + secrets.token_hex(12)


def new_event_key() -> str:
    return secrets.token_hex(8)


def new_lid_user() -> str:
    """LIDs are opaque numbers unrelated to the phone number."""
    return str(10**14 + secrets.randbelow(9 * 10**14))


def utc_now() -> datetime:
    """Millisecond precision, like the timestamps the engines report."""
    now = datetime.now(UTC)
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


def iso(moment: datetime) -> str:
    return moment.isoformat()


def parse_iso(text: str) -> datetime:
    return datetime.fromisoformat(text)
