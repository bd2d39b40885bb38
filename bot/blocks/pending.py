"""Lists of reviews waiting for a decision, each linking to its card."""

from __future__ import annotations

from datetime import datetime, tzinfo

from slack_sdk.models.blocks import Block, ContextBlock, SectionBlock

from bot.blocks.format import format_age, local_time, rating_words
from bot.blocks.kpi import describe_filters
from bot.blocks.labels import source_label
from bot.blocks.mrkdwn import mention, mrkdwn_text, quote_mrkdwn, shorten_escaped
from storage.figures import KpiFilter
from storage.pending import PendingQueue, PendingReview

EXCERPT_LIMIT = 200
STATUS_WORDS = {"triaged": "draft not started", "drafting": "drafting"}


def card_link(workspace_url: str | None, channel: str | None, ts: str | None) -> str | None:
    """The card's permalink, built as Slack builds them (…/archives/C123/p1700000000000100)
    so listing twenty cards costs no chat.getPermalink calls."""
    if not (workspace_url and channel and ts):
        return None
    return f"{workspace_url.rstrip('/')}/archives/{channel}/p{ts.replace('.', '')}"


def _item(review: PendingReview, *, now: datetime, tz: tzinfo, workspace_url: str | None) -> str:
    name = f"Review {review.review_id}"
    link = card_link(workspace_url, review.channel, review.ts)
    first = f"*<{link}|{name}>*" if link else f"*{name}* (card not posted yet)"
    details = [source_label(review.source)]
    if review.rating is not None:
        details.append(rating_words(review.rating))
    for value in (review.language, review.location):
        if value:
            details.append(shorten_escaped(value, 60)[0])
    details.append(f"written {local_time(review.created_at, tz)}")
    details.append(f"waiting {format_age(now - review.created_at)}")
    if review.status in STATUS_WORDS:
        details.append(STATUS_WORDS[review.status])
    if review.assignee:
        details.append(f"assigned to {mention(review.assignee)}")
    lines = f"{first} · " + " · ".join(details)
    excerpt = " ".join(review.excerpt.split())
    if excerpt:
        shortened, _ = shorten_escaped(excerpt, EXCERPT_LIMIT)
        lines += "\n" + quote_mrkdwn(shortened)
    return lines


def pending_blocks(
    queue: PendingQueue,
    *,
    now: datetime,
    tz: tzinfo,
    workspace_url: str | None,
    empty: str = "Nothing is waiting for a decision. :tada:",
) -> list[Block]:
    """One section per review, and a note when there are more than listed."""
    if not queue.reviews:
        return [SectionBlock(text=mrkdwn_text(empty))]
    blocks: list[Block] = [
        SectionBlock(text=mrkdwn_text(_item(r, now=now, tz=tz, workspace_url=workspace_url)))
        for r in queue.reviews
    ]
    if queue.total > len(queue.reviews):
        more = queue.total - len(queue.reviews)
        blocks.append(ContextBlock(elements=[mrkdwn_text(f"…and {more} more, newer than these.")]))
    return blocks


def build_pending_answer(
    queue: PendingQueue,
    *,
    filters: KpiFilter,
    now: datetime,
    tz: tzinfo,
    workspace_url: str | None,
) -> dict:
    """The /reviews pending answer: the oldest first."""
    title = f"*Waiting for a decision: {queue.total}*"
    if described := describe_filters(filters):
        title += f" · {described}"
    if queue.reviews:
        title += " — oldest first"
    blocks = [
        SectionBlock(text=mrkdwn_text(title)),
        *pending_blocks(queue, now=now, tz=tz, workspace_url=workspace_url),
    ]
    fallback = f"{queue.total} reviews waiting for a decision"
    return {"text": fallback, "blocks": [block.to_dict() for block in blocks]}
