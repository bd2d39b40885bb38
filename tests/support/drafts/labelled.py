"""The labelled drafts in tests/drafts/<language>.yml and how the draft checks score on them.

Each item is a review, a draft as a native speaker would write a model's output for it, and
the finding codes a responder must see ([] for a reply ready to publish). A planted problem
counts as found when its code is among the findings; a clean draft counts as flagged when it
has any finding at all.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import yaml

from bot.config import Settings
from bot.drafting.profile import BusinessProfile
from bot.drafting.schema import ReviewInput
from bot.wiring import build_triage

DRAFTS_DIR = Path(__file__).resolve().parent
LANGUAGES = ("sv", "nb", "nn", "fi", "zh-Hant", "zh-Hans", "en", "da", "de")

Check = Callable[[str, ReviewInput, BusinessProfile, Callable[[str], str]], Sequence[str]]


@dataclass(frozen=True)
class LabelledDraft:
    language: str
    profile_name: str
    review: ReviewInput
    draft: str
    expected: frozenset[str]
    note: str


@dataclass
class Score:
    """One language's figures: planted and found per finding code, clean drafts flagged."""

    planted: Counter[str] = field(default_factory=Counter)
    found: Counter[str] = field(default_factory=Counter)
    clean: int = 0
    flagged_clean: int = 0
    flagged_by: Counter[str] = field(default_factory=Counter)
    extra: Counter[str] = field(default_factory=Counter)
    misses: list[str] = field(default_factory=list)
    false_alarms: list[str] = field(default_factory=list)

    @property
    def recall(self) -> float:
        planted = sum(self.planted.values())
        return sum(self.found.values()) / planted if planted else 1.0

    @property
    def false_positive_rate(self) -> float:
        return self.flagged_clean / self.clean if self.clean else 0.0

    def add(self, item: LabelledDraft, codes: Sequence[str]) -> None:
        got = set(codes)
        if not item.expected:
            self.clean += 1
            if got:
                self.flagged_clean += 1
                self.flagged_by.update(got)
                self.false_alarms.append(f"{_first_line(item)} → {sorted(got)}")
            return
        for code in item.expected:
            self.planted[code] += 1
            if code in got:
                self.found[code] += 1
            else:
                self.misses.append(f"{_first_line(item)}: {code} missed (got {sorted(got)})")
        self.extra.update(got - item.expected)


def _first_line(item: LabelledDraft) -> str:
    body = [line for line in item.draft.splitlines()[1:] if line.strip()]
    return f"[{item.language}] {(body[0] if body else item.draft)[:70]}"


@cache
def profiles() -> dict[str, BusinessProfile]:
    data = yaml.safe_load((DRAFTS_DIR / "profiles.yml").read_text(encoding="utf-8"))
    return {name: BusinessProfile.model_validate(fields) for name, fields in data.items()}


@cache
def load(language: str) -> tuple[LabelledDraft, ...]:
    data = yaml.safe_load((DRAFTS_DIR / f"{language}.yml").read_text(encoding="utf-8"))
    items = []
    for entry in data["items"]:
        review = entry["review"]
        items.append(
            LabelledDraft(
                language=language,
                profile_name=entry.get("profile", data["profile"]),
                review=ReviewInput(
                    source=review.get("source", "google"),
                    rating=review.get("rating"),
                    title=review.get("title"),
                    text=review.get("text", ""),
                    author=review.get("author"),
                    language=review.get("language", data["language"]),
                    location=review.get("location"),
                    length_limit=review.get("length_limit"),
                ),
                draft=entry["draft"],
                expected=frozenset(entry["expect"]),
                note=entry.get("note", ""),
            )
        )
    return tuple(items)


@cache
def detector(profile_name: str) -> Callable[[str], str]:
    """The draft detector the app builds for this business (see bot/services.build_triage)."""
    settings = Settings(_env_file=None)  # the defaults, whatever .env a developer keeps
    return build_triage(settings, profiles()[profile_name]).detect_language


def score(check: Check, language: str) -> Score:
    result = Score()
    for item in load(language):
        profile = profiles()[item.profile_name]
        result.add(item, check(item.draft, item.review, profile, detector(item.profile_name)))
    return result
