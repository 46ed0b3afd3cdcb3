"""Arguments for any handler, built from its signature: the victim's ids wherever an id goes.

Values are valid wherever validity is cheap (dates in the future, real numbers and contacts),
so a handler that forgets a check acts on the victim's rows instead of failing on bad input:
the suite must catch a hole, not a typo in its own payload.
"""

from __future__ import annotations

import inspect
from dataclasses import asdict
from typing import Any

from tests.security.handlers import Handler
from tests.security.world import HIDDEN_PHONE, VICTIM_NUMBER_PHONE, World
from whatsapp_saas.accounts.service import CurrentUser

UPLOAD_MARKER = "upload-marker-c0ffee"
WRONG_PASSWORD = "not-the-password-123"
NEW_EMAIL = "newcomer@attacker.test"

# Handlers that point a page at a row or fill a field: an attacker calls them first, so that
# the handler under test acts on the row they chose (and the composer has text to send).
PRIMERS = ("select", "start_edit", "open_dialog", "start_rename", "edit", "reply_to", "set_draft")

SCALARS: dict[str, Any] = {
    "active": False,  # set_active: disable the victim's user
    "enabled": True,
    "checked": True,
    "role": "admin",
    "action": "cancel",
    "language": "en",
    "value": "all",
    "text": "attack-text",
    "emoji": "x",
    "preview": "attack-preview",
    "offset": 1,  # move_stage
    "var_name": "token",  # setvar: try to overwrite the session var directly
    "phone": HIDDEN_PHONE,  # the CRM's remove_phone: the hidden contact's number
}


def target_ids(world: World, *, hidden: bool) -> dict[str, int]:
    """Which victim row each kind of id names: the hidden conversation's, or the open one's."""
    v = world.victim
    conversation = {
        "conversation": v.hidden_conversation_id if hidden else v.open_conversation_id,
        "contact": v.hidden_contact_id if hidden else v.open_contact_id,
        "message": v.hidden_message_id if hidden else v.open_message_id,
        "schedule": v.hidden_schedule_id if hidden else v.open_schedule_id,
        "deal": v.hidden_deal_id if hidden else v.open_deal_id,
    }
    return {
        **conversation,
        "follow_up": v.hidden_follow_up_id,
        "number": v.number_id,
        "department": v.department_id,
        "campaign": v.campaign_id,
        "reply": v.quick_reply_id,
        "invite": v.invite_id,
        "user": v.users["agent_in"],
        "other": conversation["contact"],  # the CRM's merge names the contact to fold in
        **v.crm,
        "pipeline": v.pipeline_id,
        "stage": v.stage_id,
        "rule": v.rule_id,
        "menu": v.menu_id,
    }


def form(ids: dict[str, int], *, email: str, password: str) -> dict[str, Any]:
    """Every field any form of the app reads, filled in validly."""
    return {
        "number_id": str(ids["number"]),
        "contact_id": str(ids["contact"]),
        "department_id": str(ids["department"]),
        "user_id": str(ids["user"]),
        f"contact-{ids['contact']}": "on",
        "date": "2031-02-01",
        "time": "10:00",
        "when": "2031-02-01T10:00",
        "text": "attack-text",
        "recurrence": "none",
        "name": "Attack name",
        "new_name": "Attack name",
        "company_name": "Attack Co",
        "email": email,
        "password": password,
        "role": "admin",
        "shortcut": "attack",
        "q": "secret",
        "hours": "2",
        "keywords": "ATTACK",
        "delay_0": "2",
        "step_text_0": "attack-step",
        "per_minute": "1",
        "per_day": "1",
        "rate_count": "1",
        "rate_window": "60",
        "daily_cap": "1",
        "warmup_days": "0",
        "timezone": "Asia/Tokyo",
        "qr": "attack-qr",
        "phone": "",
        "from": "+5511977770000",
        "to": VICTIM_NUMBER_PHONE,
        "push_name": "Attacker",
        "variants": "",
        # The CRM's forms.
        "tag_id": str(ids.get("tag", 0)),
        "owner_user_id": str(ids["user"]),
        "action": "tag",
        "field_key": "secret_code",
        "field_value": "attack",
        "segment_name": "Attack segment",
        "note": "attack-note",
        "key": "attack_key",
        "label": "Attack label",
        "type": "text",
        "merge_search": "secret",
        "new_phone": "+5511977775555",  # the CRM's add_phone: a valid, unused number
        "field-secret_code": "attack",
        # Deals and pipelines.
        "deal_id": str(ids["deal"]),
        "stage_id": str(ids["stage"]),
        "pipeline_id": str(ids["pipeline"]),
        "title": "attack-title",
        "value": "10",
        "owner_id": str(ids["user"]),
        "expected_close": "2031-02-01",
        "outcome": "won",
    }


def forged_owner(world: World) -> dict[str, Any]:
    """A made-up ``CurrentUser``: the victim's owner, as ``remember(user)`` would accept it."""
    v = world.victim
    user = CurrentUser(
        v.users["owner"],
        v.tenant_id,
        "Victim",
        "Owner",
        world.emails["owner"],
        "owner",
        "en",
        "UTC",
    )
    return asdict(user)


def arguments(
    handler: Handler, world: World, ids: dict[str, int], *, public: bool
) -> dict[str, Any]:
    """A payload for ``handler``. Public forms get the victim's email and a wrong password."""
    email, password = (world.emails["owner"], WRONG_PASSWORD) if public else (NEW_EMAIL, "x" * 12)
    payload: dict[str, Any] = {}
    for param in handler.params:
        if param.kind in (inspect.Parameter.VAR_KEYWORD, inspect.Parameter.VAR_POSITIONAL):
            continue
        payload[param.name] = _value(param, world, ids, email, password)
    return payload


def _value(
    param: inspect.Parameter, world: World, ids: dict[str, int], email: str, password: str
) -> Any:
    name, annotation = param.name, str(param.annotation)
    if name.endswith("_id") and name.removesuffix("_id") in ids:
        return str(ids[name.removesuffix("_id")])
    if name == "hours_for":  # the Business hours tab's "Hours for": the victim's number
        return f"number:{ids['number']}"
    if "CurrentUser" in annotation:
        return forged_owner(world)
    if "dict" in annotation:
        return form(ids, email=email, password=password)
    if name in SCALARS:
        return SCALARS[name]
    if annotation == "bool":
        return True
    return "attack <b>junk</b>"


def upload_files() -> list[tuple[str, bytes, str]]:
    """A small CSV naming the marker: whatever a refused upload echoes back is visible."""
    body = f"phone,name\n+5511977776666,{UPLOAD_MARKER}\n".encode()
    return [(f"{UPLOAD_MARKER}.csv", body, "text/csv")]
