"""Composer drafts, one per conversation and per person, in one small localStorage map."""

from __future__ import annotations

import json

from whatsapp_saas.ui.inbox import drafts


def test_each_conversation_keeps_its_own_draft() -> None:
    ze, maria = drafts.owner_of("ze@loja.com"), "10"
    stored = drafts.write("{}", ze, "7", "Seu pedido de R$ 350 está confirmado, Zé")
    assert drafts.read(stored, ze, "7") == "Seu pedido de R$ 350 está confirmado, Zé"
    assert drafts.read(stored, ze, maria) == ""
    stored = drafts.write(stored, ze, maria, "Olá")
    assert drafts.read(stored, ze, "7").endswith("Zé")
    stored = drafts.write(stored, ze, "7", "")  # sent or cleared: forgotten
    assert json.loads(stored)["drafts"] == {"10": "Olá"}


def test_another_persons_drafts_never_show() -> None:
    stored = drafts.write("{}", drafts.owner_of("ana@loja.com"), "7", "só da Ana")
    assert "ana@loja.com" not in stored
    assert drafts.read(stored, drafts.owner_of("bia@loja.com"), "7") == ""
    assert drafts.read(stored, "", "7") == ""


def test_garbage_is_an_empty_map_and_old_drafts_make_room() -> None:
    me = drafts.owner_of("me@x.com")
    for junk in ("", "not json", "[1]", '{"owner": "x", "drafts": 3}'):
        assert drafts.read(junk, me, "1") == ""
    stored = "{}"
    for cid in range(drafts.MAX_DRAFTS + 5):
        stored = drafts.write(stored, me, str(cid), f"draft {cid}")
    kept = json.loads(stored)["drafts"]
    assert len(kept) == drafts.MAX_DRAFTS and "0" not in kept and kept["54"] == "draft 54"
