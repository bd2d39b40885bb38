"""What a draft offers or promises, judged against the profile's compensation policy.

A match is not proof of an offer ("we cannot refund" matches too), which is why these are
findings for a person and not refusals.
"""

from __future__ import annotations

import re

from bot.drafting.guardrails.context import DraftContext
from bot.drafting.schema import Finding

# A discount code as customers quote it: SOMMAR20, WELCOME10, FORÅR10.
# ASCII edges: "優惠碼SPRING10卻" has no \b between Han characters and the code.
_CODE = re.compile(
    r"(?<![A-Za-z0-9])(?=[A-ZÅÄÖÆØ0-9]*\d)(?=[A-ZÅÄÖÆØ0-9]*[A-ZÅÄÖÆØ])[A-ZÅÄÖÆØ0-9]{4,}(?![A-Za-z0-9])"
)
# Kinds a sentence naming the customer's own code is talking about, not offering.
_CODE_KINDS = frozenset({"voucher", "discount"})


def remedy_hits(ctx: DraftContext, sentence: str) -> dict[str, re.Match[str]]:
    """The remedies `sentence` mentions, by kind, first mention each."""
    hits = {
        kind: found
        for kind, pattern in ctx.patterns.remedies.items()
        if (found := pattern.search(sentence))
    }
    if hits.keys() & _CODE_KINDS and _quotes_customer_code(ctx, sentence):
        hits = {kind: found for kind, found in hits.items() if kind not in _CODE_KINDS}
    # "bjuder dig på ett presentkort" offers the voucher; treating alone is a free item.
    treat = ctx.patterns.treats.search(sentence)
    if treat and not hits:
        hits["free_item"] = treat
    return hits


def offers_remedy(ctx: DraftContext, sentence: str) -> bool:
    return bool(remedy_hits(ctx, sentence))


def _quotes_customer_code(ctx: DraftContext, sentence: str) -> bool:
    codes = set(_CODE.findall(ctx.review_text))
    return any(code in codes for code in _CODE.findall(sentence))


def compensation(ctx: DraftContext) -> list[Finding]:
    allowed = set(ctx.profile.compensation_kinds)
    policy = ctx.say.join([ctx.say.kind(kind) for kind in sorted(allowed)]) or ctx.say.nothing
    reported: set[str] = set()
    findings = []
    for sentence in ctx.sentences:
        for kind, found in remedy_hits(ctx, sentence).items():
            # Compensation of no particular kind is fine when the policy allows some kind.
            permitted = bool(allowed) if kind == "compensation" else kind in allowed
            if permitted or kind in reported:
                continue
            reported.add(kind)
            message = ctx.say(
                "compensation", kind=ctx.say.kind(kind), found=found.group(), allowed=policy
            )
            findings.append(Finding("compensation", message))
    return findings


def promises(ctx: DraftContext) -> list[Finding]:
    """Guarantees that no policy allows: "this will never happen again"."""
    found = ctx.patterns.promises.search(ctx.text)
    if not found:
        return []
    return [Finding("promise", ctx.say("promise", found=found.group()))]
