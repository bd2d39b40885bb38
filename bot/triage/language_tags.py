"""Language tags as sources write them, and the script a Chinese text is written in."""

import re
from functools import cache

from hanzidentifier import helpers as hanzi
from lingua import IsoCode639_1, IsoCode639_3, Language

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
    try:
        if len(primary) == 2:
            return IsoCode639_1.from_str(primary).name.lower()
        language = Language.from_iso_code_639_3(IsoCode639_3.from_str(primary))
        return language.iso_code_639_1.name.lower()
    except ValueError:
        return None


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
