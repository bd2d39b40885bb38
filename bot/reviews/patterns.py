"""Pattern alerts: when one theme turns up in PATTERN_MIN negative reviews written within
seven days, the channel gets one alert naming the theme, the count and links to the cards.
A theme alerted on is not alerted on again until seven days later (one alert per window).
An alert that named a review since erased is redrawn without it.

With brands (ROUTES_FILE) each brand's negatives are counted on their own and its alerts go
to the brand's channel; reviews of no brand are counted together, alerted in REVIEWS_CHANNEL."""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime, timedelta

from slack_sdk import WebClient
from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.blocks.alerts import build_pattern_alert
from bot.cards.permalinks import permalink
from bot.cards.posting import Poster, PostFailed
from bot.cards.slack_client import redraw_message
from bot.routing import Routing
from bot.triage.themes import THEME_LABELS
from storage.db import session_scope
from storage.erasure import erased_among
from storage.patterns import negative_themes_between, record_alert, themes_alerted_after
from storage.reviews import negatives_written_at
from storage.slack_messages import alerts_naming, posted_cards

log = logging.getLogger(__name__)

WINDOW = timedelta(days=7)
# "Other" is what is left when no theme matched: many of those is not a pattern.
NOT_A_PATTERN = frozenset({"other"})


def recurring_themes(
    reviews: Iterable[tuple[int, list[str]]], minimum: int
) -> dict[str, list[int]]:
    """theme → review ids, for themes in at least `minimum` of `reviews`."""
    by_theme: dict[str, list[int]] = defaultdict(list)
    for review_id, themes in reviews:
        for theme in dict.fromkeys(themes or ()):
            if theme not in NOT_A_PATTERN:
                by_theme[theme].append(review_id)
    return {theme: ids for theme, ids in by_theme.items() if len(ids) >= minimum}


class PatternAlerts:
    def __init__(
        self,
        engine: Engine,
        slack: WebClient | None,
        poster: Poster | None,
        *,
        routing: Routing,
        minimum: int,
    ) -> None:
        self._engine = engine
        self._slack = slack
        self._poster = poster
        self._routing = routing  # each brand's channel
        self._minimum = minimum

    def alert(self, now: datetime) -> int:
        """Alert on every theme that became a pattern; returns how many alerts went out."""
        client, poster = self._slack, self._poster
        if client is None or poster is None:
            return 0
        since = now - WINDOW
        with Session(self._engine) as session:
            reviews = negative_themes_between(session, after=since, until=now)
            alerted = themes_alerted_after(session, after=since)
        by_brand: dict[str | None, list[tuple[int, list[str]]]] = defaultdict(list)
        for review_id, brand, themes in reviews:
            # A brand the routes file no longer has is counted with the reviews of none.
            by_brand[brand if self._routing.brand(brand) else None].append((review_id, themes))
        sent = 0
        for brand, brand_reviews in sorted(by_brand.items(), key=lambda item: item[0] or ""):
            channel = self._routing.team(brand).channel or self._routing.default_channel
            if not channel:
                continue
            for theme, review_ids in sorted(recurring_themes(brand_reviews, self._minimum).items()):
                if (brand, theme) in alerted:
                    continue
                if self._post(poster, client, channel, brand, theme, review_ids, now):
                    sent += 1
        return sent

    def _post(
        self,
        poster: Poster,
        client: WebClient,
        channel: str,
        brand: str | None,
        theme: str,
        review_ids: list[int],
        now: datetime,
    ) -> bool:
        message = self._message(client, theme, review_ids, brand)
        # One alert per theme (and brand) and window: a retry looks only since its own attempt.
        payload = {"theme": theme, "brand": brand} if brand else {"theme": theme}
        try:
            posted = poster.post(
                channel,
                message,
                metadata={"event_type": "pattern_alert", "event_payload": payload},
                unfurl_links=False,
            )
        except PostFailed as exc:
            log.warning("could not post the %s pattern alert: %s", theme, exc)
            return False
        with session_scope(self._engine) as session:
            record_alert(
                session,
                theme=theme,
                brand=brand,
                at=now,
                review_ids=review_ids,
                channel=channel,
                ts=posted.ts,
            )
        return True

    def redraw_without(self, review_ids: list[int]) -> int:
        """Redraw each alert in Slack that named one of these negative reviews, just erased,
        with every erased review left out of its count and links. Returns how many."""
        client = self._slack
        if client is None:
            return 0
        with Session(self._engine) as session:
            written = negatives_written_at(session, review_ids=review_ids)
            if not written:
                return 0
            # An alert names reviews written before it was sent.
            alerts = alerts_naming(session, review_ids=review_ids, since=min(written))
            named = sorted({rid for alert in alerts for rid in alert.review_ids})
            erased = erased_among(session, review_ids=named)
        redrawn = 0
        for alert in alerts:
            kept = [rid for rid in alert.review_ids if rid not in erased]
            assert alert.channel and alert.ts  # alerts_naming reads those in Slack
            if redraw_message(
                client,
                channel=alert.channel,
                ts=alert.ts,
                message=self._message(client, alert.theme, kept, alert.brand),
                what=f"the {alert.theme} pattern alert without an erased review",
            ):
                redrawn += 1
        return redrawn

    def _message(
        self, client: WebClient, theme: str, review_ids: list[int], brand: str | None
    ) -> dict:
        with Session(self._engine) as session:
            cards = posted_cards(session, review_ids)
        urls = [
            url for rid in review_ids if rid in cards and (url := permalink(client, cards[rid]))
        ]
        known = self._routing.brand(brand)
        return build_pattern_alert(
            theme_label=THEME_LABELS.get(theme, theme),
            count=len(review_ids),
            days=WINDOW.days,
            card_urls=urls,
            brand=known.name if known else None,
        )
