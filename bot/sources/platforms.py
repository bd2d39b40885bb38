"""What each review platform accepts as a reply."""

from __future__ import annotations

# Characters. Google Business Profile counts 4096 bytes of UTF-8: Chinese takes three bytes a
# character, the Nordic letters two at most, so both limits below always fit.
_GOOGLE_BYTES = 4096


def reply_length_limit(source: str, language: str) -> int | None:
    """The longest reply the source accepts, in characters; None when it sets no limit."""
    if source == "google_play":
        return 350
    if source == "google":
        return _GOOGLE_BYTES // 3 if language.startswith("zh") else _GOOGLE_BYTES // 2
    if source == "app_store":
        return 5970
    return None
