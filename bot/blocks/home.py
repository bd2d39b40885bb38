"""The App Home tab: the last days at a glance, the brands the viewer answers for, the
viewer's assigned reviews, the backlog."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo

from slack_sdk.models.blocks import Block, ContextBlock, DividerBlock, HeaderBlock

from bot.blocks.format import local_time
from bot.blocks.help import DEFAULT_COMMAND
from bot.blocks.kpi import KpiReport, kpi_blocks
from bot.blocks.mrkdwn import escape_mrkdwn, mrkdwn_text, section
from bot.blocks.pending import pending_blocks
from bot.blocks.signature import signature_blocks
from storage.pending import PendingQueue


@dataclass(frozen=True)
class BrandQueue:
    """A brand the viewer answers for, and how many of its reviews wait for a decision."""

    id: str
    name: str
    waiting: int


def brand_blocks(brands: Sequence[BrandQueue], command: str) -> list[Block]:
    """ "Your brands": one line each, with the command for its own figures; nothing without."""
    if not brands:
        return []
    lines = [
        f"• *{escape_mrkdwn(b.name)}* (`{b.id}`) · {b.waiting} waiting — "
        f"`{command} kpi brand:{b.id}`, `{command} pending brand:{b.id}`"
        for b in brands
    ]
    # Ten lines a section keeps each well inside Slack's 3,000 characters.
    sections = [section("\n".join(lines[i : i + 10])) for i in range(0, len(lines), 10)]
    return [HeaderBlock(text="Your brands"), *sections, DividerBlock()]


def build_home(
    report: KpiReport,
    *,
    brands: Sequence[BrandQueue] = (),
    mine: PendingQueue,
    backlog: PendingQueue,
    workspace_url: str | None,
    now: datetime,
    tz: tzinfo,
    signs_as: str,
    own_signature: bool,
    command: str = DEFAULT_COMMAND,
) -> dict:
    """The Home tab view for one user (views.publish), built fresh each time it is opened."""
    blocks: list[Block] = [
        HeaderBlock(text=f"Reviews · {report.label}"),
        *kpi_blocks(report),
        DividerBlock(),
        *brand_blocks(brands, command),
        *signature_blocks(signs_as=signs_as, own=own_signature),
        DividerBlock(),
        HeaderBlock(text=f"Assigned to you · {mine.total}"),
        *pending_blocks(
            mine,
            now=now,
            tz=tz,
            workspace_url=workspace_url,
            empty="Nothing assigned to you is waiting.",
        ),
        DividerBlock(),
        HeaderBlock(text=f"Team backlog · {backlog.total}"),
        *pending_blocks(backlog, now=now, tz=tz, workspace_url=workspace_url),
        ContextBlock(
            elements=[
                mrkdwn_text(
                    f"Updated {local_time(now, tz)} ({tz}). "
                    f"`{command} help` for KPIs over other periods."
                )
            ]
        ),
    ]
    return {"type": "home", "blocks": [block.to_dict() for block in blocks]}
