"""Counting what a prompt costs, with the tokenizer of the models the app is pointed at."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import bpe_openai

# o200k is the tokenizer of current OpenAI models; other servers' models count close to it.
TOKENIZER = "o200k_base"


@cache
def _encoding() -> bpe_openai.Encoding:
    # Imported here: the tokenizer's library and tables are some 75 MB that only a process
    # that drafts needs (a web process never does).
    import bpe_openai

    return bpe_openai.get_encoding(TOKENIZER)


def warm_tokenizer() -> None:
    """Load the tokenizer now, so the first draft does not wait for it."""
    _encoding()


def token_count(text: str) -> int:
    """Tokens `text` costs in a prompt."""
    return len(_encoding().encode(text))
