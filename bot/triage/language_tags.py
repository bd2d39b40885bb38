"""Language tags as sources write them, and the script a Chinese text is written in."""

import re
from functools import cache

from hanzidentifier import helpers as hanzi

HANT = "zh-Hant"
HANS = "zh-Hans"

_TAG_ALIASES = {
    "no": "nb",
    "nor": "nb",
    "nob": "nb",
    "nno": "nn",
    "chi": "zh",
    "zho": "zh",
    "cmn": "zh",
}
_HANT_REGIONS = frozenset({"tw", "hk", "mo"})
_HANS_REGIONS = frozenset({"cn", "sg", "my"})
_TAG = re.compile(r"^[a-z]{2,3}(?:-[a-z0-9]{2,8})*$")
# The languages lingua detects, ISO 639-3 to 639-1. A copy of its list, so that checking a
# tag (settings, a web process) never loads lingua's 100 MB library; tests/unit/test_language.py
# keeps the two equal.
# fmt: off
DETECTABLE_LANGUAGES: dict[str, str] = {
    "afr": "af", "ara": "ar", "aze": "az", "bel": "be", "ben": "bn", "bos": "bs", "bul": "bg",
    "cat": "ca", "ces": "cs", "cym": "cy", "dan": "da", "deu": "de", "ell": "el", "eng": "en",
    "epo": "eo", "est": "et", "eus": "eu", "fas": "fa", "fin": "fi", "fra": "fr", "gle": "ga",
    "guj": "gu", "heb": "he", "hin": "hi", "hrv": "hr", "hun": "hu", "hye": "hy", "ind": "id",
    "isl": "is", "ita": "it", "jpn": "ja", "kat": "ka", "kaz": "kk", "kor": "ko", "lat": "la",
    "lav": "lv", "lit": "lt", "lug": "lg", "mar": "mr", "mkd": "mk", "mon": "mn", "mri": "mi",
    "msa": "ms", "nld": "nl", "nno": "nn", "nob": "nb", "pan": "pa", "pol": "pl", "por": "pt",
    "ron": "ro", "rus": "ru", "slk": "sk", "slv": "sl", "sna": "sn", "som": "so", "sot": "st",
    "spa": "es", "sqi": "sq", "srp": "sr", "swa": "sw", "swe": "sv", "tam": "ta", "tel": "te",
    "tgl": "tl", "tha": "th", "tsn": "tn", "tso": "ts", "tur": "tr", "ukr": "uk", "urd": "ur",
    "vie": "vi", "xho": "xh", "yor": "yo", "zho": "zh", "zul": "zu",
}
# fmt: on
_DETECTABLE_CODES = frozenset(DETECTABLE_LANGUAGES.values())


def normalize_language_tag(tag: str | None) -> str | None:
    """A BCP 47-ish tag or ISO 639 code as our code ("nb-NO" -> "nb", "zh-TW" -> "zh-Hant").

    "no" means Bokmål; a plain "zh" stays "zh" because its script is still to be detected.
    Returns None for anything that is not a language lingua knows.
    """
    if not tag:
        return None
    tag = tag.strip().lower().replace("_", "-")
    if not _TAG.match(tag):
        return None
    primary, *subtags = tag.split("-")
    primary = _TAG_ALIASES.get(primary, primary)
    code = _iso_639_1(primary)
    if code != "zh":
        return code
    if "hant" in subtags or _HANT_REGIONS.intersection(subtags):
        return HANT
    if "hans" in subtags or _HANS_REGIONS.intersection(subtags):
        return HANS
    return "zh"


def _iso_639_1(primary: str) -> str | None:
    if len(primary) == 2:
        return primary if primary in _DETECTABLE_CODES else None
    return DETECTABLE_LANGUAGES.get(primary)


def chinese_script(text: str, *, ambiguous: str = HANS) -> str:
    """Return "zh-Hant" or "zh-Hans", counting characters that only one of the scripts has.

    hanzidentifier's own identify() calls a text MIXED as soon as one character of the other
    script appears (a quoted dish name, a typo), so the majority decides instead. A text with
    no script-specific character at all (好吃, 很快) or a tie is written the same in both,
    and gets `ambiguous`, which the caller sets from what it knows about the business.
    """
    only_traditional, only_simplified = _script_specific_characters()
    traditional = sum(char in only_traditional for char in text)
    simplified = sum(char in only_simplified for char in text)
    if traditional > simplified:
        return HANT
    if simplified > traditional:
        return HANS
    return ambiguous


@cache
def _script_specific_characters() -> tuple[frozenset[str], frozenset[str]]:
    traditional, simplified = hanzi.TRADITIONAL_CHARACTERS, hanzi.SIMPLIFIED_CHARACTERS
    return frozenset(traditional - simplified), frozenset(simplified - traditional)
