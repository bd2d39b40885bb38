"""The edit distance behind "median edit": exact Levenshtein, the signature slot free."""

from __future__ import annotations

import random

import pytest

from bot.drafting.signature import SIGNATURE_SLOT
from storage.edit_distance import edit_distance


def levenshtein(a: str, b: str) -> int:
    """The textbook table, row by row: the reference the fast version must agree with."""
    previous = list(range(len(b) + 1))
    for i, x in enumerate(a, start=1):
        current = [i]
        for j, y in enumerate(b, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (x != y)))
        previous = current
    return previous[-1]


def with_free_slot(before: str, after: str, sent: str) -> int:
    """Every way of giving one line's sent[a:b] to the slot, tried one by one."""
    n = len(sent)
    return min(
        levenshtein(before, sent[:a]) + levenshtein(after, sent[b:])
        for a in range(n + 1)
        for b in range(a, n + 1)
        if "\n" not in sent[a:b]
    )


@pytest.mark.parametrize(
    ("draft", "sent", "distance"),
    [
        ("", "", 0),
        ("", "abc", 3),
        ("kitten", "sitting", 3),
        ("Tack för besöket!", "Tack för ditt besök!", 7),
        ("感謝您的回饋", "非常感謝您的回饋", 2),
    ],
)
def test_known_distances(draft, sent, distance):
    assert edit_distance(draft, sent) == distance
    assert edit_distance(sent, draft) == distance


def test_agrees_with_the_table_on_random_texts():
    rng = random.Random(12)
    for _ in range(2000):
        a = "".join(rng.choice("ab ä") for _ in range(rng.randint(0, 14)))
        b = "".join(rng.choice("ab ä") for _ in range(rng.randint(0, 14)))
        assert edit_distance(a, b) == levenshtein(a, b), (a, b)
    for _ in range(30):  # longer than a machine word of bits
        a = "".join(rng.choice("abcdefgh ") for _ in range(rng.randint(100, 300)))
        b = "".join(rng.choice("abcdefgh ") for _ in range(rng.randint(100, 300)))
        assert edit_distance(a, b) == levenshtein(a, b)


def test_the_slot_takes_any_text_at_no_cost():
    rng = random.Random(7)
    for _ in range(1500):
        before = "".join(rng.choice("ab ,\n") for _ in range(rng.randint(0, 9)))
        after = "".join(rng.choice("ab ,\n") for _ in range(rng.randint(0, 5)))
        sent = "".join(rng.choice("ab ,M\n") for _ in range(rng.randint(0, 13)))
        draft = before + SIGNATURE_SLOT + after
        assert edit_distance(draft, sent, slot=SIGNATURE_SLOT) == with_free_slot(
            before, after, sent
        ), (draft, sent)


def test_signing_is_no_edit_and_an_edit_next_to_the_signature_still_counts():
    draft = "Hej Anna! Tack för ditt besök.\n\nVänliga hälsningar,\n[your name], Café Lumi"
    signed = draft.replace(SIGNATURE_SLOT, "Maria Ek")
    assert edit_distance(draft, signed, slot=SIGNATURE_SLOT) == 0
    assert edit_distance(draft, signed) == levenshtein(draft, signed) > 0
    # The brand's sign-off in the slot when the approver has no name.
    assert (
        edit_distance(draft, draft.replace(SIGNATURE_SLOT, "Café Lumi"), slot=SIGNATURE_SLOT) == 0
    )
    assert edit_distance(draft, signed.replace("Hej Anna!", "Hej!"), slot=SIGNATURE_SLOT) == 5
    # A sentence added before the sign-off counts in full: the slot keeps to its line.
    added = signed.replace("besök.\n", "besök. Välkommen tillbaka, vi bjuder på kaffe!\n")
    assert edit_distance(draft, added, slot=SIGNATURE_SLOT) == 40
    # Next to the name, an edit may pass for part of it: never more than the name's length.
    for cut in ("Vänliga hälsningar,\n", ", Café Lumi"):
        found = edit_distance(draft, signed.replace(cut, ""), slot=SIGNATURE_SLOT)
        assert len(cut) - len("Maria Ek") <= found <= len(cut)
    # Chinese puts the brand first and the signer before 敬上.
    chinese = "感謝您的回饋。\n\nCafé Lumi [your name] 敬上"
    assert (
        edit_distance(chinese, chinese.replace(SIGNATURE_SLOT, "王小明"), slot=SIGNATURE_SLOT) == 0
    )
