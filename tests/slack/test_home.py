"""The App Home tab: published when opened, with the week's KPIs, the viewer's assigned
reviews and the team's backlog; refreshed on every opening."""

from __future__ import annotations

from datetime import timedelta

from storage.models import utcnow
from tests.support.kpi import add_card, add_review


def home_opened(app, user: str, tab: str = "home"):
    return app.send_event(
        {
            "type": "app_home_opened",
            "user": user,
            "channel": "D0HOME",
            "tab": tab,
            "event_ts": f"{utcnow().timestamp():.6f}",
        }
    )


def home_text(view: dict) -> str:
    found: list[str] = []
    for block in view["blocks"]:
        found.append(block.get("text", {}).get("text", ""))
        found.extend(f["text"] for f in block.get("fields", []))
        found.extend(e.get("text", "") for e in block.get("elements", []))
    return "\n".join(found)


def test_opening_home_shows_the_week_my_reviews_and_the_backlog(app, fake_slack):
    engine = app.services.engine
    now = utcnow()
    mine = add_review(engine, "mine", written=now - timedelta(hours=30), assignee="U0ANNA")
    add_card(engine, mine, "C0REVIEWS", "1700000000.000200", now)
    add_review(engine, "theirs", written=now - timedelta(hours=3), assignee="U0BJORN")
    add_review(
        engine,
        "happy",
        written=now - timedelta(hours=1),
        rating=5,
        negative=False,
        status="positive",
    )

    assert home_opened(app, "U0ANNA").status_code == 200
    fake_slack.wait_for("views.publish")

    text = home_text(fake_slack.home_view("U0ANNA"))
    assert "Reviews · last 7 days" in text
    assert "*Reviews*\n3 (3 rated)" in text
    assert "Assigned to you · 1" in text
    assert f"<https://fake.slack.com/archives/C0REVIEWS/p1700000000000200|Review {mine}>" in text
    assert "Team backlog · 2" in text
    assert "assigned to <@U0BJORN>" in text


def test_home_is_rebuilt_each_time_it_is_opened(app, fake_slack):
    home_opened(app, "U0ANNA")
    fake_slack.wait_for("views.publish")
    assert "Team backlog · 0" in home_text(fake_slack.home_view("U0ANNA"))

    add_review(app.services.engine, "new", written=utcnow() - timedelta(minutes=5))
    home_opened(app, "U0ANNA")
    fake_slack.wait_for("views.publish", count=2)

    assert "Team backlog · 1" in home_text(fake_slack.home_view("U0ANNA"))


def test_the_messages_tab_publishes_nothing(app, fake_slack):
    home_opened(app, "U0ANNA", tab="messages")
    home_opened(app, "U0BJORN")  # a later event that does publish: the first one is done by then
    fake_slack.wait_for("views.publish")

    assert fake_slack.home_view("U0ANNA") is None
    assert [c.args["user_id"] for c in fake_slack.ok_calls("views.publish")] == ["U0BJORN"]
