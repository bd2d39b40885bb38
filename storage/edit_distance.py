"""How much of a draft a person changed before sending it: the character edit distance
(Levenshtein: insertions, deletions and substitutions of one character each).

A draft may carry a slot that is always filled in when it is sent (the signer's name); the
text put there is not an edit, so the slot matches whatever stands in its place on its line,
at no cost. It takes the cheapest such text, so an edit on the signature's own line may be
taken for part of the name; anywhere else in the reply an edit counts in full.

Computed with the bit-parallel algorithm of Myers (1999) in Hyyrö's form for whole strings:
one column of the edit-distance table is a pair of bit vectors (Python integers), so a
pass costs a dozen integer operations per character of the sent text instead of a row of
the table. Exact, and fast enough to measure a week's edits in Python (bench/draft_quality.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import accumulate
from operator import add


def edit_distance(draft: str, sent: str, *, slot: str | None = None) -> int:
    """Characters inserted, deleted or replaced to turn `draft` into `sent`. The first `slot`
    in `draft` matches any text of one line in `sent` at no cost."""
    if slot and slot in draft:
        before, after = draft.split(slot, 1)
        return _distance_around_slot(before, after, sent)
    start = _common_prefix(draft, sent)
    draft, sent = draft[start:], sent[start:]
    end = _common_suffix(draft, sent)
    if end:
        draft, sent = draft[:-end], sent[:-end]
    return _last_row(draft, sent)[-1]


def _distance_around_slot(before: str, after: str, sent: str) -> int:
    """min of d(before, sent[:a]) + d(after, sent[b:]) over a ≤ b with no line break in
    sent[a:b], the text the slot takes. Held to one line, the slot cannot swallow a
    sentence added before the sign-off by skipping the sign-off's own words."""
    # Text both share at the ends is never worth giving to the slot (each character taken
    # from the slot's side costs the other side at most one), so it is set aside first.
    start = _common_prefix(before, sent)
    before, sent = before[start:], sent[start:]
    end = _common_suffix(after, sent)
    if end:
        after, sent = after[:-end], sent[:-end]
    to_prefix = _last_row(before, sent)  # [d(before, sent[:a]) for each a]
    to_suffix = _last_row(after[::-1], sent[::-1])[::-1]  # [d(after, sent[b:]) for each b]
    # For a slot starting at a, the best end b up to a's line break: a running minimum from
    # the right, started afresh on each line (min and + run in C, not a loop per character).
    best: list[int] = []
    line = 0
    for line_end in (*_line_breaks(sent), len(sent)):
        best.extend(reversed(list(accumulate(reversed(to_suffix[line : line_end + 1]), min))))
        line = line_end + 1
    return min(map(add, to_prefix, best))


def _line_breaks(text: str) -> Iterator[int]:
    found = text.find("\n")
    while found != -1:
        yield found
        found = text.find("\n", found + 1)


def _last_row(pattern: str, text: str) -> list[int]:
    """[d(pattern, text[:j]) for j in 0..len(text)]: the table's last row, one column a step."""
    m = len(pattern)
    if m == 0:
        return list(range(len(text) + 1))
    matches: dict[str, int] = {}
    for i, char in enumerate(pattern):
        matches[char] = matches.get(char, 0) | (1 << i)
    mask = (1 << m) - 1
    top = 1 << (m - 1)
    up, down = mask, 0  # where the column rises or falls by one going down it: all rise
    score = m
    row = [score]
    for char in text:
        eq = matches.get(char, 0)
        vertical = eq | down
        horizontal = (((eq & up) + up) ^ up) | eq
        rise = down | ~(horizontal | up)
        fall = up & horizontal
        if rise & top:
            score += 1
        elif fall & top:
            score -= 1
        row.append(score)
        # The first row rises by one each column (d("", text[:j]) = j): shift a rise in.
        rise = (rise << 1) | 1
        fall <<= 1
        up = (fall | ~(vertical | rise)) & mask
        down = rise & vertical & mask
    return row


def _common_prefix(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


def _common_suffix(a: str, b: str) -> int:
    return _common_prefix(a[::-1], b[::-1])
