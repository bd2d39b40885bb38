"""The messages in a card's thread: one line per event on the review."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.blocks.thread import build_history_message
from tests.support.blocks import assert_message_within_limits

OSLO = ZoneInfo("Europe/Oslo")


@pytest.mark.parametrize(
    "kind",
    [
        "edited",
        "regenerated",
        "approved",
        "declined",
        "refused",
        "posted",
        "nudged",
        "escalated",
        "draft_failed",
        "published",
        "publish_failed",
        "rating_changed",
        "review_changed",
    ],
)
def test_history_messages_are_short_and_within_limits(kind: str) -> None:
    message = build_history_message(
        kind, "U0ANNA01", "make it shorter", at=datetime(2026, 11, 21, 8, 30, tzinfo=UTC), tz=OSLO
    )

    assert_message_within_limits(message)
    assert len(message["blocks"]) == 1
    assert "2026-11-21 09:30" in message["text"]
    assert "> make it shorter" in message["blocks"][0]["text"]["text"]


def test_history_names_the_actor_and_the_new_owner() -> None:
    message = build_history_message(
        "assigned", "U0ANNA01", "U0BOB001", at=datetime(2026, 1, 1, tzinfo=UTC), tz=OSLO
    )

    assert message["text"].startswith(
        ":bust_in_silhouette: <@U0ANNA01> made <@U0BOB001> the owner of this review."
    )


def test_history_of_an_unknown_kind_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown history kind"):
        build_history_message("aproved", None, None, at=datetime(2026, 1, 1), tz=OSLO)
