"""Counting what a prompt costs, with the tokenizer of the models the app is pointed at."""

from __future__ import annotations

from functools import cache

import bpe_openai

# o200k is the tokenizer of current OpenAI models; other servers' models count close to it.
TOKENIZER = "o200k_base"


@cache
def _encoding() -> bpe_openai.Encoding:
    return bpe_openai.get_encoding(TOKENIZER)


def token_count(text: str) -> int:
    """Tokens `text` costs in a prompt."""
    return len(_encoding().encode(text))
