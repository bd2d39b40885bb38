"""How a reply addresses the customer: the name to greet, as the language guides say."""

from __future__ import annotations

import re

_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
# A handle rather than a name: digits, @, underscores, dots inside a word, or no capital letter.
_HANDLE = re.compile(r"\d|@|_|\w\.\w")
_INITIAL = re.compile(r"^\w\.?$")


def greeting_name(author: str | None) -> str | None:
    """The name a reply greets the customer by, or None for a neutral greeting.

    Nordic and English replies use the first name only ("Anna Svensson", "Anna S." → "Anna");
    a Han-script name is kept whole (陳志明); a handle ("matfan92", "kaffe_lover") or a lone
    initial gets no name at all.
    """
    name = " ".join((author or "").split())
    if not name:
        return None
    if _HAN.search(name):
        return name if len(name) <= 6 and not _HANDLE.search(name) else None
    if _HANDLE.search(name) or not any(ch.isupper() for ch in name):
        return None
    first = name.split(" ")[0].strip(",.;:!?")
    if not first or _INITIAL.match(first):
        return None
    return first
