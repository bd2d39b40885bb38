"""The tone a reply must never take: arguing with the customer, blaming them, or apologising
for their feelings rather than for what happened."""

from __future__ import annotations

from bot.drafting.guardrails.context import DraftContext
from bot.drafting.schema import Finding


def arguing(ctx: DraftContext) -> list[Finding]:
    found = ctx.patterns.arguing.search(ctx.text)
    if not found:
        return []
    return [Finding("arguing", ctx.say("arguing", found=found.group()))]
