"""WhatsApp formatting as the chat shows it: ``*bold*``, ``_italic_``, ``~strike~``,
```` ```mono``` ```` and links.

The text is split into plain-string parts with style flags; the page renders each part as a
text node (or a link whose address is always ``http(s)://``). No part ever becomes HTML, so a
customer's ``<script>`` shows as the characters they typed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

# WhatsApp's rule, roughly: the marker touches the text inside it, and is not glued to a word
# outside it ("2*3*4" stays as typed).
_MONO = re.compile(r"```(.+?)```", re.DOTALL)
_STYLES = (
    ("b", re.compile(r"(?<![\w*])\*(?=\S)(.+?)(?<=\S)\*(?![\w*])", re.DOTALL)),
    ("i", re.compile(r"(?<![\w_])_(?=\S)(.+?)(?<=\S)_(?![\w_])", re.DOTALL)),
    ("s", re.compile(r"(?<![\w~])~(?=\S)(.+?)(?<=\S)~(?![\w~])", re.DOTALL)),
)
_LINK = re.compile(r"\bhttps?://[^\s<>\"']+", re.IGNORECASE)
_TRAILING = ".,;:!?)]}"  # punctuation that ends a sentence, not the address


@dataclass(frozen=True, slots=True)
class Part:
    text: str
    b: bool = False
    i: bool = False
    s: bool = False
    m: bool = False
    href: str = ""

    def as_row(self) -> dict[str, str]:
        flags = {"b": self.b, "i": self.i, "s": self.s, "m": self.m}
        return {"text": self.text, "href": self.href} | {
            k: "1" if v else "" for k, v in flags.items()
        }


def parts(text: str) -> list[Part]:
    """The text as styled parts, in order; joined, their texts give the text without markers."""
    out: list[Part] = []
    pos = 0
    for found in _MONO.finditer(text):
        out += _styled(text[pos : found.start()], Part(""))
        out.append(Part(found.group(1), m=True))
        pos = found.end()
    out += _styled(text[pos:], Part(""))
    return [p for p in out if p.text]


def rows(text: str) -> list[dict[str, str]]:
    return [p.as_row() for p in parts(text)]


def _styled(text: str, style: Part, level: int = 0) -> list[Part]:
    if level == len(_STYLES):
        return _linked(text, style)
    flag, pattern = _STYLES[level]
    out: list[Part] = []
    pos = 0
    for found in pattern.finditer(text):
        out += _styled(text[pos : found.start()], style, level + 1)
        out += _styled(found.group(1), replace(style, **{flag: True}), level + 1)
        pos = found.end()
    out += _styled(text[pos:], style, level + 1)
    return out


def _linked(text: str, style: Part) -> list[Part]:
    out: list[Part] = []
    pos = 0
    for found in _LINK.finditer(text):
        address = found.group(0).rstrip(_TRAILING)
        end = found.start() + len(address)
        out.append(replace(style, text=text[pos : found.start()]))
        out.append(replace(style, text=address, href=address))
        pos = end
    out.append(replace(style, text=text[pos:]))
    return out
