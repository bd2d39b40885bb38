"""What the review card shows, as data: the review, its draft and the decision on it. The
card and the modals are built from a `CardView`; the cards service fills one from storage."""

from dataclasses import dataclass
from datetime import datetime
from typing import Literal


@dataclass(frozen=True)
class CardFinding:
    code: str
    message: str


@dataclass(frozen=True)
class CardDraft:
    version: int
    text: str
    translation: str | None
    kind: Literal["llm", "template", "human"]
    findings: tuple[CardFinding, ...] = ()
    draft_id: int | None = None  # what a 👍 / 👎 on it is stored against


@dataclass(frozen=True)
class CardDecision:
    action: Literal["approved", "declined"]
    actor: str  # Slack user id
    at: datetime
    final_text: str | None = None
    edited: bool = False
    reason: str | None = None


@dataclass(frozen=True)
class CardView:
    review_id: int
    card_version: int
    source: str
    rating: int | None
    title: str | None
    text: str
    author: str | None
    location: str | None
    url: str | None
    created_at: datetime | None
    language: str
    language_assumed: bool
    review_translation: str | None
    team_language: str
    themes: tuple[str, ...]
    priority: Literal["normal", "urgent"]
    urgent_reason: str | None
    lead_contacts: tuple[str, ...]
    state: Literal["drafting", "pending", "draft_failed", "approved", "declined", "positive"]
    draft: CardDraft | None
    draft_error: str | None
    assignee: str | None
    decision: CardDecision | None
    publish_state: Literal["none", "publishing", "published", "failed", "manual", "posted"] = "none"
    publish_error: str | None = None
    rating_change: tuple[int, int] | None = None
    changed_after_reply: bool = False
    sla_breached: bool = False
    waiting_since: datetime | None = None  # when the first draft was asked for
    # What the customer changed since the draft was written ("2★ → 4★"); None: the draft
    # answers the review as it stands.
    draft_outdated: str | None = None
    erased: bool = False  # the customer's personal data was erased: nothing to answer
    # The app drafts from templates: no model translates, reads for urgency or follows an
    # instruction, and the card says so rather than leave a gap or a promise.
    without_model: bool = False
    # Whose review it is and why its card is in this channel ("routed by rule 1: brand lumi,
    # location Oslo *"): ROUTES_FILE's, None in a deployment of one brand.
    brand_name: str | None = None
    route: str | None = None


def review_body(view: CardView) -> str:
    """The title and the text, as one untrusted string."""
    return f"{view.title}\n\n{view.text}" if view.title else view.text
