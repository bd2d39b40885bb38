"""What a review is about, from keywords, for when no LLM is configured to say so."""

from typing import Literal, get_args

from bot.triage.lexicons import lexicon_for

# The one theme vocabulary: keyword triage, the LLM's structured output and the KPIs share it.
Theme = Literal[
    "delivery",
    "product_quality",
    "staff_service",
    "waiting_time",
    "price",
    "cleanliness",
    "app_website",
    "billing",
    "other",
]
THEMES: tuple[str, ...] = get_args(Theme)

THEME_LABELS: dict[str, str] = {
    "delivery": "Delivery",
    "product_quality": "Product quality",
    "staff_service": "Staff and service",
    "waiting_time": "Waiting time",
    "price": "Price",
    "cleanliness": "Cleanliness",
    "app_website": "App or website",
    "billing": "Billing",
    "other": "Other",
}


def keyword_themes(text: str, language: str) -> list[str]:
    """The themes whose keywords occur in the text, in THEMES order; ["other"] for none."""
    lexicon = lexicon_for(language)
    found = [theme for theme in THEMES[:-1] if lexicon.theme_matches(text, theme)]
    return found or ["other"]
