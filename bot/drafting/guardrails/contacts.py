"""Contact details and links: only those the profile gives (or the customer wrote) may appear."""

from __future__ import annotations

import re
from collections.abc import Iterable

import phonenumbers

from bot.drafting.guardrails.context import DraftContext
from bot.drafting.schema import Finding

# Lookarounds instead of \b: Python treats Han characters as word characters, so \b finds no
# edge between "請上" and "cafe.se".
_ASCII_EDGE_BEFORE = r"(?<![A-Za-z0-9._%+-])"
_ASCII_EDGE_AFTER = r"(?![A-Za-z0-9-])"
EMAIL = re.compile(_ASCII_EDGE_BEFORE + r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
URL = re.compile(r"(?:https?://|www\.)[^\s<>\"'()\[\]（）「」『』【】，。！？]+", re.IGNORECASE)
# Bare domains only with lower-case TLDs a customer-service reply might carry, so "t.ex.",
# "f.eks." or a missing space in "misstag.De" are not taken for links.
BARE_DOMAIN = re.compile(
    _ASCII_EDGE_BEFORE
    + r"(?:[A-Za-z0-9-]+\.)+(?:com|net|org|se|no|fi|dk|de|eu|io|tw|cn|hk|info|shop|app|nu|uk)"
    + _ASCII_EDGE_AFTER
    + r"(?:/[^\s<>\"'()（）「」，。！？]*)?",
)
_SEPARATOR = re.compile(r"[ \u00a0.()-]+")
# Dates have as many digits as Danish or Norwegian phone numbers.
_DATE = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}$|^\d{1,2}[./-]\d{1,2}[./-]\d{2,4}$")


def contacts(ctx: DraftContext) -> list[Finding]:
    known = [*ctx.profile.known_contacts(), *([ctx.review_text] if ctx.review_vouches else [])]
    known_text = " ".join(known).casefold()
    findings = []
    for email in dict.fromkeys(m.group() for m in EMAIL.finditer(ctx.text)):
        if email.casefold() not in known_text:
            findings.append(_finding(ctx, "contact", "contact_email", email))
    regions = _regions(ctx)
    known_numbers = {n for text in known for n in _phone_numbers(text, regions)}
    # Amounts ("1 000 000 kr") and e-mail addresses are not numbers to call.
    masked = _masked(ctx.text, [EMAIL, ctx.vocabulary.amount])
    for raw, number in _phone_matches(masked, regions):
        if number not in known_numbers:
            findings.append(_finding(ctx, "contact", "contact_phone", raw))
    return findings


def links(ctx: DraftContext) -> list[Finding]:
    allowed = [
        _normalise_link(link)
        for link in (*ctx.profile.allowed_links, *ctx.profile.known_contacts(), ctx.profile.brand)
    ]
    if ctx.review_vouches:
        allowed += [_normalise_link(link) for link in _links_in(ctx.review_text)]
    findings = []
    for link in dict.fromkeys(_links_in(ctx.text)):
        norm = _normalise_link(link)
        if not any(norm == ok or norm.startswith(ok + "/") for ok in allowed):
            findings.append(_finding(ctx, "link", "link", link))
    return findings


def _finding(ctx: DraftContext, code: str, key: str, found: str) -> Finding:
    return Finding(code, ctx.say(key, found=found, contact=ctx.contact))


def _links_in(text: str) -> list[str]:
    without_emails = EMAIL.sub(" ", text)
    candidates = [m.group() for m in URL.finditer(without_emails)]
    candidates += [m.group() for m in BARE_DOMAIN.finditer(URL.sub(" ", without_emails))]
    return [c.rstrip(".,;:!?") for c in candidates]


def _normalise_link(link: str) -> str:
    link = re.sub(r"^(?:https?://)?(?:www\.)?", "", link.strip().casefold())
    return link.rstrip("/.,;:!?")


def _regions(ctx: DraftContext) -> list[str]:
    """The profile's countries and the country of the review's language: a Danish reply may
    carry a Danish number written without +45."""
    regions = [country.upper() for country in ctx.profile.countries]
    if ctx.terms and ctx.terms.region:
        regions.append(ctx.terms.region)
    return list(dict.fromkeys(regions)) or [phonenumbers.UNKNOWN_REGION]


def _phone_matches(text: str, regions: Iterable[str]) -> list[tuple[str, int]]:
    """(as written, national number) for each phone number in `text`, once per place."""
    found: dict[tuple[int, int], tuple[str, int]] = {}
    for region in regions:
        for match in phonenumbers.PhoneNumberMatcher(text, region):
            raw = match.raw_string
            # A bare run of digits is more often an order number than a phone number.
            grouped = len(_SEPARATOR.findall(raw.strip())) >= 2
            if (raw.startswith(("+", "0")) or grouped) and not _DATE.match(raw.strip()):
                national = match.number.national_number or 0
                found.setdefault((match.start, match.end), (raw, national))
    return list(found.values())


def _phone_numbers(text: str, regions: Iterable[str]) -> set[int]:
    return {number for _, number in _phone_matches(text, regions)}


def _masked(text: str, patterns: list[re.Pattern[str]]) -> str:
    for pattern in patterns:
        text = pattern.sub(lambda m: " " * len(m.group()), text)
    return text
