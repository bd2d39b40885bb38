"""What a card shows, as the digest stored with it: the same for the same card at any version
and in any process, another for anything a person would see differ."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

from bot.cards.drawn import drawn_digest
from tests.support.blocks import make_view

ROOT = Path(__file__).resolve().parents[2]
DIGEST_IN_A_NEW_PROCESS = """
from dataclasses import replace
from bot.cards.drawn import drawn_digest
from tests.support.blocks import make_view
print(drawn_digest(replace(make_view(), card_version=9)))
"""


def test_the_same_card_at_another_version_has_the_same_digest():
    view = make_view()
    assert drawn_digest(replace(view, card_version=3)) == drawn_digest(
        replace(view, card_version=4)
    )


def test_anything_shown_that_changed_changes_the_digest():
    view = make_view()
    assert drawn_digest(replace(view, assignee="U0OTHER")) != drawn_digest(view)
    assert drawn_digest(replace(view, themes=("price",))) != drawn_digest(view)
    assert drawn_digest(replace(view, publish_state="published")) != drawn_digest(view)


def test_another_process_computes_the_same_digest():
    # String hashing differs per process; the digest must not.
    other = subprocess.run(
        [sys.executable, "-c", DIGEST_IN_A_NEW_PROCESS],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONHASHSEED": "12345"},
        cwd=ROOT,
    )
    assert other.stdout.strip() == drawn_digest(make_view())
