"""The form of a draft: placeholders left in, Markdown that shows raw, the platform's length."""

from __future__ import annotations

import re

from bot.drafting.guardrails.context import DraftContext
from bot.drafting.schema import Finding
from bot.drafting.signature import SIGNATURE_SLOT

# "[kundens namn]", "{{name}}", "${brand}", "<CONTACT>" (the Chinese 【客服电话】 are in the term
# files); a bracket followed by a parenthesis is a Markdown link, which the Markdown check names.
PLACEHOLDER = re.compile(r"\[[^\]\n]{1,40}\](?!\()|\{\{|\$\{|<[A-Z][A-Z _]{2,}>")

# Review platforms show text as typed: none of this renders there.
MARKDOWN = {
    "bold": re.compile(r"\*\*[^*\n]+\*\*|__[^_\n]+__"),
    "heading": re.compile(r"^#{1,6}[ \t]+\S.*$", re.MULTILINE),
    "list": re.compile(r"^[ \t]*(?:[-*•+]|\d{1,2}[.)])[ \t]+\S.*$", re.MULTILINE),
    "link": re.compile(r"\[[^\]\n]+\]\([^)\s]+\)"),
    "code": re.compile(r"`[^`\n]+`"),
}
_SHOWN = 60


def placeholders(ctx: DraftContext) -> list[Finding]:
    for pattern in (PLACEHOLDER, ctx.vocabulary.placeholders):
        for found in pattern.finditer(ctx.text):
            if found.group() != SIGNATURE_SLOT:
                return [Finding("placeholder", ctx.say("placeholder", found=found.group()))]
    return []


def markdown(ctx: DraftContext) -> list[Finding]:
    findings = []
    for what, pattern in MARKDOWN.items():
        found = pattern.search(ctx.text)
        if found:
            shown = found.group().strip()[:_SHOWN]
            findings.append(
                Finding("markdown", ctx.say("markdown", what=ctx.say.markdown(what), found=shown))
            )
    return findings


def length(ctx: DraftContext) -> list[Finding]:
    limit = ctx.review.length_limit
    if limit is None or len(ctx.text) <= limit:
        return []
    message = ctx.say(
        "length",
        length=len(ctx.text),
        platform=ctx.say.source(ctx.review.source),
        limit=limit,
        over=len(ctx.text) - limit,
    )
    return [Finding("length", message)]
