"""The customer's name: there, spelt as the review has it, and only as much of it as the
language's guide wants (first name in the Nordic languages and English, the whole name in
Chinese, no username, no title the customer did not give)."""

from __future__ import annotations

import difflib
import re

from bot.drafting.guardrails.context import DraftContext
from bot.drafting.names import greeting_name
from bot.drafting.schema import Finding

_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
# Latin letters only: a Chinese reply writes "Anna您好" with no space, and Python counts Han
# characters as word characters too.
_LATIN = "A-Za-z\u00c0-\u024f"
_LATIN_WORD = re.compile(rf"[{_LATIN}]+(?:[-'][{_LATIN}]+)*")
_CHINESE_GREETING = re.compile(r"^\s*(?P<prefix>[^\n]*?)\s*[，,]?\s*您好")
# Short handles ("Bo") appear inside ordinary words; only longer ones are looked for.
_MIN_HANDLE = 3


def customer_name(ctx: DraftContext) -> list[Finding]:
    author = " ".join((ctx.review.author or "").split())
    if not author:
        return []
    name = greeting_name(author)
    if name is None:
        return _handle(ctx, author)
    if _HAN.search(name):
        return _han_name(ctx, name, author)
    return _latin_name(ctx, name, author)


def _finding(ctx: DraftContext, key: str) -> list[Finding]:
    # The message never repeats the name: findings outlive the erasure of a review's author.
    return [Finding("name", ctx.say(key))]


def _handle(ctx: DraftContext, author: str) -> list[Finding]:
    if len(author) >= _MIN_HANDLE and _whole_word(author).search(ctx.text):
        return _finding(ctx, "name_handle")
    return []


def _whole_word(word: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![{_LATIN}0-9_-]){re.escape(word)}(?![{_LATIN}0-9_-])")


def _latin_name(ctx: DraftContext, name: str, author: str) -> list[Finding]:
    terms = ctx.terms
    if _guesses_title(ctx.text, author, terms.titles if terms else ()):
        return _finding(ctx, "name_title")
    if not _whole_word(name).search(ctx.text):
        opening = _LATIN_WORD.findall(_opening(ctx.text))
        if difflib.get_close_matches(name, opening, n=1, cutoff=0.75):
            return _finding(ctx, "name_misspelt")
        return _finding(ctx, "name_missing")
    if (
        terms
        and terms.first_name_only
        and _full_name(ctx.text, name, author, terms.formal_greetings)
    ):
        return _finding(ctx, "name_full")
    return []


def _opening(text: str) -> str:
    return next((line for line in text.splitlines() if line.strip()), "")


def _guesses_title(text: str, author: str, titles: tuple[str, ...]) -> bool:
    """ "Herr Becker" for Jonas Becker; a title only counts before one of the customer's names,
    so "eine Frau an der Kasse" is no greeting."""
    parts = author.replace(".", " ").split()
    names = "|".join(re.escape(part) for part in parts if len(part) > 1)
    for title in titles:
        if title not in parts and names:
            if re.search(rf"\b{re.escape(title)}\.?\s+(?:{names})\b", text):
                return True
    return False


def _full_name(text: str, name: str, author: str, formal: tuple[str, ...]) -> bool:
    """The first name followed by the rest of the author's name ("Anna Svensson", "Anna S."),
    unless a formal greeting ("Hyvä Pirkko Järvinen,") asks for the full name."""
    rest = _LATIN_WORD.findall(author.split(" ", 1)[1]) if " " in author else []
    # "Marit og Per" is two people, not a first name and a surname.
    if not rest or not rest[0][0].isupper():
        return False
    found = re.search(rf"{re.escape(name)}\s+{re.escape(rest[0])}\b", text)
    if not found:
        return False
    line_start = text.rfind("\n", 0, found.start()) + 1
    before = text[line_start : found.start()].strip().casefold()
    return not any(before.endswith(word.casefold()) for word in formal)


def _han_name(ctx: DraftContext, name: str, author: str) -> list[Finding]:
    """A Chinese reply may greet with a plain 您好; a name it does use must be the customer's,
    and 先生／小姐 only when the customer wrote it."""
    terms = ctx.terms
    titles = terms.titles if terms else ()
    given_title = any(title in author or title in ctx.review_text for title in titles)
    if name in ctx.text:
        return []
    found = _CHINESE_GREETING.match(_opening(ctx.text))
    prefix = found.group("prefix").strip(" ：:，,") if found else ""
    generic = terms.generic_greetings if terms else ()
    if not prefix or prefix in generic or prefix.endswith(generic):
        return []
    surname = name[0]
    for title in titles:
        if prefix == surname + title:
            if given_title:
                return []
            return _finding(ctx, "name_title")
    return _finding(ctx, "name_misspelt")
