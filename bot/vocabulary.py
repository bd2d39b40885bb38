"""The English names of the codes the app stores and shows: languages, review sources and
decline reasons. One copy, read by the prompts, the settings checks and the Slack messages;
pure data, so anything may import it."""

# BCP 47 codes as triage and the drafters use them; "no" and "zh" are what a source says
# before detection picks the variant or the script.
LANGUAGE_NAMES: dict[str, str] = {
    "sv": "Swedish",
    "nb": "Norwegian Bokmål",
    "nn": "Norwegian Nynorsk",
    "no": "Norwegian",
    "fi": "Finnish",
    "zh-Hant": "Chinese, Traditional script",
    "zh-Hans": "Chinese, Simplified script",
    "zh": "Chinese",
    "da": "Danish",
    "en": "English",
    "de": "German",
    "fr": "French",
    "es": "Spanish",
    "it": "Italian",
    "nl": "Dutch",
    "pl": "Polish",
    "is": "Icelandic",
    "et": "Estonian",
}

SOURCE_NAMES: dict[str, str] = {
    "google": "Google",
    "trustpilot": "Trustpilot",
    "app_store": "App Store",
    "google_play": "Google Play",
    "webshop": "Web shop",
}

DECLINE_REASONS: dict[str, str] = {
    "not_worth_reply": "Not worth a reply",
    "spam_or_fake": "Spam or fake",
    "handled_elsewhere": "Handled elsewhere",
    "other": "Other",
}
