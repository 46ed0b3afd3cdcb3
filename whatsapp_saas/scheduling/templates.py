"""Campaign message templates: ``{{name}}``-style variables and random variants.

Only known variables are accepted, so a typo ("{{nmoe}}") is caught when the campaign is saved,
not discovered by a thousand customers. Each variable has an English and a Portuguese name
(``{{first_name}}`` and ``{{primeiro_nome}}`` are the same thing). A recipient's variant is
drawn from a generator seeded by the recipient's id: the same recipient gets the same variant
if the send is retried.
"""

from __future__ import annotations

import random
import re

from whatsapp_saas.errors import UserError

VARIABLE = re.compile(r"\{\{\s*([a-zA-Z_]+)\s*\}\}")
# Portuguese name -> the English one it stands for.
ALIASES = {"nome": "name", "primeiro_nome": "first_name", "telefone": "phone"}
KNOWN_VARIABLES = ("name", "first_name", "phone", *ALIASES)
# Forms of address that come before a first name in Brazil ("Dona Maria", "Dr. João").
TITLES = frozenset({"dona", "seu", "sr", "sra", "srta", "dr", "dra"})
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


def first_name(full_name: str | None) -> str:
    """ "Dona Maria Souza" -> "Maria"; "Dr. João" -> "João"; a bare title stays as it is."""
    words = (full_name or "").split()
    while len(words) > 1 and words[0].rstrip(".").lower() in TITLES:
        words = words[1:]
    return words[0] if words else ""


def render(template: str, *, name: str | None, phone: str | None) -> str:
    full = " ".join((name or "").split())
    values = {"name": full, "first_name": first_name(full), "phone": phone or ""}

    def value(match: re.Match[str]) -> str:
        key = match.group(1)
        return values.get(ALIASES.get(key, key), match.group(0))

    rendered = VARIABLE.sub(value, template)
    # An empty name leaves "Olá , tudo bem?": tidy the space before punctuation.
    return re.sub(r"[ \t]+([,.!?;:])", r"\1", rendered).strip()
