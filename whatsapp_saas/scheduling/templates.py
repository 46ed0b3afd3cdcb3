"""Campaign message templates: ``{{name}}``-style variables and random variants.

Only known variables are accepted, so a typo ("{{nome}}") is caught when the campaign is saved,
not discovered by a thousand customers. A recipient's variant is drawn from a generator seeded
by the recipient's id: the same recipient gets the same variant if the send is retried.
"""

from __future__ import annotations

import random
import re

from whatsapp_saas.errors import UserError

VARIABLE = re.compile(r"\{\{\s*([a-zA-Z_]+)\s*\}\}")
KNOWN_VARIABLES = ("name", "first_name", "phone")
TEXT_MAX = 4096
VARIANTS_MAX = 10


def check_template(text: str) -> str:
    cleaned = text.strip()
    if not cleaned:
        raise UserError("error.sched_campaign_text_required")
    if len(cleaned) > TEXT_MAX:
        raise UserError("error.too_long", limit=TEXT_MAX)
    unknown = sorted({v for v in VARIABLE.findall(cleaned) if v not in KNOWN_VARIABLES})
    if unknown:
        raise UserError("error.sched_campaign_variable_unknown", name=unknown[0])
    return cleaned


def check_variants(variants: list[str]) -> list[str]:
    cleaned = [check_template(v) for v in variants if v.strip()]
    if len(cleaned) > VARIANTS_MAX:
        raise UserError("error.sched_campaign_too_many_variants", limit=VARIANTS_MAX)
    return cleaned


def choose_variant(text: str, variants: list[str], seed: int) -> tuple[int, str]:
    """(index, template): index 0 is the main text, 1.. the variants."""
    options = [text, *variants]
    index = random.Random(seed).randrange(len(options))
    return index, options[index]


def render(template: str, *, name: str | None, phone: str | None) -> str:
    full = " ".join((name or "").split())
    values = {
        "name": full,
        "first_name": full.split(" ", 1)[0] if full else "",
        "phone": phone or "",
    }
    rendered = VARIABLE.sub(lambda m: values.get(m.group(1), m.group(0)), template)
    # An empty name leaves "Olá , tudo bem?": tidy the space before punctuation.
    return re.sub(r"[ \t]+([,.!?;:])", r"\1", rendered).strip()
