"""Signs that a review steered the draft: the draft talks about its instructions, repeats an
instruction the review gave, or does what that instruction asked."""

from __future__ import annotations

import re
from itertools import pairwise

from bot.drafting.guardrails.context import DraftContext
from bot.drafting.schema import Finding

_SENTENCE_END = re.compile(r"[.!?。！？\n]")
_WORD = re.compile(r"[^\W\d_]+")
_HAN = re.compile(r"[\u3400-\u9fff]+")
# Findings that show a draft doing what an instruction in the review asked.
FOLLOWING = ("language", "contact", "link", "amount", "compensation", "promise")
_SHOWN = 80


def injection(ctx: DraftContext, findings: list[Finding]) -> list[Finding]:
    """`findings`: what the other checks found in this draft."""
    result = []
    meta = ctx.patterns.meta.search(ctx.text)
    if meta:
        result.append(Finding("injection", ctx.say("injection_meta", found=meta.group())))
    instructions = _instruction_sentences(ctx)
    if not instructions:
        return result
    echoed = sorted(set().union(*(_shingles(s) for s in instructions)) & _shingles(ctx.text))
    if echoed:
        found = ctx.say.join([f"“{e}”" for e in echoed[:3]])
        result.append(Finding("injection", ctx.say("injection_echo", found=found)))
        return result
    followed = list(dict.fromkeys(f.code for f in findings if f.code in FOLLOWING))
    if followed:
        message = ctx.say(
            "injection_follow", found=instructions[0].strip()[:_SHOWN], codes=", ".join(followed)
        )
        result.append(Finding("injection", message))
    return result


def _instruction_sentences(ctx: DraftContext) -> list[str]:
    text = ctx.review_text
    sentences = []
    for match in ctx.instruction_matches:
        starts = [m.end() for m in _SENTENCE_END.finditer(text, 0, match.start())]
        start = starts[-1] if starts else 0
        end_match = _SENTENCE_END.search(text, match.end())
        sentences.append(text[start : end_match.end() if end_match else len(text)])
    return sentences


def _shingles(text: str) -> set[str]:
    """Word pairs (one word of four letters or more) and runs of three Han characters."""
    words = [w.casefold() for w in _WORD.findall(text) if not _HAN.fullmatch(w)]
    pairs = {f"{a} {b}" for a, b in pairwise(words) if max(len(a), len(b)) >= 4}
    han = {run[i : i + 3] for run in _HAN.findall(text) for i in range(len(run) - 2)}
    return pairs | han
