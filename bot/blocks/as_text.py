"""Block Kit as plain text, for the terminal (`reviewbot demo`, `reviewbot digest --preview`)."""

from __future__ import annotations


def _unescape(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def blocks_as_text(message: dict) -> str:
    """What a person reads in Slack, roughly: texts in order, buttons as [Label]."""
    parts: list[str] = []
    for block in message["blocks"]:
        kind = block["type"]
        if kind in ("header", "section") and "text" in block:
            parts.append(block["text"]["text"])
        if kind == "section":
            parts.extend(field["text"] for field in block.get("fields", []))
        elif kind == "context":
            parts.append(" ".join(e["text"] for e in block["elements"] if "text" in e))
        elif kind == "divider":
            parts.append("—" * 40)
        elif kind == "actions":
            parts.append(
                "  ".join(f"[{e['text']['text']}]" for e in block["elements"] if "text" in e)
            )
    return _unescape("\n\n".join(parts).replace("```", ""))
