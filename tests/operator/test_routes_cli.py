"""ROUTES_FILE from the operator's side: `reviewbot routes` prints the brands and rules as
understood and asks the fake Slack about each channel; `reviewbot routes test FILE` says where
each review of a file would go; `reviewbot run` refuses a wrong file in one line; `reviewbot
doctor` has a routes row."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli import cli
from tests.operator.test_doctor import doctor, installed, row  # noqa: F401 - fixtures
from tests.operator.test_startup import env  # noqa: F401 - the correct installation fixture
from tests.support.routes import write_routes

LUMI = "brands:\n  lumi:\n    profile: business.lumi.yml\n"  # a brand of a few lines
EVERY_CHANNEL = {
    "C0REVIEWS",
    "C0LUMI",
    "C0LUMILEADS",
    "C0NORR",
    "C0OSLO",
    "C0APPS",
    "C0SUOMI",
    "C0NORGE",
}


@pytest.fixture
def routed(env, tmp_path: Path) -> dict[str, str]:  # noqa: F811
    return {**env, "ROUTES_FILE": str(write_routes(tmp_path))}


def invoke(settings: dict[str, str | None], *args: str):
    return CliRunner().invoke(cli, list(args), env={**settings, "COLUMNS": "250"})


def line_with(output: str, text: str) -> str:
    return next(line for line in output.splitlines() if text in line)


def channel_row(output: str, channel: str) -> str:
    """The channel's row in the table of channels (its first column)."""
    return next(line for line in output.splitlines() if line.startswith(f"│ {channel} "))


# ----- reviewbot routes ---------------------------------------------------------------------


def test_routes_prints_the_brands_and_rules_as_understood(routed, fake_slack):
    result = invoke(routed, "routes")
    assert result.exit_code == 0, result.output
    lumi = line_with(result.stdout, "│ lumi ")
    for shown in ("Café Lumi", "C0LUMI ", "C0LUMILEADS", "U0ANNA, S0LUMILEADS", "12 h"):
        assert shown in lumi, shown
    assert "Södermalm, Oslo *" in lumi
    # A brand that leaves things out takes them from the settings: its channel for the digest.
    norr = line_with(result.stdout, "│ norr ")
    assert "Norr Hotell" in norr and norr.count("C0NORR") == 2 and "everyone" in norr
    base = line_with(result.stdout, "(no brand)")
    assert "Kaffebaren" in base and "C0REVIEWS" in base and "24 h" in base
    rule = line_with(result.stdout, "│ 2 ")
    assert "source app_store, rating 1-2" in rule and "C0APPS" in rule and "S0APPTEAM" in rule
    assert "brand lumi, location Oslo *" in line_with(result.stdout, "│ 1 ")
    assert "language no" in line_with(result.stdout, "│ 4 ")


def test_routes_checks_every_channel_once_with_conversations_info(routed, fake_slack):
    result = invoke(routed, "routes")
    assert result.exit_code == 0, result.output
    asked = [call.args["channel"] for call in fake_slack.ok_calls("conversations.info")]
    assert sorted(asked) == sorted(EVERY_CHANNEL)
    for channel in EVERY_CHANNEL:
        assert " ok " in channel_row(result.stdout, channel), channel
    assert "lumi digest" in channel_row(result.stdout, "C0LUMILEADS")
    assert "rule 1" in channel_row(result.stdout, "C0OSLO")


def test_a_channel_the_bot_is_not_in_fails_with_the_fix(routed, fake_slack):
    fake_slack.member_of = EVERY_CHANNEL - {"C0OSLO"}
    result = invoke(routed, "routes")
    assert result.exit_code == 1
    oslo = channel_row(result.stdout, "C0OSLO")
    assert "FAIL" in oslo and "the bot is not in #c0oslo: type /invite @reviewbot" in oslo
    assert [line for line in result.stdout.splitlines() if "FAIL" in line] == [oslo]


def test_a_channel_that_does_not_exist_fails(routed, fake_slack):
    fake_slack.missing_channels = {"C0APPS"}
    result = invoke(routed, "routes")
    assert result.exit_code == 1
    apps = channel_row(result.stdout, "C0APPS")
    assert "FAIL" in apps and "C0APPS: no such channel, or it is private" in apps
    assert " ok " in channel_row(result.stdout, "C0SUOMI")


def test_without_a_token_each_channel_says_it_was_not_checked(routed, fake_slack):
    result = invoke({**routed, "SLACK_BOT_TOKEN": None}, "routes")
    assert result.exit_code == 1
    failed = [line for line in result.stdout.splitlines() if "FAIL" in line]
    assert len(failed) == len(EVERY_CHANNEL)
    assert all("not checked: SLACK_BOT_TOKEN is not set" in line for line in failed)
    assert fake_slack.calls() == []


def test_a_refused_token_is_one_line(routed, fake_slack):
    result = invoke({**routed, "SLACK_BOT_TOKEN": "xoxb-refused"}, "routes")
    assert result.exit_code == 1
    (failed,) = [line for line in result.stdout.splitlines() if "FAIL" in line]
    assert "SLACK_BOT_TOKEN: Slack refused the token" in failed
    assert fake_slack.calls("conversations.info") == []


def test_no_check_asks_slack_nothing(routed, fake_slack):
    result = invoke({**routed, "SLACK_BOT_TOKEN": None}, "routes", "--no-check")
    assert result.exit_code == 0, result.output
    assert "Café Lumi" in result.stdout and "FAIL" not in result.stdout
    assert fake_slack.calls() == []


def test_without_routes_file_there_is_one_brand_and_one_channel(env, fake_slack):  # noqa: F811
    result = invoke(env, "routes")
    assert result.exit_code == 0, result.output
    assert "ROUTES_FILE is not set: one brand, every card to REVIEWS_CHANNEL" in result.stdout
    assert "rule" not in result.stdout
    assert [c.args["channel"] for c in fake_slack.ok_calls("conversations.info")] == ["C0REVIEWS"]


def test_a_bare_no_is_norwegian_and_an_empty_match_takes_every_review(routed, tmp_path):
    routes = write_routes(
        tmp_path,
        "routes:\n  - match: {language: no}\n    channel: C0NORGE\n"
        "  - match: {}\n    assign: S0TRIAGE\n",
    )
    result = invoke({**routed, "ROUTES_FILE": str(routes)}, "routes", "--no-check")
    assert result.exit_code == 0, result.output
    assert "language no" in line_with(result.stdout, "│ 1 ")
    assert "every review" in line_with(result.stdout, "│ 2 ")


def test_a_wrong_routes_file_is_one_line_and_exit_2(routed, tmp_path, fake_slack):
    routes = write_routes(tmp_path, "routes:\n  - match: {rating: 9}\n    channel: C0SUOMI\n")
    result = invoke({**routed, "ROUTES_FILE": str(routes)}, "routes")
    assert result.exit_code == 2
    assert result.output.splitlines() == [
        f"reviewbot: ROUTES_FILE: {routes}: rule 1: match.rating: 9 is not a rating or range "
        'of ratings 1-5, like "1-2" or "3"'
    ]


# ----- reviewbot routes test FILE -----------------------------------------------------------

REVIEWS_CSV = """\
source,external_id,rating,text,language,location,brand
google,g-oslo,1,Kaffet var kallt och personalen otrevlig.,,Oslo sentrum,
app_store,a-crash,2,The app crashes every time I open it.,en,,
google,g-fi,2,"Kahvi oli kylmää, palvelu hidasta eikä kukaan pyytänyt anteeksi.",,,norr
google,g-nope,1,Bad,en,,nope
trustpilot,t-sthlm,3,Okay I guess; nothing special about the place.,en,SÖDERMALM,
trustpilot,t-none,3,Fine.,en,Gothenburg,
google,g-nb,2,Maten var kald.,nb-NO,,norr
"""


def test_routes_test_says_where_each_review_goes_and_why(routed, tmp_path, fake_slack):
    reviews = tmp_path / "reviews.csv"
    reviews.write_text(REVIEWS_CSV, encoding="utf-8")
    result = invoke(routed, "routes", "test", str(reviews))
    out = result.stdout

    oslo = line_with(out, "google:g-oslo")  # brand by its location's glob, then rule 1
    assert oslo.startswith("│ 2 ")  # the file's line: the header is line 1
    assert "lumi (Café Lumi)" in oslo and "│ C0OSLO " in oslo
    assert "routed by rule 1: brand lumi, location Oslo *" in oslo
    crash = line_with(out, "app_store:a-crash")
    assert "(no brand)" in crash and "│ C0APPS " in crash and "S0APPTEAM" in crash
    assert "routed by rule 2: source app_store, rating 1-2" in crash
    finnish = line_with(out, "google:g-fi")  # no hint: detected as the app would
    assert "│ fi " in finnish and "norr (Norr Hotell)" in finnish and "│ C0SUOMI " in finnish
    bokmal = line_with(out, "google:g-nb")  # the hint, normalised: nb-NO is nb, `no` takes it
    assert "│ nb " in bokmal and "routed by rule 4: language no" in bokmal
    sthlm = line_with(out, "trustpilot:t-sthlm")  # locations match whatever the case
    assert "lumi (Café Lumi)" in sthlm and "│ C0LUMI " in sthlm
    assert "no route matched; brand lumi's channel" in sthlm
    nothing = line_with(out, "trustpilot:t-none")
    assert "(no brand)" in nothing and "C0REVIEWS (REVIEWS_CHANNEL)" in nothing
    assert "no route matched" in nothing

    # The unknown brand is an error naming the field; the rest still printed.
    assert result.stderr.splitlines() == [
        "reviews.csv:5: brand: unknown brand 'nope'; use one of lumi, norr"
    ]
    assert "g-nope" not in out
    assert result.exit_code == 1


def test_routes_test_reads_json_lines_and_stores_nothing(routed, tmp_path, fake_slack):
    reviews = tmp_path / "reviews.jsonl"
    reviews.write_text(
        '{"source": "google", "external_id": "j1", "rating": 1, "text": "Kallt kaffe.",'
        ' "location": "Oslo Storo"}\n'
        '{"source": "google", "external_id": "j2", "rating": 5, "text": "Lovely staff.", "language": "en",'
        ' "brand": "norr"}\n'
        "not json\n",
        encoding="utf-8",
    )
    result = invoke(routed, "routes", "test", str(reviews))
    assert "routed by rule 1" in line_with(result.stdout, "google:j1")
    assert "│ C0NORR " in line_with(result.stdout, "google:j2")
    assert result.stderr.splitlines() == ["reviews.jsonl:3: row: not valid JSON: Expecting value"]
    assert result.exit_code == 1
    assert not (tmp_path / "run.db").exists()
    assert fake_slack.calls() == []


def test_routes_test_without_routes_file_sends_everything_to_reviews_channel(
    env,  # noqa: F811
    tmp_path,
):
    reviews = tmp_path / "reviews.jsonl"
    reviews.write_text(
        '{"source": "google", "external_id": "x1", "rating": 1, "text": "Kallt.", "brand": "lumi"}\n',
        encoding="utf-8",
    )
    result = invoke(env, "routes", "test", str(reviews))
    assert result.exit_code == 0, result.output
    line = line_with(result.stdout, "google:x1")  # without brands, a `brand` field is ignored
    assert "(no brand)" in line and "C0REVIEWS (REVIEWS_CHANNEL)" in line


def test_a_brand_without_a_channel_falls_back_to_reviews_channel(routed, tmp_path):
    routes = write_routes(tmp_path, LUMI + "    locations: [Södermalm]\n")
    settings = {**routed, "ROUTES_FILE": str(routes)}
    shown = invoke(settings, "routes", "--no-check").stdout
    lumi = line_with(shown, "│ lumi ")
    assert "C0REVIEWS (REVIEWS_CHANNEL)" in lumi and "only the deployment's" in lumi
    reviews = tmp_path / "reviews.jsonl"
    reviews.write_text(
        '{"source": "google", "external_id": "s1", "rating": 1, "text": "Kallt kaffe.",'
        ' "language": "sv", "location": "Södermalm"}\n',
        encoding="utf-8",
    )
    result = invoke(settings, "routes", "test", str(reviews))
    assert result.exit_code == 0, result.output
    line = line_with(result.stdout, "google:s1")
    assert "lumi (Café Lumi)" in line and "C0REVIEWS (REVIEWS_CHANNEL)" in line
    assert "│ no route matched " in line


# ----- reviewbot run and doctor -------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "where"),
    [
        (LUMI + "    colour: red\n", "brands.lumi.colour: unknown key"),
        (
            "routes:\n  - match: {brand: lumi, langauge: fi}\n    channel: C0SUOMI\n",
            "rule 1: match.langauge: unknown key",
        ),
        (
            LUMI + '    locations: ["Oslo ["]\n',
            "brands.lumi.locations: 'Oslo [' is not a valid pattern: a [ without its ]",
        ),
        (
            LUMI + "routes:\n  - match: {language: fi}\n    channel: C0SUOMI\n"
            '  - match: {rating: "4-2"}\n    channel: C0SUOMI\n',
            "rule 2: match.rating: '4-2': the range runs backwards; write \"2-4\"",
        ),
        (
            "brands:\n  lumi:\n    profile: missing.yml\n",
            "brands.lumi.profile: Business profile {folder}/missing.yml not found",
        ),
        (
            "brands:\n  lumi:\n    profile: broken.yml\n",
            "brands.lumi.profile: Business profile {folder}/broken.yml: field 'brand'",
        ),
        (
            "brands:\n  lumi:\n    profile: unparsable.yml\n",
            "brands.lumi.profile: Business profile {folder}/unparsable.yml is not valid YAML",
        ),
        (
            LUMI + '    channel: "#lumi"\n',
            "brands.lumi.channel: '#lumi' is not a channel id (C… or G…",
        ),
        (
            "routes:\n  - match: {language: fi}\n    channel: suomi\n",
            "rule 1: channel: 'suomi' is not a channel id",
        ),
    ],
)
def test_run_stops_on_a_wrong_routes_file_in_one_line(env, tmp_path, text, where):  # noqa: F811
    (tmp_path / "broken.yml").write_text("brand: ''\n", encoding="utf-8")
    (tmp_path / "unparsable.yml").write_text("brand: [Lumi\n", encoding="utf-8")
    routes = write_routes(tmp_path, text)
    result = CliRunner().invoke(cli, ["run"], env={**env, "ROUTES_FILE": str(routes)})
    assert result.exit_code == 2
    (line,) = result.output.splitlines()
    assert line.startswith(f"reviewbot: ROUTES_FILE: {routes}: ")
    assert where.format(folder=tmp_path) in line
    assert not (tmp_path / "run.db").exists()


def test_run_passes_its_checks_with_a_good_routes_file(routed, monkeypatch):
    from bot.startup.run_checks import load_all

    for name, value in routed.items():
        monkeypatch.setenv(name, value)
    settings, found = load_all()
    assert found == []
    assert settings is not None and settings.routes_file == Path(routed["ROUTES_FILE"])


def test_doctor_shows_what_the_routes_file_holds(installed, tmp_path):  # noqa: F811
    code, output = doctor({**installed, "ROUTES_FILE": str(write_routes(tmp_path))})
    assert code == 0, output
    line = row(output, "ROUTES_FILE")
    assert " ok " in line and "2 brands (lumi, norr), 4 routes, 9 channels" in line
    assert "reviewbot routes" in line


def test_doctor_names_the_problem_of_a_wrong_routes_file(installed, tmp_path):  # noqa: F811
    routes = write_routes(tmp_path, LUMI + "    sla: soon\n")
    code, output = doctor({**installed, "ROUTES_FILE": str(routes)})
    assert code == 1
    line = row(output, "ROUTES_FILE")
    assert "routes" in line and "FAIL" in line and "brands.lumi.sla" in line


def test_doctor_without_routes_file_says_one_brand(installed):  # noqa: F811
    code, output = doctor(installed)
    assert code == 0
    assert "not set: one brand" in row(output, "ROUTES_FILE")


def test_the_readme_and_docs_routes_files_load(routed, tmp_path):
    """The files the operator copies from README.md and docs/routing.md are valid as written."""
    import re

    import yaml

    from bot.config import PROJECT_ROOT

    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    guide = (PROJECT_ROOT / "docs" / "routing.md").read_text(encoding="utf-8")
    for doc in (readme.split("## An agency with three brands", 1)[1], guide):
        text = re.search(r"```yaml\n(.*?)```", doc, re.DOTALL).group(1)  # type: ignore[union-attr]
        for brand_id, brand in yaml.safe_load(text)["brands"].items():
            profile = tmp_path / brand["profile"]
            profile.parent.mkdir(parents=True, exist_ok=True)
            profile.write_text(f"brand: Brand {brand_id}\n", encoding="utf-8")
        routes = tmp_path / "routes.yml"
        routes.write_text(text, encoding="utf-8")
        result = invoke({**routed, "ROUTES_FILE": str(routes)}, "routes", "--no-check")
        assert result.exit_code == 0, result.output
        assert "rule" in result.stdout
