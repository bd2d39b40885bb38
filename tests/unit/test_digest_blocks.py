"""The digest, nudge, escalation, pattern and follow-up messages, built without Slack."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.blocks.alerts import (
    LateReview,
    build_escalation,
    build_nudge,
    build_pattern_alert,
    mention_any,
)
from bot.blocks.digest import DigestData, ThemeCount, build_digest, digest_as_text
from bot.blocks.follow_up import (
    ACTION_FOLLOWED_UP,
    build_follow_up_answered,
    build_follow_up_question,
    decode_review,
)
from storage.kpi import Kpis
from tests.fakes.slack_blocks import validate_blocks

TZ = ZoneInfo("Europe/Stockholm")
AT = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
HOSTILE = "<!channel> *Approved by Anna* <https://evil.example|click> & more"


def data(**changes) -> DigestData:
    values = dict(
        first_day=date(2026, 11, 16),
        last_day=date(2026, 11, 22),
        tz=TZ,
        this_week=Kpis(
            reviews=12,
            triaged=12,
            negatives=3,
            rated=12,
            average_rating=3.25,
            approved=2,
            median_reply_hours=5.0,
            p90_reply_hours=20.5,
            sla_due=2,
            sla_met=1,
            backlog=2,
            oldest_pending_at=AT - timedelta(days=3),
        ),
        week_before=Kpis(reviews=4),
        by_language={"sv": Kpis(reviews=9), HOSTILE: Kpis(reviews=3)},
        by_source={f"source{n}": Kpis(reviews=n) for n in range(15)},
        themes=[ThemeCount("Waiting time", 3, HOSTILE * 20), ThemeCount("Price", 1, None)],
        responders=[("U0ANNA", 2), ("<!here>", 1)],
    )
    values.update(changes)
    return DigestData(**values)


def section_texts(message: dict) -> str:
    return "\n".join(b["text"]["text"] for b in message["blocks"] if b["type"] == "section")


def test_the_digest_is_valid_block_kit_with_the_week_against_the_week_before():
    message = build_digest(data())
    assert validate_blocks(message["blocks"]) == []
    assert message["blocks"][0]["text"]["text"] == "Weekly review digest · 16 Nov – 22 Nov 2026"
    headline = message["blocks"][1]["text"]["text"]
    assert "Negative (share)" in headline and "3 (25%)" in headline
    assert "3.25★" in headline and "20.5 h" in headline and "50%" in headline
    assert "2 (21 Nov)" in headline  # the oldest waiting review, in the team's time zone
    assert message["text"].startswith("Weekly review digest, 16 Nov – 22 Nov 2026: 12 reviews")


def test_customer_text_and_unknown_keys_are_escaped_and_short():
    text = section_texts(build_digest(data()))
    assert "<!channel>" not in text and "<!here>" not in text and "<https://evil" not in text
    assert "&lt;!channel&gt;" in text
    assert "shortened" in text  # the long example is cut to a few lines
    assert "<@U0ANNA> 2" in text
    assert "5 more" in text  # fifteen sources: ten rows and the rest summed


def test_an_empty_week_says_so():
    message = build_digest(
        data(this_week=Kpis(), by_language={}, by_source={}, themes=[], responders=[])
    )
    text = digest_as_text(message)
    assert "no negative reviews this week" in text and "nobody decided" in text
    assert "*Language:* no reviews" in text


def test_nudge_and_escalation_mention_users_and_groups_and_escape_the_rest():
    assert mention_any("U0ANNA") == "<@U0ANNA>"
    assert mention_any("S0LEADS") == "<!subteam^S0LEADS>"
    assert mention_any("<!channel>") == "&lt;!channel&gt;"
    nudge = build_nudge(waiting=timedelta(hours=5), people=("U0ANNA",), at=AT, tz=TZ)
    assert "waiting 5 h" in nudge["text"] and "<@U0ANNA>" in nudge["blocks"][0]["text"]["text"]
    late = LateReview(
        rating=1,
        source="google",
        author=HOSTILE,
        written_at=AT,
        card_url="https://fake.slack.com/archives/C1/p1",
    )
    escalation = build_escalation(
        reviews=[late], sla=timedelta(hours=24), contacts=("S0LEADS",), tz=TZ
    )
    text = escalation["blocks"][0]["text"]["text"]
    assert "<!channel>" not in text and "within 24 h" in text
    assert "<https://fake.slack.com/archives/C1/p1|Open the card>" in text
    assert validate_blocks(escalation["blocks"]) == []


def test_one_escalation_lists_many_late_reviews_and_counts_the_rest():
    late = LateReview(rating=2, source="google", author="Kari", written_at=AT, card_url=None)
    escalation = build_escalation(reviews=[late] * 40, sla=timedelta(hours=24), contacts=(), tz=TZ)
    text = escalation["blocks"][0]["text"]["text"]
    assert "40 reviews have had no reply" in escalation["text"]
    assert text.count("review from Kari") == 15 and "…and 25 more" in text
    assert validate_blocks(escalation["blocks"]) == []


def test_an_escalation_of_several_brands_names_each_reviews_brand_and_sla():
    lumi = LateReview(
        rating=1,
        source="google",
        author="Kari",
        written_at=AT,
        card_url=None,
        brand=HOSTILE,
        sla=timedelta(hours=12),
    )
    norr = LateReview(
        rating=2,
        source="google",
        author="Ola",
        written_at=AT,
        card_url=None,
        brand="Norr Hotell",
        sla=timedelta(hours=24),
    )
    escalation = build_escalation(
        reviews=[lumi, norr], sla=None, contacts=("S0LUMI", "U0BOSS"), tz=TZ
    )
    text = escalation["blocks"][0]["text"]["text"]
    assert "2 reviews have had no reply within their SLA" in escalation["text"]
    assert "review for Norr Hotell from Ola" in text and "(SLA 24 h)" in text
    assert "(SLA 12 h)" in text and "<!channel>" not in text
    assert text.endswith("<!subteam^S0LUMI> <@U0BOSS>")
    assert validate_blocks(escalation["blocks"]) == []


def test_a_brands_pattern_alert_names_the_brand_escaped():
    alert = build_pattern_alert(
        theme_label="Waiting time", count=3, days=7, card_urls=[], brand=HOSTILE
    )
    text = alert["blocks"][0]["text"]["text"]
    assert "3 negative reviews of &lt;!channel&gt;" in text and "<!channel>" not in text
    assert validate_blocks(alert["blocks"]) == []


def test_pattern_alert_links_the_cards_and_counts_the_rest():
    urls = [f"https://fake.slack.com/archives/C1/p{n}" for n in range(12)]
    alert = build_pattern_alert(theme_label="Waiting time", count=12, days=7, card_urls=urls)
    text = alert["blocks"][0]["text"]["text"]
    assert text.count("|review ") == 10 and "…and 2 more" in text


def test_follow_up_question_and_answer():
    question = build_follow_up_question(42, replied_at=AT, tz=TZ)
    assert validate_blocks(question["blocks"]) == []
    [done, _not_needed] = question["blocks"][1]["elements"]
    assert done["action_id"] == ACTION_FOLLOWED_UP and decode_review(done["value"]) == 42
    answered = build_follow_up_answered("not_needed", "U0BJORN", at=AT, tz=TZ)
    assert "<@U0BJORN> marked the follow-up as not needed" in answered["text"]
    assert all(block["type"] != "actions" for block in answered["blocks"])
