"""Checks every draft before a person sees it; findings travel with the draft to the card."""

from __future__ import annotations

import re
from collections.abc import Callable
from itertools import pairwise

import hanzidentifier

from bot.drafting.profile import BusinessProfile
from bot.drafting.prompts import language_name
from bot.drafting.schema import Finding, ReviewInput
from bot.drafting.signature import SIGNATURE_SLOT

UNDETERMINED = frozenset({"", "und", "unknown", "xx"})
NORWEGIAN = frozenset({"no", "nb", "nn"})

SOURCE_NAMES = {
    "google": "Google",
    "google_business": "Google Business Profile",
    "google_play": "Google Play",
    "app_store": "the App Store",
    "trustpilot": "Trustpilot",
}

# Lookarounds instead of \b: Python treats Han characters as word characters, so \b finds no
# edge between "請上" and "cafe.se".
_ASCII_EDGE_BEFORE = r"(?<![A-Za-z0-9._%+-])"
_ASCII_EDGE_AFTER = r"(?![A-Za-z0-9-])"

EMAIL = re.compile(_ASCII_EDGE_BEFORE + r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
# No dots among the separators: "07.00-18.00" is opening hours, not a number to call.
PHONE = re.compile(r"(?<![A-Za-z0-9])(?:\+|00)?\d[\d ()\u00a0-]{5,}\d(?![A-Za-z0-9])")
DATE = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}$|^\d{1,2}\.\d{1,2}\.\d{2,4}$")
URL = re.compile(r"(?:https?://|www\.)[^\s<>\"'()\[\]（）「」『』【】，。！？]+", re.IGNORECASE)
# Bare domains only with lower-case TLDs a customer-service reply might carry, so "t.ex.",
# "f.eks." or a missing space in "misstag.De" are not taken for links.
BARE_DOMAIN = re.compile(
    _ASCII_EDGE_BEFORE
    + r"(?:[A-Za-z0-9-]+\.)+(?:com|net|org|se|no|fi|dk|de|eu|io|tw|cn|hk|info|shop|app|nu|uk)"
    + _ASCII_EDGE_AFTER
    + r"(?:/[^\s<>\"'()（）「」，。！？]*)?",
)
_NUMBER = r"\d+(?:[ \u00a0.,]\d+)*"
PERCENT_UNITS = frozenset({"%", "procent", "prosent", "prosenttia"})
AMOUNT = re.compile(
    r"(?:(?<![A-Za-z])(?:NT\$|US\$|HK\$|€|\$|£|¥|￥|EUR|SEK|NOK|DKK|USD|TWD|NTD|RMB|CNY)\s?"
    + f"(?P<before>{_NUMBER}))"
    + f"|(?:(?<![\\d.,])(?P<after>{_NUMBER})\\s?"
    + r"(?P<unit>kr\.?|kronor|kroner|:-|sek|nok|dkk|eur|euro[as]?|€|usd|\$|元|圓|块|塊|rmb|cny"
    + r"|twd|ntd|%|procent|prosent|prosenttia)(?![A-Za-z]))",
    re.IGNORECASE,
)
PLACEHOLDER = re.compile(r"\[[^\]\n]{1,40}\]|\{\{|\$\{|<[A-Z][A-Z _]{2,}>")

# What a draft may promise, by kind. A match is not proof of a promise ("we cannot refund"
# matches too), which is why this is a finding for a person and not a refusal.
COMPENSATION_TERMS: dict[str, tuple[str, ...]] = {
    "refund": (
        r"\brefund",
        r"\bmoney back\b",
        r"\breimburse",
        r"återbetal",
        r"pengarna tillbaka",
        r"\brefusjon",
        r"\brefunder",
        r"tilbakebetal",
        r"pengane? tilbake",
        r"\bhyvit",
        r"rahat takaisin",
        r"退款",
        r"退費",
        r"退费",
        r"退錢",
        r"退钱",
    ),
    "voucher": (
        r"\bvoucher",
        r"\bgift ?card",
        r"\bcoupon",
        r"presentkort",
        r"värdecheck",
        r"värdebevis",
        r"rabattkod",
        r"gavekort",
        r"tilgodelapp",
        r"lahjakort",
        r"arvoseteli",
        r"kuponki",
        r"禮券",
        r"礼券",
        r"優惠券",
        r"优惠券",
        r"代金券",
        r"折價券",
        r"折价券",
    ),
    "discount": (
        r"\bdiscount",
        r"\d+ ?% off\b",
        r"\brabatt",
        r"\balennus",
        r"\balennuksen",
        r"折扣",
        r"打折",
    ),
    "free_item": (
        r"(?<!feel )\bfree\b",
        r"\bon the house\b",
        r"\bcomplimentary\b",
        r"\bgratis\b",
        r"\bbjud\w*\s+på\b",
        r"\bspander",
        r"kostnadsfri",
        r"\bilmai",
        r"免費",
        r"免费",
    ),
    "replacement": (
        r"\breplacement\b",
        r"\bsend you a new\b",
        r"\bny vara\b",
        r"\bnytt exemplar\b",
        r"\bny vare\b",
        r"\buuden tuotteen\b",
        r"換貨",
        r"换货",
        r"補寄",
        r"补寄",
    ),
    # Compensation of no particular kind: fine only when the policy allows some kind.
    "compensation": (
        r"\bcompensat",
        r"\bkompensa",
        r"\bersättning",
        r"\berstatning",
        r"\bkorvau",
        r"\bkorvaa",
        r"賠償",
        r"赔偿",
        r"補償",
        r"补偿",
    ),
}
_COMPENSATION = {
    kind: re.compile("|".join(terms), re.IGNORECASE) for kind, terms in COMPENSATION_TERMS.items()
}

# Signs that a review is talking to the model rather than to the business.
INSTRUCTION_MARKERS = re.compile(
    "|".join(
        (
            r"\b(?:ignore|disregard|forget|override)\b[^.!?\n]{0,40}"
            r"\b(?:instructions?|rules|prompt|guidelines)\b",
            r"\bsystem prompt\b",
            r"\byou are now\b",
            r"\bnew instructions\b",
            r"\b(?:write|answer|reply|respond)\b[^.!?\n]{0,20}\bin (?:english|[a-z]+ish)\b",
            r"\bpromise\b[^.!?\n]{0,30}\b(?:refund|money|voucher|compensation)\b",
            r"\b(?:ignorera|strunta i|glöm)\b[^.!?\n]{0,30}\binstruktion",
            r"\b(?:ignorer|glem|gløym)\b[^.!?\n]{0,30}\binstruks",
            r"\b(?:ohita|unohda)\b[^.!?\n]{0,30}\bohjee",
            r"(?:忽略|無視|无视|忘記|忘记)[^。！？\n]{0,10}(?:指令|指示|規則|规则|提示)",
            r"系統提示|系统提示|提示詞|提示词",
        )
    ),
    re.IGNORECASE,
)
# Phrases a reply to a customer never contains, but a model that followed an injection might.
META_TALK = re.compile(
    r"\bas an ai\b|\blanguage model\b|\bsystem prompt\b|\bmy instructions\b"
    r"|\bignore (?:all |your |previous )*instructions\b|</?review>|人工智能|語言模型|语言模型",
    re.IGNORECASE,
)
_SENTENCE_END = re.compile(r"[.!?。！？\n]")
_WORD = re.compile(r"[^\W\d_]+")
_HAN = re.compile(r"[\u3400-\u9fff]+")


def check_draft(
    text: str,
    *,
    review: ReviewInput,
    profile: BusinessProfile,
    detect_language: Callable[[str], str],
) -> list[Finding]:
    """Everything in a draft a person should look at before it is published."""
    if not text.strip():
        return [Finding("empty", "The draft is empty")]
    return [
        *_placeholders(text),
        *_language(text, review, detect_language),
        *_script(text, review.language),
        *_length(text, review),
        *_contacts(text, profile),
        *_links(text, profile),
        *_amounts(text, profile),
        *_compensation(text, profile),
        *_injection(text, review),
    ]


def _placeholders(text: str) -> list[Finding]:
    # The responder's slot is the app's own, filled in at approval.
    found = PLACEHOLDER.search(text.replace(SIGNATURE_SLOT, ""))
    if not found:
        return []
    return [Finding("placeholder", f"Contains a placeholder to fill in: “{found.group()}”")]


def _same_language(expected: str, detected: str) -> bool:
    if expected == detected:
        return True
    if expected.startswith("zh") and detected.startswith("zh"):
        return True  # Traditional vs Simplified is the script check's business.
    return "no" in (expected, detected) and {expected, detected} <= NORWEGIAN


def _language(text: str, review: ReviewInput, detect: Callable[[str], str]) -> list[Finding]:
    if review.language in UNDETERMINED:
        return []
    detected = detect(text)
    if detected in UNDETERMINED or _same_language(review.language, detected):
        return []
    return [
        Finding(
            "language",
            f"The draft reads as {language_name(detected)}; "
            f"the review is in {language_name(review.language)}",
        )
    ]


def _script(text: str, language: str) -> list[Finding]:
    if language == "zh-Hant":
        wrong = [c for c in text if _simplified_only(c)]
        label = "Simplified"
    elif language == "zh-Hans":
        wrong = [c for c in text if _traditional_only(c)]
        label = "Traditional"
    else:
        return []
    if not wrong:
        return []
    chars = "".join(dict.fromkeys(wrong))
    return [
        Finding(
            "script",
            f"{label} characters in a reply that must be {language_name(language)}: {chars}",
        )
    ]


def _simplified_only(char: str) -> bool:
    return hanzidentifier.is_simplified(char) and not hanzidentifier.is_traditional(char)


def _traditional_only(char: str) -> bool:
    return hanzidentifier.is_traditional(char) and not hanzidentifier.is_simplified(char)


def _length(text: str, review: ReviewInput) -> list[Finding]:
    if review.length_limit is None or len(text) <= review.length_limit:
        return []
    platform = SOURCE_NAMES.get(review.source, review.source)
    return [
        Finding(
            "length",
            f"{len(text)} characters; {platform} accepts {review.length_limit}",
        )
    ]


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def _is_phone(candidate: str) -> bool:
    digits = _digits(candidate)
    if not 7 <= len(digits) <= 15 or DATE.match(re.sub(r"\s", "", candidate)):
        return False
    # A bare run of digits is more often an order number than a phone number.
    grouped = len(re.findall(r"[ \u00a0.()-]+", candidate.strip())) >= 2
    return candidate.startswith(("+", "0")) or grouped


def _contacts(text: str, profile: BusinessProfile) -> list[Finding]:
    known = " ".join(profile.known_contacts()).casefold()
    known_digits = [_digits(c) for c in profile.known_contacts() if len(_digits(c)) >= 7]
    findings = []
    for email in dict.fromkeys(m.group() for m in EMAIL.finditer(text)):
        if email.casefold() not in known:
            findings.append(_not_in_profile("contact", "the e-mail address", email))
    # Amounts like "1 000 000 kr" look like grouped digits; they are the amount check's.
    for match in PHONE.finditer(AMOUNT.sub(" ", EMAIL.sub(" ", text))):
        phone = match.group()
        if _is_phone(phone) and not any(_digits(phone)[-7:] in d for d in known_digits):
            findings.append(_not_in_profile("contact", "the phone number", phone.strip()))
    return findings


def _normalise_link(link: str) -> str:
    link = re.sub(r"^(?:https?://)?(?:www\.)?", "", link.strip().casefold())
    return link.rstrip("/.,;:!?")


def _links(text: str, profile: BusinessProfile) -> list[Finding]:
    allowed = [
        _normalise_link(link)
        for link in (*profile.allowed_links, *profile.known_contacts(), profile.brand)
    ]
    without_emails = EMAIL.sub(" ", text)
    candidates = [m.group() for m in URL.finditer(without_emails)]
    candidates += [m.group() for m in BARE_DOMAIN.finditer(URL.sub(" ", without_emails))]
    findings = []
    for link in dict.fromkeys(c.rstrip(".,;:!?") for c in candidates):
        norm = _normalise_link(link)
        if not any(norm == ok or norm.startswith(ok + "/") for ok in allowed):
            findings.append(_not_in_profile("link", "the link", link))
    return findings


def _parse_number(raw: str) -> float:
    compact = re.sub(r"[ \u00a0]", "", raw)
    decimal = re.search(r"[.,](\d{1,2})$", compact)
    whole = compact[: decimal.start()] if decimal else compact
    number = re.sub(r"[.,]", "", whole)
    return float(f"{number}.{decimal.group(1)}" if decimal else number)


def _profile_numbers(profile: BusinessProfile) -> set[float]:
    numbers = {_parse_number(n) for n in re.findall(_NUMBER, profile.compensation)}
    if profile.max_compensation_amount is not None:
        numbers.add(profile.max_compensation_amount)
    return numbers


def _amounts(text: str, profile: BusinessProfile) -> list[Finding]:
    allowed = _profile_numbers(profile)
    findings = []
    for match in AMOUNT.finditer(text):
        value = _parse_number(match.group("before") or match.group("after"))
        amount = match.group().strip()
        if value not in allowed:
            findings.append(_not_in_profile("amount", "the amount", amount))
        is_percent = (match.group("unit") or "").casefold() in PERCENT_UNITS
        limit = profile.max_compensation_amount
        if limit is not None and not is_percent and value > limit:
            findings.append(
                Finding(
                    "compensation",
                    f"Mentions {amount}; the policy allows at most "
                    f"{limit:g} {profile.currency}".rstrip(),
                )
            )
    return findings


def _compensation(text: str, profile: BusinessProfile) -> list[Finding]:
    allowed = set(profile.compensation_kinds)
    findings = []
    for kind, pattern in _COMPENSATION.items():
        found = pattern.search(text)
        if not found:
            continue
        permitted = bool(allowed) if kind == "compensation" else kind in allowed
        if not permitted:
            policy = ", ".join(sorted(allowed)) or "nothing"
            findings.append(
                Finding(
                    "compensation",
                    f"Mentions {kind.replace('_', ' ')} (“{found.group()}”); "
                    f"the business profile allows: {policy}",
                )
            )
    return findings


def _instruction_sentences(review_text: str) -> list[str]:
    sentences = []
    for match in INSTRUCTION_MARKERS.finditer(review_text):
        starts = [m.end() for m in _SENTENCE_END.finditer(review_text, 0, match.start())]
        start = starts[-1] if starts else 0
        end_match = _SENTENCE_END.search(review_text, match.end())
        sentences.append(review_text[start : end_match.end() if end_match else len(review_text)])
    return sentences


def _shingles(text: str) -> set[str]:
    """Word pairs (one word of four letters or more) and runs of three Han characters."""
    words = [w.casefold() for w in _WORD.findall(text) if not _HAN.fullmatch(w)]
    pairs = {f"{a} {b}" for a, b in pairwise(words) if max(len(a), len(b)) >= 4}
    han = {run[i : i + 3] for run in _HAN.findall(text) for i in range(len(run) - 2)}
    return pairs | han


def _injection(text: str, review: ReviewInput) -> list[Finding]:
    findings = []
    meta = META_TALK.search(text)
    if meta:
        findings.append(
            Finding("injection", f"The draft talks about its own instructions (“{meta.group()}”)")
        )
    instructions = _instruction_sentences(f"{review.title or ''}\n{review.text}")
    if instructions:
        draft = _shingles(text)
        echoed = sorted(set().union(*(_shingles(s) for s in instructions)) & draft)
        if echoed:
            findings.append(
                Finding(
                    "injection",
                    "Repeats words from an instruction inside the review: "
                    + ", ".join(f"“{e}”" for e in echoed[:3]),
                )
            )
    return findings


def _not_in_profile(code: str, what: str, value: str) -> Finding:
    return Finding(code, f"Contains {what} {value}, which is not in the business profile")
