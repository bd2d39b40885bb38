"""The "Draft quality" table and the 👍 / 👎 on the card, built without Slack."""

from __future__ import annotations

import re
from dataclasses import replace
from zoneinfo import ZoneInfo

from bot.blocks import ids
from bot.blocks.card import build_card
from bot.blocks.draft_quality import ROWS_SHOWN, draft_quality_blocks, draft_quality_table
from bot.blocks.mrkdwn import code_table, shown_width
from storage.draft_quality import DraftQuality, DraftQualityReport
from tests.fakes.slack_blocks import validate_blocks
from tests.support.blocks import assert_message_within_limits, huge_view, make_view

OSLO = ZoneInfo("Europe/Oslo")
SV = DraftQuality(
    approved=8,
    approved_unedited=5,
    edited=3,
    measured=3,
    median_edit=0.042,
    decided=10,
    declined=2,
    drafted=12,
    regenerated=3,
    votes_up=4,
    votes_down=1,
)
FI = DraftQuality(approved=2, edited=2, measured=2, median_edit=0.31, decided=2, drafted=2)
ALL = DraftQuality(
    approved=10,
    approved_unedited=5,
    edited=5,
    measured=5,
    median_edit=0.05,
    decided=12,
    declined=2,
    drafted=14,
    regenerated=3,
    votes_up=4,
    votes_down=1,
)


def cells(table: str, label: str) -> list[str]:
    for line in table.splitlines():
        found = re.split(r"\s{2,}", line.strip())
        if found[0] == label:
            return found[1:]
    raise AssertionError(f"no row {label!r} in:\n{table}")


def test_the_table_gives_each_language_and_the_whole():
    table = draft_quality_table(DraftQualityReport(ALL, {"fi": FI, "sv": SV}))

    assert table.startswith("```\nLanguage")
    assert cells(table, "sv") == ["8", "62%", "4.2%", "25%", "20%", "4", "1"]
    assert cells(table, "fi") == ["2", "0%", "31%", "0%", "0%", "0", "0"]
    assert cells(table, "All") == ["10", "50%", "5.0%", "21%", "17%", "4", "1"]
    # The busiest language first, the whole last.
    rows = [line.split()[0] for line in table.splitlines()[2:-1]]
    assert rows == ["sv", "fi", "All"]


def test_figures_without_a_base_show_a_dash_and_one_language_has_no_total_row():
    votes_only = DraftQuality(votes_up=1)
    table = draft_quality_table(DraftQualityReport(votes_only, {"sv": votes_only}))
    assert cells(table, "sv") == ["0", "–", "–", "–", "–", "1", "0"]
    assert "All" not in table


def test_many_languages_are_cut_to_the_busiest_with_the_rest_summed():
    groups = {f"l{n:02}": replace(SV, decided=n, approved=1) for n in range(ROWS_SHOWN + 3)}
    table = draft_quality_table(DraftQualityReport(ALL, groups))
    assert "3 more" in table and cells(table, "3 more") == ["3"]
    assert "l12" in table and "l00" not in table


def test_columns_line_up_as_slack_shows_them():
    table = code_table(["", "👍", "A&amp;B"], [["粵語", "1", "x"], ["sv", "12", "&lt;"]])
    lines = table.splitlines()[1:-1]
    assert {shown_width(line) for line in lines} == {shown_width(lines[0])}
    assert shown_width("粵語") == 4 and shown_width("&lt;b&gt;") == 3


def test_the_blocks_are_valid_and_say_what_each_figure_means():
    blocks = [b.to_dict() for b in draft_quality_blocks(DraftQualityReport(ALL, {"sv": SV}))]
    assert validate_blocks(blocks) == []
    assert blocks[0]["text"]["text"].startswith("*Draft quality*\n```")
    assert "signing aside" in blocks[1]["elements"][0]["text"]


def test_an_empty_period_says_so_in_one_line():
    [block] = draft_quality_blocks(DraftQualityReport())
    assert "nothing was drafted or decided" in block.to_dict()["text"]["text"]


def test_a_pending_draft_carries_the_two_votes_for_that_draft():
    view = make_view()
    view = replace(view, draft=replace(view.draft, draft_id=17))
    card = build_card(view, tz=OSLO)
    votes = next(b for b in card["blocks"] if b.get("block_id") == "draft_vote")
    assert [(e["text"]["text"], e["action_id"], e["value"]) for e in votes["elements"]] == [
        ("👍", ids.ACTION_VOTE_UP, "42:d17"),
        ("👎", ids.ACTION_VOTE_DOWN, "42:d17"),
    ]
    assert ids.decode_draft_ref("42:d17") == (42, 17)
    assert validate_blocks(card["blocks"]) == []


def test_no_votes_on_a_persons_own_version_or_a_decided_card():
    view = make_view()
    human = replace(view, draft=replace(view.draft, draft_id=17, kind="human"))
    assert "draft_vote" not in str(build_card(human, tz=OSLO)["blocks"])
    drafting = replace(view, state="drafting", draft=replace(view.draft, draft_id=17))
    assert "draft_vote" not in str(build_card(drafting, tz=OSLO)["blocks"])


def test_a_huge_pending_card_with_votes_stays_within_limits():
    view = huge_view("pending")
    view = replace(view, draft=replace(view.draft, draft_id=17))
    card = build_card(view, tz=OSLO)
    assert_message_within_limits(card)
    assert validate_blocks(card["blocks"]) == []
