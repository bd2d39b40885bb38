"""The names of stored codes as the Slack messages show them: known codes by their name, an
unknown one as written, escaped and short."""

from bot.blocks.mrkdwn import escape_mrkdwn, shorten_escaped
from bot.vocabulary import DECLINE_REASONS, LANGUAGE_NAMES, SOURCE_NAMES

REASON_LIMIT = 1000


def language_label(code: str) -> str:
    """The language's name and code, e.g. "Norwegian Nynorsk (nn)", escaped for mrkdwn."""
    name = LANGUAGE_NAMES.get(code)
    return escape_mrkdwn(f"{name} ({code})") if name else shorten_escaped(code, 40)[0]


def decline_reason_label(reason: str) -> str:
    """The words for a decline reason code; an unknown reason is shown as written, escaped."""
    return DECLINE_REASONS.get(reason) or shorten_escaped(reason, REASON_LIMIT)[0]


def source_label(source: str) -> str:
    return SOURCE_NAMES.get(source) or shorten_escaped(source, 60)[0]
