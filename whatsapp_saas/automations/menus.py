"""Numbered chatbot menus: the tables, the tree's validation, the WhatsApp text and answers.

A menu is a tree stored as one JSON document: the root node and every option are nodes
``{"label", "message", "target", ...ids, "options": [...]}``. An option's ``target`` says what
choosing it does: ``menu`` shows its own ``options`` under its ``message``; ``department``,
``agent``, ``ai`` and ``rule`` hand the conversation over (its ``message``, if any, is sent
first). A node is addressed by its path of 0-based option indexes, stored as ``"1.0"``.

No I/O here: :mod:`whatsapp_saas.automations.menu_engine` runs sessions on stored messages.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field

from whatsapp_saas.automations.actions import invalid
from whatsapp_saas.models_base import created_at_field, timestamp_field
from whatsapp_saas.tenancy.models import TenantOwned
from whatsapp_saas.text_fold import fold

TARGET_MENU = "menu"
TARGET_DEPARTMENT = "department"
TARGET_AGENT = "agent"
TARGET_AI = "ai"
TARGET_RULE = "rule"
TARGETS = (TARGET_MENU, TARGET_DEPARTMENT, TARGET_AGENT, TARGET_AI, TARGET_RULE)
TIMEOUT_ACTIONS = ("human", "end", "restart")
DEFAULT_KEYWORDS = ("atendente", "humano", "human", "agent")
MAX_OPTIONS = 10  # 1..9 and 10 keep the emoji keycaps unambiguous
MAX_DEPTH = 5
NAME_MAX = 120
LABEL_MAX = 60
TEXT_MAX = 1000


class AutomationMenu(TenantOwned, table=True):
    __tablename__ = "automation_menus"
    __table_args__ = (sa.UniqueConstraint("tenant_id", "name", name="uq_automation_menus_name"),)

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=NAME_MAX)
    enabled: bool = Field(default=True)
    tree: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON, nullable=False)
    keywords: list[str] = Field(default_factory=list, sa_type=sa.JSON, nullable=False)
    reprompt_limit: int = Field(default=2)  # unknown answers before a human takes over
    reprompt_message: str = Field(default="", sa_type=sa.Text)
    handoff_message: str = Field(default="", sa_type=sa.Text)
    timeout_minutes: int = Field(default=30)  # silence on an open prompt: timeout_action
    timeout_action: str = Field(default="human", max_length=10)
    expiry_minutes: int = Field(default=1440)  # a session older than this ends
    start_on_new_conversation: bool = Field(default=False)
    created_at: datetime = created_at_field()
    updated_at: datetime = created_at_field()


class MenuSession(TenantOwned, table=True):
    """A conversation's place in a menu; one row per conversation, reused on restart."""

    __tablename__ = "automation_menu_sessions"
    __table_args__ = (
        sa.UniqueConstraint("conversation_id", name="uq_automation_menu_sessions_conversation"),
        sa.Index("ix_automation_menu_sessions_timeout", "timeout_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    conversation_id: int = Field(foreign_key="conversations.id", ondelete="CASCADE")
    menu_id: int = Field(foreign_key="automation_menus.id", ondelete="CASCADE")
    node: str = Field(default="", max_length=40)  # the path of the node last shown
    reprompts: int = Field(default=0)
    started_at: datetime = created_at_field()
    prompted_at: datetime = created_at_field()  # the last prompt sent
    timeout_at: datetime = created_at_field()  # prompted_at + the menu's timeout (the sweep's)
    expires_at: datetime = created_at_field()
    ended_at: datetime | None = timestamp_field()
    end_reason: str = Field(default="", max_length=20)


# --- validation -------------------------------------------------------------------------------


def clean_tree(raw: dict[str, Any]) -> dict[str, Any]:
    """The root node, cleaned; a UserError whose field names the option in error ("2.1")."""
    message = str(raw.get("message") or "").strip()
    if not message:
        raise invalid("error.menu_message_required", "message")
    if len(message) > TEXT_MAX:
        raise invalid("error.menu_message_too_long", "message")
    options = _options(raw.get("options") or [], "", 1)
    if not options:
        raise invalid("error.menu_options_required", "options")
    media = _media(raw, "message", "error.menu_media_invalid")
    return {"message": message, "options": options, **media}


def _media(raw: dict[str, Any], field: str, code: str) -> dict[str, int]:
    """A node's optional file (an id of the tenant's automation files, checked on save)."""
    value = str(raw.get("media_id") or "").strip()
    if not value:
        return {}
    if not value.isdigit():
        raise invalid(code, field)
    return {"media_id": int(value)}


def _options(raw: list[dict[str, Any]], prefix: str, depth: int) -> list[dict[str, Any]]:
    if len(raw) > MAX_OPTIONS:
        if prefix:
            raise invalid("error.menu_option_too_many", prefix.rstrip("."))
        raise invalid("error.menu_options_too_many", "options")
    return [_option(item, f"{prefix}{i + 1}", depth) for i, item in enumerate(raw)]


def _option(raw: dict[str, Any], number: str, depth: int) -> dict[str, Any]:
    label = str(raw.get("label") or "").strip()
    if not label:
        raise invalid("error.menu_option_label_required", number)
    if len(label) > LABEL_MAX:
        raise invalid("error.menu_option_label_too_long", number)
    target = str(raw.get("target") or "")
    if target not in TARGETS:
        raise invalid("error.menu_option_target_invalid", number)
    message = str(raw.get("message") or "").strip()[:TEXT_MAX]
    node: dict[str, Any] = {"label": label, "target": target, "message": message}
    node.update(_media(raw, number, "error.menu_option_media_id_required"))
    if target == TARGET_MENU:
        if depth >= MAX_DEPTH:
            raise invalid("error.menu_option_too_deep", number)
        if not message:
            raise invalid("error.menu_option_message_required", number)
        node["options"] = _options(raw.get("options") or [], f"{number}.", depth + 1)
        if not node["options"]:
            raise invalid("error.menu_option_options_required", number)
    id_key = {
        TARGET_DEPARTMENT: "department_id",
        TARGET_AGENT: "user_id",
        TARGET_RULE: "rule_id",
    }.get(target)
    if id_key is not None:
        value = str(raw.get(id_key) or "")
        if not value.isdigit():
            raise invalid(f"error.menu_option_{id_key}_required", number)
        node[id_key] = int(value)
    return node


def clean_keywords(text: str) -> list[str]:
    """Comma- or line-separated human keywords; the defaults when none are given."""
    words = [w.strip() for w in re.split(r"[,\n]", text or "") if w.strip()]
    return words[:20] or list(DEFAULT_KEYWORDS)


# --- the tree ---------------------------------------------------------------------------------


def node_at(tree: dict[str, Any], path: str) -> dict[str, Any] | None:
    """The node at ``path`` ("" is the root); None when the menu changed under a session."""
    node = tree
    for part in [p for p in path.split(".") if p]:
        options = node.get("options") or []
        index = int(part)
        if index >= len(options):
            return None
        node = options[index]
    return node


def child_path(path: str, index: int) -> str:
    return f"{path}.{index}" if path else str(index)


def parent_path(path: str) -> str:
    return path.rpartition(".")[0]


def render(node: dict[str, Any], back_hint: str = "") -> str:
    """The WhatsApp text: the node's message, then ``*1.* Sales`` lines (bold, no buttons)."""
    lines = [f"*{i + 1}.* {o['label']}" for i, o in enumerate(node.get("options") or [])]
    text = f"{node.get('message', '')}\n\n" + "\n".join(lines)
    return f"{text}\n\n_{back_hint}_" if back_hint else text


# --- answers ----------------------------------------------------------------------------------

_KEYCAP = re.compile("[\ufe0f\u20e3]")
_TRIM = re.compile(r"^[\s*_.()\-]+|[\s*_.()!\-]+$")


@dataclass(frozen=True, slots=True)
class Answer:
    kind: str  # "option", "back", "human" or "unknown"
    index: int = -1


def _normal(text: str) -> str:
    text = _KEYCAP.sub("", (text or "").replace("🔟", "10"))
    return _TRIM.sub("", fold(text))


def parse_answer(text: str | None, node: dict[str, Any], keywords: list[str]) -> Answer:
    """What the customer chose: a number ("2", "2️⃣"), ``#``/``0`` (back), a human keyword,
    or an option's words, ignoring accents and case."""
    answer = _normal(text or "")
    options = node.get("options") or []
    if answer in ("#", "0"):
        return Answer("back")
    if answer.isdigit():
        index = int(answer) - 1
        return Answer("option", index) if 0 <= index < len(options) else Answer("unknown")
    folded = {fold(k).strip() for k in keywords} - {""}
    if answer in folded:
        return Answer("human")
    labels = {fold(o["label"]).strip() for o in options}
    if answer not in labels and _mentions(answer, folded):
        return Answer("human")  # "quero falar com um atendente" (an option named so wins)
    return _by_words(answer, options)


def _mentions(answer: str, phrases: set[str]) -> bool:
    return any(re.search(rf"\b{re.escape(phrase)}\b", answer) for phrase in phrases)


def _by_words(answer: str, options: list[dict[str, Any]]) -> Answer:
    if not answer:
        return Answer("unknown")
    labels = [fold(o["label"]).strip() for o in options]
    exact = [i for i, label in enumerate(labels) if label == answer]
    if exact:
        return Answer("option", exact[0])
    words = set(re.findall(r"\w+", answer))
    partial = [
        i
        for i, label in enumerate(labels)
        if label in answer or (len(answer) >= 3 and answer in label) or words & _words(label)
    ]
    return Answer("option", partial[0]) if len(partial) == 1 else Answer("unknown")


def _words(label: str) -> set[str]:
    return {w for w in re.findall(r"\w+", label) if len(w) >= 3}
