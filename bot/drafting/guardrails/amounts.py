"""Amounts of money and percentages: only those the policy names, or the customer wrote."""

from __future__ import annotations

from bot.drafting.guardrails.context import DraftContext, parse_number
from bot.drafting.guardrails.remedies import offers_remedy
from bot.drafting.schema import Finding

_ENDS = ".!?。！？\n"


def amounts(ctx: DraftContext) -> list[Finding]:
    findings = []
    limit = ctx.profile.max_compensation_amount
    for match in ctx.vocabulary.amount.finditer(ctx.text):
        value = parse_number(match.group("before") or match.group("after"))
        if value is None:
            continue
        found = match.group().strip()
        if value not in ctx.profile_numbers and value not in ctx.review_numbers:
            findings.append(Finding("amount", ctx.say("amount", found=found)))
        unit = match.group("unit") or ""
        is_percent = bool(unit) and bool(ctx.vocabulary.percent_units.fullmatch(unit))
        offered = limit is not None and not is_percent and value > limit
        if offered and _offered(ctx, match.start(), match.end()):
            over = f"{limit:g} {ctx.profile.currency}".rstrip()
            findings.append(Finding("compensation", ctx.say("over_limit", found=found, limit=over)))
    return findings


def _offered(ctx: DraftContext, start: int, end: int) -> bool:
    """Whether the sentence holding the amount offers a remedy: the customer's own 349 kr
    repeated back is no offer, "ett presentkort på 500 kr" is."""
    begin = max(ctx.text.rfind(mark, 0, start) for mark in _ENDS) + 1
    ends = [i for mark in _ENDS if (i := ctx.text.find(mark, end)) >= 0]
    return offers_remedy(ctx, ctx.text[begin : min(ends, default=len(ctx.text))])
