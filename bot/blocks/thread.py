"""The messages that go in a card's thread: the whole review text when the card shows only its
start, and one line per event on the review."""

from datetime import datetime, tzinfo

from bot.blocks.card import REVIEW_ON_CARD_LIMIT
from bot.blocks.card_view import CardView, review_body
from bot.blocks.format import local_time
from bot.blocks.mrkdwn import (
    context,
    mention,
    quote_mrkdwn,
    quoted_excerpt,
    review_text_chunks,
    section,
)


def build_review_text_messages(view: CardView) -> list[dict]:
    """Thread messages holding the whole review text when the card shows only its start;
    an empty list when the card shows all of it. Post them in order."""
    body = review_body(view)
    if len(review_text_chunks(body, REVIEW_ON_CARD_LIMIT)) <= 1:
        return []
    chunks = review_text_chunks(body)
    return [
        {
            "text": f"Review text, part {n} of {len(chunks)}",
            "blocks": [
                context(f":page_facing_up: Review text, part {n} of {len(chunks)}").to_dict(),
                section(quote_mrkdwn(chunk)).to_dict(),
            ],
        }
        for n, chunk in enumerate(chunks, start=1)
    ]


# Thread history: what happened, in one line; `{actor}` is the Slack user who did it.
_HISTORY_LINES: dict[str, str] = {
    "edited": ":pencil2: {actor} edited the draft.",
    "regenerated": ":arrows_counterclockwise: {actor} asked for a new draft.",
    "assigned": ":bust_in_silhouette: {actor} made {assignee} the owner of this review.",
    "approved": ":white_check_mark: {actor} approved the reply.",
    "declined": ":no_entry_sign: {actor} declined the review.",
    "refused": ":no_entry: {actor} tried to decide on this review but is not an approver.",
    "posted": ":white_check_mark: {actor} marked the reply as posted.",
    "nudged": ":bell: Reminder: this review is still waiting for a reply.",
    "escalated": ":rotating_light: The reply deadline has passed.",
    "draft_failed": ":warning: The draft could not be written.",
    "published": ":mega: The reply was published.",
    "publish_failed": ":x: Publishing the reply failed.",
    "rating_changed": ":star: The customer changed the rating.",
    "review_changed": ":pencil: The customer changed the review.",
}
HISTORY_KINDS = frozenset(_HISTORY_LINES)
HISTORY_DETAIL_LIMIT = 1500


def build_history_message(
    kind: str, actor: str | None, detail: str | None, *, at: datetime, tz: tzinfo
) -> dict:
    """A short thread message recording one event on a review.

    `actor` is a Slack user id (None for the app's own doings). `detail` is free text shown
    quoted under the line (the regenerate instruction, the decline reason, an error), except
    for "assigned", where it is the new owner's user id.
    """
    template = _HISTORY_LINES.get(kind)
    if template is None:
        raise ValueError(f"unknown history kind {kind!r}; expected one of {sorted(HISTORY_KINDS)}")
    who = mention(actor) if actor else "reviewbot"
    if kind == "assigned":
        line = template.format(actor=who, assignee=mention(detail) if detail else "nobody")
        detail = None
    else:
        line = template.format(actor=who)
    line += f" _{local_time(at, tz)}_"
    text = line
    if detail:
        text += "\n" + quoted_excerpt(detail, HISTORY_DETAIL_LIMIT)
    return {"text": line, "blocks": [section(text).to_dict()]}
