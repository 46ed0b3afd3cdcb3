"""One name for the follow-up feature on every pt-BR screen: "Retorno", never "cobrança"
(debt collection, to a Brazilian reader), and never the English word."""

from __future__ import annotations

from whatsapp_saas.i18n import catalog


def test_no_cobranca_and_no_english_follow_up_in_portuguese() -> None:
    pt = catalog("pt-BR")
    assert not [k for k, v in pt.items() if "cobran" in v.lower() or "cobrar" in v.lower()]
    assert not [k for k, v in pt.items() if "follow" in v.lower()]


def test_every_follow_up_label_says_retorno() -> None:
    pt, en = catalog("pt-BR"), catalog("en")
    keys = [
        "sched.tab_followups",
        "followup.new",
        "followup.start",
        "followup.empty",
        "followup.cancelled",
        "ibx.followup_title",
        "ibx.followup_text",
        "ibx.followup_start",
        "ibx.pending_followups",
    ]
    assert all("retorno" in pt[k].lower() for k in keys), {k: pt[k] for k in keys}
    assert all("follow" in en[k].lower() for k in keys), {k: en[k] for k in keys}
