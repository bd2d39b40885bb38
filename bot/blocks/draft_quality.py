"""The "Draft quality" table of `/reviews kpi` and the weekly digest: per language, how the
team treated the drafts the model and the templates wrote. Pure: figures in, blocks out."""

from __future__ import annotations

from slack_sdk.models.blocks import Block, ContextBlock, SectionBlock

from bot.blocks.format import NO_FIGURE, share
from bot.blocks.mrkdwn import code_table, mrkdwn_text, shorten_escaped
from storage.draft_quality import DraftQuality, DraftQualityReport

ROWS_SHOWN = 10  # groups shown; the rest are summed in one row
HEADER = ("Approved", "Unedited", "Med. edit", "Regen.", "Declined", "👍", "👎")
EXPLAINED = (
    "Approved: approvals of model and template drafts · Unedited: of those, sent as drafted · "
    "Med. edit: of the edited ones, the median share of the draft's characters changed "
    "(signing aside) · Regen.: reviews drafted that someone asked to redraft · "
    "Declined: of the reviews decided · 👍/👎: votes on drafts"
)


def _edit(value: float | None) -> str:
    """Small edits keep a decimal: "2.5%" says more than "3%" when most edits are small."""
    if value is None:
        return NO_FIGURE
    return f"{value:.1%}" if 0 < value < 0.1 else f"{value:.0%}"


def _cells(name: str, q: DraftQuality) -> list[str]:
    return [
        name,
        str(q.approved),
        share(q.unedited_share),
        _edit(q.median_edit),
        share(q.regenerate_rate),
        share(q.decline_rate),
        str(q.votes_up),
        str(q.votes_down),
    ]


def draft_quality_table(report: DraftQualityReport, *, title: str = "Language") -> str:
    """The table in a code block, the busiest groups first, with the whole at the bottom."""
    ranked = sorted(
        report.groups.items(), key=lambda item: (-(item[1].decided + item[1].drafted), item[0])
    )
    rows = [_cells(shorten_escaped(key, 16)[0], q) for key, q in ranked[:ROWS_SHOWN]]
    if rest := ranked[ROWS_SHOWN:]:
        more = [f"{len(rest)} more", str(sum(q.approved for _, q in rest))]
        rows.append(more + [""] * (len(HEADER) - 1))
    if len(ranked) > 1:
        rows.append(_cells("All", report.total))
    return code_table([title, *HEADER], rows)


def draft_quality_blocks(report: DraftQualityReport, *, title: str = "Language") -> list[Block]:
    if report.total.is_empty:
        return [
            SectionBlock(
                text=mrkdwn_text("*Draft quality:* nothing was drafted or decided in this period.")
            )
        ]
    table = draft_quality_table(report, title=title)
    return [
        SectionBlock(text=mrkdwn_text(f"*Draft quality*\n{table}")),
        ContextBlock(elements=[mrkdwn_text(EXPLAINED)]),
    ]
