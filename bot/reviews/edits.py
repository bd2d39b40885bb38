"""A person's version of a reply: kept as a draft of its own, and set against the model's
draft for the audit."""

from __future__ import annotations

import difflib
from datetime import datetime
from typing import Any

from sqlmodel import Session

from storage.drafts import HUMAN, add_draft
from storage.models import Draft


def add_human_draft(session: Session, *, review_id: int, text: str, at: datetime) -> Draft:
    """The review's next draft version, as a person wrote it."""
    # The model's translation was of its own text; it does not describe this one.
    return add_draft(
        session, review_id=review_id, text=text, kind=HUMAN, reply_translation=None, created_at=at
    )


def edit_detail(model: Draft | None, final_text: str) -> dict[str, Any]:
    """What the model wrote and how the sent text differs from it, for the audit."""
    if model is None:
        return {"model_draft_id": None, "written_by_hand": True}
    diff = difflib.unified_diff(
        model.text.splitlines(),
        final_text.splitlines(),
        f"draft v{model.version} ({model.kind})",
        "sent",
        lineterm="",
    )
    return {"model_draft_id": model.id, "model_text": model.text, "diff": "\n".join(diff)}
