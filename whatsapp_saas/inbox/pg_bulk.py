"""PostgreSQL fast paths for batch ingest: one statement per batch, whatever its size.

A multi-row VALUES insert of 500 messages has 15,000 parameters, which the driver has to
splice into the SQL text in Python; passing one array per column to ``unnest`` keeps the
statement tiny and the work in the server. Same for the counters: one ``UPDATE ... FROM
unnest(...)`` instead of one UPDATE per conversation. SQLite takes the portable paths.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from whatsapp_saas.inbox.models import ConversationStatus, Message

MESSAGES: sa.Table = Message.__table__  # type: ignore[attr-defined]


def _pg_array_type(column: sa.Column[Any]) -> str:
    kind = column.type
    if isinstance(kind, sa.BigInteger):
        return "bigint"
    if isinstance(kind, sa.Integer):
        return "integer"
    if isinstance(kind, sa.DateTime):
        return "timestamptz"
    if isinstance(kind, sa.Boolean):
        return "boolean"
    return "text"  # strings, and JSON (sent as text, cast back below)


def insert_messages(
    session: Session, *, rows: Sequence[dict[str, Any]]
) -> list[tuple[int, int, str]]:
    """INSERT ... SELECT FROM unnest(...) ON CONFLICT DO NOTHING; (id, number_id, wa id) back."""
    if not rows:
        return []
    names = list(rows[0])
    params: dict[str, Any] = {}
    arrays, selected = [], []
    for i, name in enumerate(names):
        column = MESSAGES.c[name]
        values = [row[name] for row in rows]
        if isinstance(column.type, sa.JSON):
            values = [json.dumps(v) for v in values]
            selected.append(f"{name}::json")
        else:
            selected.append(name)
        params[f"p{i}"] = values
        arrays.append(f"CAST(:p{i} AS {_pg_array_type(column)}[])")
    sql = (
        f"INSERT INTO messages ({', '.join(names)}) "
        f"SELECT {', '.join(selected)} FROM unnest({', '.join(arrays)}) AS v({', '.join(names)}) "
        "ON CONFLICT (number_id, wa_message_id) DO NOTHING "
        "RETURNING id, number_id, wa_message_id"
    )
    return [tuple(row) for row in session.execute(sa.text(sql), params).all()]  # type: ignore[misc]


BUMP_SQL = f"""
UPDATE conversations AS c SET
    last_message_preview = CASE WHEN c.last_message_at <= v.at THEN v.preview
                                ELSE c.last_message_preview END,
    last_message_at = GREATEST(c.last_message_at, v.at),
    unread_count = c.unread_count + v.unread,
    last_inbound_at = GREATEST(c.last_inbound_at, v.inbound_at),
    status = CASE WHEN v.inbound_at IS NOT NULL AND c.status = '{ConversationStatus.RESOLVED.value}'
                  THEN '{ConversationStatus.OPEN.value}' ELSE c.status END
FROM unnest(CAST(:ids AS integer[]), CAST(:ats AS timestamptz[]), CAST(:previews AS text[]),
            CAST(:unreads AS integer[]), CAST(:inbound AS timestamptz[]))
     AS v(id, at, preview, unread, inbound_at),
     -- The status before this update, read under the row lock (RETURNING shows only the new
     -- one): a resolved conversation a customer's message reopens is an opening.
     (SELECT id, status FROM conversations WHERE id = ANY(CAST(:ids AS integer[]))
      ORDER BY id FOR UPDATE) AS old
WHERE c.id = v.id AND old.id = c.id
RETURNING c.id, c.tenant_id, c.number_id, c.contact_id, c.status, c.assignee_id,
          c.department_id, c.unread_count, c.last_message_at, c.last_message_preview,
          old.status AS previous_status
"""


def bump_conversations(session: Session, *, bumps: Sequence[Any]) -> list[dict[str, Any]]:
    """All counter bumps of a batch in one UPDATE (GREATEST ignores NULLs in PostgreSQL)."""
    params = {
        "ids": [b.conversation_id for b in bumps],
        "ats": [b.at for b in bumps],
        "previews": [b.preview for b in bumps],
        "unreads": [b.unread for b in bumps],
        "inbound": [b.inbound_at for b in bumps],
    }
    return [dict(row._mapping) for row in session.execute(sa.text(BUMP_SQL), params).all()]
