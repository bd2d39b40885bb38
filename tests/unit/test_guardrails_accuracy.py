"""The draft checks on the labelled model outputs in tests/drafts/: planted problems are shown
on the card, clean replies come through without findings."""

from __future__ import annotations

import pytest

from bot.drafting.guardrails import check_draft
from bot.drafting.signature import SIGNATURE_SLOT
from tests.support.drafts.labelled import LANGUAGES, load, score

MIN_RECALL = 0.90
MAX_FALSE_POSITIVE_RATE = 0.05


def codes(text, review, profile, detect_language):
    findings = check_draft(text, review=review, profile=profile, detect_language=detect_language)
    return [finding.code for finding in findings]


@pytest.mark.parametrize("language", LANGUAGES)
def test_planted_problems_are_found_and_clean_replies_pass(language):
    result = score(codes, language)
    assert result.recall >= MIN_RECALL, "\n".join(result.misses)
    assert result.false_positive_rate <= MAX_FALSE_POSITIVE_RATE, "\n".join(result.false_alarms)


@pytest.mark.parametrize("language", LANGUAGES)
def test_good_replies_dominate_the_set_and_end_in_the_signature_slot(language):
    items = load(language)
    clean = [item for item in items if not item.expected]
    assert len(items) >= 25
    assert 0.55 <= len(clean) / len(items) <= 0.75
    for item in items:
        assert item.review.language == language
        assert SIGNATURE_SLOT in item.draft.splitlines()[-2:][0] + item.draft.splitlines()[-1]
