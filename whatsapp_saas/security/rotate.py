"""Re-encrypt every stored secret under the current key.

Usage: put the new key in SESSION_ENCRYPTION_KEY and the old one(s) in
SESSION_ENCRYPTION_OLD_KEYS, then run ``python -m whatsapp_saas.security.rotate``. Rows that do
not decrypt are reported and left exactly as they were; the command then exits non-zero.
"""

from __future__ import annotations

import logging
import sys
from dataclasses import dataclass, field

from sqlmodel import Session, select

from whatsapp_saas.security.crypto import CryptoError, Keyring, needs_rotation, reencrypt
from whatsapp_saas.security.secrets import ENCRYPTED_COLUMNS, EncryptedColumn

log = logging.getLogger(__name__)


@dataclass
class RotationReport:
    rotated: int = 0
    current: int = 0
    failures: list[str] = field(default_factory=list)


def rotate_all(session: Session, *, keyring: Keyring) -> RotationReport:
    report = RotationReport()
    for column in ENCRYPTED_COLUMNS:
        _rotate_column(session, keyring, column, report)
    return report


def _rotate_column(
    session: Session, keyring: Keyring, column: EncryptedColumn, report: RotationReport
) -> None:
    for row in session.exec(select(column.model)).all():
        blob = getattr(row, column.column)
        if not blob:
            continue
        try:
            if not needs_rotation(keyring, blob):
                report.current += 1
                continue
            setattr(row, column.column, reencrypt(keyring, blob, column.associated_data(row)))
            report.rotated += 1
        except CryptoError as exc:
            report.failures.append(f"{column.model.__name__} {getattr(row, 'id', '?')}: {exc}")


def main() -> int:
    from whatsapp_saas.bootstrap import load_models
    from whatsapp_saas.db import session_scope
    from whatsapp_saas.security.crypto import keyring_from_settings

    logging.basicConfig(level=logging.INFO, format="%(message)s")
    load_models()
    keyring = keyring_from_settings()
    with session_scope() as session:
        report = rotate_all(session, keyring=keyring)
    log.info("re-encrypted %d, already current %d", report.rotated, report.current)
    for failure in report.failures:
        log.error("left untouched: %s", failure)
    return 1 if report.failures else 0


if __name__ == "__main__":
    sys.exit(main())
