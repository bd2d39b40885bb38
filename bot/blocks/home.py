"""The App Home tab: the last days at a glance, the viewer's assigned reviews, the backlog."""

from __future__ import annotations

from datetime import datetime, tzinfo

from slack_sdk.models.blocks import Block, ContextBlock, DividerBlock, HeaderBlock

from bot.blocks.format import local_time
from bot.blocks.help import DEFAULT_COMMAND
from bot.blocks.kpi import KpiReport, kpi_blocks
from bot.blocks.mrkdwn import mrkdwn_text
from bot.blocks.pending import pending_blocks
from bot.blocks.signature import signature_blocks
from storage.pending import PendingQueue


def build_home(
    report: KpiReport,
    *,
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
