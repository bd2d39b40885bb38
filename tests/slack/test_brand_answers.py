"""`/reviews kpi|pending brand:<id>` and the App Home's brands, through the real app with a
ROUTES_FILE (SQLite, and PostgreSQL when TEST_DATABASE_URL is set)."""

from __future__ import annotations

from datetime import timedelta

from storage.models import utcnow
from tests.slack.test_commands_reviews import answers, shown
from tests.slack.test_home import home_opened, home_text
from tests.support.jobs import NOW, job_services
from tests.support.kpi import add_review
from tests.support.routes import write_routes


def seed_brands(engine) -> None:
    """Three reviews of lumi (one approved in 5 h), two of norr, one of no brand."""
    now = utcnow()
    add_review(
        engine,
        "lumi-approved",
        brand="lumi",
        written=now - timedelta(days=3),
        status="approved",
        decided=now - timedelta(days=3) + timedelta(hours=5),
    )
    add_review(engine, "lumi-1", brand="lumi", written=now - timedelta(days=2), text="Kallt kaffe")
    add_review(engine, "lumi-2", brand="lumi", written=now - timedelta(days=1), rating=2)
    add_review(engine, "norr-1", brand="norr", written=now - timedelta(days=2), text="Kalla rum")
    add_review(
        engine,
        "norr-ok",
        brand="norr",
        written=now - timedelta(days=1),
        rating=5,
        negative=False,
        status="positive",
    )
    add_review(engine, "nobody", written=now - timedelta(hours=5), text="Ingen brand")


def test_kpi_for_one_brand_counts_only_its_reviews_against_its_sla(
    app_factory, fake_slack, tmp_path, database_url
):
    app = app_factory(routes_file=write_routes(tmp_path), database_url=database_url)
    seed_brands(app.services.engine)

    app.send_command("kpi 30d brand:lumi", response_url=fake_slack.response_url("lumi"))
    app.send_command("kpi 30d", response_url=fake_slack.response_url("all"))
    answers(fake_slack, 2)

    lumi = shown(fake_slack.responses("lumi")[0])
    assert "*KPIs · last 30 days* · brand: lumi" in lumi
    assert "*Reviews*\n3 (3 rated)" in lumi
    assert "median 5.0 h" in lumi
    assert "*Answered within the SLA (12 h)*" in lumi  # lumi's own SLA, not SLA's 24 h
    assert "2 waiting" in lumi
    everything = shown(fake_slack.responses("all")[0])
    assert "*Reviews*\n6 (6 rated)" in everything
    assert "*Answered within the SLA (24 h)*" in everything


def test_pending_for_one_brand_lists_only_its_reviews(
    app_factory, fake_slack, tmp_path, database_url
):
    app = app_factory(routes_file=write_routes(tmp_path), database_url=database_url)
    seed_brands(app.services.engine)

    app.send_command("pending brand:NORR", response_url=fake_slack.response_url())

    text = shown(answers(fake_slack)[0])
    assert "*Waiting for a decision: 1* · brand: norr — oldest first" in text
    assert "Kalla rum" in text
    assert "Kallt kaffe" not in text and "Ingen brand" not in text


def test_an_unknown_brand_is_one_line_naming_it_and_the_brands(app_factory, fake_slack, tmp_path):
    app = app_factory(routes_file=write_routes(tmp_path))

    for text in ("kpi 7d brand:ghost", "pending brand:ghost"):
        body = app.send_command(text, response_url=fake_slack.response_url()).json()
        assert body["response_type"] == "ephemeral"
        assert body["text"] == ':warning: There is no brand "ghost": the brands are lumi, norr.'
        assert [b["text"]["text"] for b in body["blocks"]] == [body["text"]]
    assert fake_slack.responses() == []  # nothing read: the acknowledgement said it all


def test_the_help_names_brand_and_the_brands_when_there_are_some(
    app_factory, app, fake_slack, tmp_path
):
    plain = app.send_command("help", response_url=fake_slack.response_url()).json()
    assert "brand:" not in plain["blocks"][-1]["text"]["text"]
    branded = app_factory(routes_file=write_routes(tmp_path))

    body = branded.send_command("help", response_url=fake_slack.response_url()).json()
    help_text = body["blocks"][-1]["text"]["text"]
    assert "[brand:x] [source:x]" in help_text
    assert "/reviews pending [brand:x]" in help_text
    assert "Brands: `lumi`, `norr`" in help_text
    wrong_key = branded.send_command("kpi colour:red", response_url="").json()
    assert wrong_key["blocks"][0]["text"]["text"] == (
        ':warning: I can filter by brand:, source:, lang: and location:, not "colour:".'
    )


def test_without_a_routes_file_brand_is_no_filter(app, fake_slack):
    body = app.send_command("kpi 7d brand:lumi", response_url=fake_slack.response_url()).json()
    assert body["blocks"][0]["text"]["text"] == (
        ':warning: I can filter by source:, lang: and location:, not "brand:".'
    )


def test_home_shows_the_brands_of_the_viewers_channels_with_what_waits(
    app_factory, fake_slack, tmp_path, database_url
):
    app = app_factory(routes_file=write_routes(tmp_path), database_url=database_url)
    seed_brands(app.services.engine)
    # Anna is in lumi's card channel; Björn in norr's and in the channel of rule 1 (lumi, Oslo).
    fake_slack.channel_members = {
        "C0LUMI": {"U0ANNA"},
        "C0NORR": {"U0BJORN"},
        "C0OSLO": {"U0BJORN"},
        "C0APPS": {"U0CARL"},  # cards of any brand: no brand's own channel
    }

    for user in ("U0ANNA", "U0BJORN", "U0CARL"):
        home_opened(app, user)
    fake_slack.wait_for("views.publish", count=3)

    anna = home_text(fake_slack.home_view("U0ANNA"))
    assert "Your brands" in anna
    assert "• *Café Lumi* (`lumi`) · 2 waiting — `/reviews kpi brand:lumi`" in anna
    assert "Norr Hotell" not in anna
    bjorn = home_text(fake_slack.home_view("U0BJORN"))
    assert bjorn.index("*Café Lumi* (`lumi`) · 2 waiting") < bjorn.index(
        "*Norr Hotell* (`norr`) · 1 waiting"
    )
    assert "Your brands" not in home_text(fake_slack.home_view("U0CARL"))
    assert "Team backlog · 4" in anna  # the team's whole backlog stays as it was
    assert {c.args["user"] for c in fake_slack.ok_calls("users.conversations")} == {
        "U0ANNA",
        "U0BJORN",
        "U0CARL",
    }


def test_home_asks_slack_once_in_a_while_not_on_every_opening(app_factory, fake_slack, tmp_path):
    app = app_factory(routes_file=write_routes(tmp_path))
    fake_slack.channel_members = {"C0LUMI": {"U0ANNA"}}

    home_opened(app, "U0ANNA")
    fake_slack.wait_for("views.publish")
    home_opened(app, "U0ANNA")
    fake_slack.wait_for("views.publish", count=2)

    assert "*Café Lumi* (`lumi`) · 0 waiting" in home_text(fake_slack.home_view("U0ANNA"))
    assert len(fake_slack.ok_calls("users.conversations")) == 1


def test_home_without_the_scope_still_opens_without_brands(app_factory, fake_slack, tmp_path):
    app = app_factory(routes_file=write_routes(tmp_path))
    fake_slack.scopes = "chat:write,commands,users:read"
    fake_slack.channel_members = {"C0LUMI": {"U0ANNA"}}

    home_opened(app, "U0ANNA")
    fake_slack.wait_for("views.publish")

    text = home_text(fake_slack.home_view("U0ANNA"))
    assert "Reviews · last 7 days" in text and "Your brands" not in text


def test_home_without_a_routes_file_asks_slack_nothing_more(app, fake_slack):
    home_opened(app, "U0ANNA")
    fake_slack.wait_for("views.publish")

    assert "Your brands" not in home_text(fake_slack.home_view("U0ANNA"))
    assert fake_slack.calls("users.conversations") == []


def test_a_channel_joined_shows_on_the_tab_once_the_kept_answer_is_old(
    fake_slack, sqlite_url, tmp_path
):
    services = job_services(fake_slack, sqlite_url, routes_file=write_routes(tmp_path))
    try:
        fake_slack.channel_members = {"C0LUMI": {"U0ANNA"}}
        services.home.publish("U0ANNA", NOW)
        fake_slack.channel_members["C0NORR"] = {"U0ANNA"}  # Anna joins norr's channel

        services.home.publish("U0ANNA", NOW + timedelta(minutes=4))
        assert "Norr Hotell" not in home_text(fake_slack.home_view("U0ANNA"))
        services.home.publish("U0ANNA", NOW + timedelta(minutes=5))
        assert "*Norr Hotell* (`norr`) · 0 waiting" in home_text(fake_slack.home_view("U0ANNA"))
    finally:
        services.close()
    assert len(fake_slack.ok_calls("users.conversations")) == 2
