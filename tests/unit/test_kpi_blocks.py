"""The KPI answer, the pending list and the Home tab: what a user reads, within Slack's limits."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.blocks.format import format_age, format_hours
from bot.blocks.home import build_home
from bot.blocks.kpi import KpiReport, build_kpi_answer
from bot.blocks.pending import build_pending_answer, card_link
from storage.figures import KpiFilter, Period
from storage.kpi import Kpis
from storage.pending import PendingQueue, PendingReview
from tests.fakes.slack_blocks import validate_blocks, validate_view

STOCKHOLM = ZoneInfo("Europe/Stockholm")
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
WEEK = Period(NOW - timedelta(days=7), NOW)
WORKSPACE = "https://acme.slack.com/"


def texts(blocks: list[dict]) -> str:
    """Every text a user sees in the blocks, in order."""
    found: list[str] = []

    def walk(node):
        if isinstance(node, dict):
            if node.get("type") in ("mrkdwn", "plain_text"):
                found.append(node["text"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(blocks)
    return "\n".join(found)


def report(current: Kpis, previous: Kpis = Kpis(), filters: KpiFilter = KpiFilter()) -> KpiReport:
    return KpiReport(
        label="last 7 days",
        period=WEEK,
        previous_period=WEEK.previous(),
        current=current,
        previous=previous,
        filters=filters,
        sla_hours=24,
        now=NOW,
        tz=STOCKHOLM,
    )


FULL = Kpis(
    reviews=42,
    rated=40,
    average_rating=3.456,
    triaged=40,
    negatives=12,
    approved=10,
    median_reply_hours=5.25,
    p90_reply_hours=30,
    sla_due=12,
    sla_met=9,
    ai_unedited=7,
    declined=2,
    backlog=4,
    oldest_pending_at=NOW - timedelta(days=2, hours=3),
    turned_around=1,
)


def pending(review_id: int, **kw) -> PendingReview:
    values = dict(
        review_id=review_id,
        source="google",
        rating=1,
        language="sv",
        location="Kista",
        status="pending",
        created_at=NOW - timedelta(hours=5),
        assignee=None,
        excerpt="Kallt kaffe",
        channel="C0REVIEWS",
        ts="1700000000.000100",
    )
    return PendingReview(**(values | kw))


def test_every_kpi_is_shown_with_the_period_before():
    answer = build_kpi_answer(report(FULL, Kpis(reviews=37, average_rating=3.6)))
    shown = texts(answer["blocks"])

    assert validate_blocks(answer["blocks"]) == []
    for expected in (
        "*KPIs · last 7 days*",
        "42 (40 rated)\n_before: 37 (0 rated)_",
        "3.46★\n_before: 3.60★_",
        "12 (30% of 40 triaged)",
        "median 5.2 h, 90% within 30.0 h (10 approved)",
        "*Answered within the SLA (24 h)*\n75% (9 of 12 due)",
        "*AI drafts approved unedited*\n70% (7 of 10)",
        "*Declined*\n2",
        "4 waiting, oldest 2 d 3 h",
        "*Turned around (negative → 4–5★)*\n1",
        "2026-11-13 13:00 – 2026-11-20 13:00 (Europe/Stockholm)",
    ):
        assert expected in shown
    assert "42 reviews, 12 negative" in answer["text"]


def test_figures_without_a_value_show_a_dash_and_an_empty_period_says_so():
    answer = build_kpi_answer(report(Kpis()))
    shown = texts(answer["blocks"])
    assert "–★" not in shown and "*Average rating*\n–" in shown
    assert "median –, 90% within – (0 approved)" in shown
    assert "No reviews were written in either period." in shown


def test_filters_typed_by_the_user_are_shown_escaped():
    answer = build_kpi_answer(report(FULL, filters=KpiFilter(source="<!channel>", location="H&M")))
    shown = texts(answer["blocks"])
    assert "source: &lt;!channel&gt;" in shown and "location: H&amp;M" in shown
    assert "<!channel>" not in shown


def test_durations_read_naturally():
    assert [format_hours(h) for h in (None, 0.25, 5.25, 47.9, 72)] == [
        "–",
        "15 min",
        "5.2 h",
        "47.9 h",
        "3.0 d",
    ]
    assert format_age(timedelta(days=1, hours=2, minutes=5)) == "1 d 2 h"
    assert format_age(timedelta(minutes=90)) == "1 h 30 min"


def test_card_links_are_slack_permalinks():
    assert card_link(WORKSPACE, "C0REVIEWS", "1700000000.000100") == (
        "https://acme.slack.com/archives/C0REVIEWS/p1700000000000100"
    )
    assert card_link(None, "C0REVIEWS", "1.2") is None
    assert card_link(WORKSPACE, None, None) is None


def test_the_pending_list_links_cards_and_escapes_review_text():
    queue = PendingQueue(
        [
            pending(1, assignee="U0ANNA", excerpt="<!channel> *Gratis* kaffe?\n\nNej"),
            pending(2, channel=None, ts=None, status="drafting", rating=None, location=None),
        ],
        total=5,
    )
    answer = build_pending_answer(
        queue, filters=KpiFilter(), now=NOW, tz=STOCKHOLM, workspace_url=WORKSPACE
    )
    shown = texts(answer["blocks"])

    assert validate_blocks(answer["blocks"]) == []
    assert "*Waiting for a decision: 5* — oldest first" in shown
    assert "*<https://acme.slack.com/archives/C0REVIEWS/p1700000000000100|Review 1>*" in shown
    assert "Google · 1★ · sv · Kista · written 2026-11-20 08:00 · waiting 5 h 0 min" in shown
    assert "assigned to <@U0ANNA>" in shown
    assert "> &lt;!channel&gt; *Gratis* kaffe? Nej" in shown
    assert "*Review 2* (card not posted yet) · Google · sv" in shown and "drafting" in shown
    assert "…and 3 more, newer than these." in shown


def test_an_empty_queue_says_nothing_waits():
    answer = build_pending_answer(
        PendingQueue(),
        filters=KpiFilter(source="google"),
        now=NOW,
        tz=STOCKHOLM,
        workspace_url=None,
    )
    assert texts(answer["blocks"]) == (
        "*Waiting for a decision: 0* · source: google\nNothing is waiting for a decision. :tada:"
    )


def test_the_home_tab_fits_slack_with_full_lists():
    many = PendingQueue([pending(i, excerpt="ö" * 400) for i in range(15)], total=80)
    view = build_home(
        report(FULL),
        mine=PendingQueue(),
        backlog=many,
        workspace_url=WORKSPACE,
        now=NOW,
        tz=STOCKHOLM,
        signs_as="Anna <Berg> & co",
        own_signature=True,
    )
    shown = texts(view["blocks"])
    assert "*Your signature:* Anna &lt;Berg&gt; &amp; co\nReplies you approve are signed" in shown

    assert validate_view(view, expected_type="home") == []
    assert "Reviews · last 7 days" in shown
    assert "Assigned to you · 0\nNothing assigned to you is waiting." in shown
    assert "Team backlog · 80" in shown and "…and 65 more" in shown
    assert "Updated 2026-11-20 13:00 (Europe/Stockholm)" in shown
