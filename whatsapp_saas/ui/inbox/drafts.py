"""Unsent composer text, one draft per conversation, kept in the browser's localStorage.

The composer keeps a small JSON map ``{"owner": <hash of the user>, "drafts": {cid: text}}``
in one localStorage key. Switching conversations shows that conversation's draft (or an empty
box), so text typed for one customer can never be sent to another; a reload restores it. The
owner hash keeps one person's drafts from appearing for the next person who signs in on the
same browser. Only the most recent drafts are kept, so the map stays small.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

MAX_DRAFTS = 50
# Well above WhatsApp's 4096 per message: a longer text is kept as typed and the send is refused
# with a message (cutting it here would send a silently truncated text). Bounded, so 50 drafts
# stay far below the browser's localStorage quota.
MAX_DRAFT_CHARS = 20_000


def owner_of(email: str) -> str:
    """A short, stable tag for the signed-in user (no email address in localStorage)."""
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()[:16] if email else ""


def _load(stored: str, owner: str) -> dict[str, str]:
    try:
        data: Any = json.loads(stored or "{}")
    except ValueError:
        return {}
    if not isinstance(data, dict) or data.get("owner") != owner:
        return {}
    drafts = data.get("drafts")
    if not isinstance(drafts, dict):
        return {}
    return {str(k): v for k, v in drafts.items() if isinstance(v, str)}


def read(stored: str, owner: str, conversation_id: str) -> str:
    """The draft of one conversation, or "" (also for another user's map)."""
    if not owner or not conversation_id:
        return ""
    return _load(stored, owner).get(conversation_id, "")


def write(stored: str, owner: str, conversation_id: str, text: str) -> str:
    """The map with this conversation's draft replaced (removed when empty), as JSON."""
    if not owner or not conversation_id:
        return stored
    drafts = _load(stored, owner)
    drafts.pop(conversation_id, None)
    if text:
        drafts[conversation_id] = text[:MAX_DRAFT_CHARS]  # newest last
    while len(drafts) > MAX_DRAFTS:
        drafts.pop(next(iter(drafts)))
    return json.dumps({"owner": owner, "drafts": drafts}, ensure_ascii=False)
