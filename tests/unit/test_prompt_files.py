"""The language guides and fallback templates under prompts/ are content the drafting code
loads at run time; these tests hold them to the contract that code and the customers rely on."""

import re
import string
from itertools import cycle, product
from pathlib import Path

import hanzidentifier
import pytest
import yaml
from lingua import Language, LanguageDetectorBuilder

from bot.triage.themes import THEMES as THEME_VOCABULARY

PROMPTS = Path(__file__).resolve().parents[2] / "prompts"
GUIDE_CODES = ["sv", "nb", "nn", "fi", "zh-Hant", "zh-Hans", "generic"]
TEMPLATE_CODES = ["sv", "nb", "nn", "fi", "zh-Hant", "zh-Hans", "da", "en"]
THEMES = set(THEME_VOCABULARY)
# The only placeholders the template filler provides, per key.
PLACEHOLDERS = {
    "greeting_named": {"customer"},
    "greeting_anonymous": set(),
    "openings": {"theme"},
    "openings_without_text": set(),
    "quotings": {"quote"},
    "bodies": {"contact"},
    "signoff": {"responder", "brand"},
}
# Keys that hold two or three alternatives, one of which a draft takes.
VARIANT_KEYS = ["openings", "openings_without_text", "quotings", "bodies"]
TEMPLATE_KEYS = {*PLACEHOLDERS, "themes"}
GUIDE_SECTIONS = [
    "Register",
    "Apologising",
    "Name the concrete problem",
    "Next step and private channel",
    "Length",
    "Example replies",
]
FILL = {
    "customer": "Kari",
    "quote": "pakken kom aldri",
    "contact": "kundeservice@example.com",
    "responder": "Ingrid",
    "brand": "Kaffebrenneriet Nord",
}
BOKMAL_ONLY = ["ikke", "jeg", "hva", "hvordan", "bare", "fra", "være", "vennlig hilsen"]
NYNORSK_ONLY = ["ikkje", "eg", "kva", "korleis", "berre", "frå", "vere", "venleg helsing"]
# A fallback must never promise compensation; these stems would betray one.
COMPENSATION_STEMS = [
    "refund",
    "compensat",
    "voucher",
    "återbetal",
    "ersättning",
    "erstatning",
    "refusjon",
    "godtgør",
    "hyvit",
    "korvau",
    "退款",
    "賠償",
    "赔偿",
    "補償",
    "补偿",
]
DETECTED_AS = {
    "sv": Language.SWEDISH,
    "nb": Language.BOKMAL,
    "nn": Language.NYNORSK,
    "da": Language.DANISH,
    "fi": Language.FINNISH,
    "en": Language.ENGLISH,
}


def guide_text(code: str) -> str:
    return (PROMPTS / "languages" / f"{code}.md").read_text(encoding="utf-8")


def load_template(code: str) -> dict:
    return yaml.safe_load((PROMPTS / "templates" / f"{code}.yml").read_text(encoding="utf-8"))


def template_strings(template: dict) -> list[str]:
    texts = [template[key] for key in PLACEHOLDERS if key not in VARIANT_KEYS]
    texts += [text for key in VARIANT_KEYS for text in template[key]]
    return texts + list(template["themes"].values())


def example_replies(guide: str) -> list[str]:
    """The example replies are the ```text blocks under "## Example replies"; everything
    else in a guide is instruction and may quote forms to avoid."""
    section = guide.split("\n## Example replies", 1)[1]
    section = re.split(r"\n## ", section, maxsplit=1)[0]
    return re.findall(r"^```text\n(.*?)^```", section, flags=re.DOTALL | re.MULTILINE)


def words_found(text: str, words: list[str]) -> set[str]:
    return {w for w in words if re.search(rf"\b{re.escape(w)}\b", text, flags=re.IGNORECASE)}


def filled_replies(code: str) -> list[str]:
    """Every combination of opening, quoting and body (the themes taken in turn), and every
    answer to a rating without text."""
    template = load_template(code)
    greeting = string.Template(template["greeting_named"]).substitute(FILL)
    signoff = string.Template(template["signoff"]).substitute(FILL)
    joiner = "" if code.startswith("zh") else " "
    themes = cycle(template["themes"].values())
    paragraphs = [
        [string.Template(opening).substitute(theme=next(themes)), quoting, body]
        for opening, quoting, body in product(
            template["openings"], template["quotings"], template["bodies"]
        )
    ]
    paragraphs += [
        list(pair) for pair in product(template["openings_without_text"], template["bodies"])
    ]
    return [
        "\n\n".join(
            [greeting, joiner.join(string.Template(s).substitute(FILL) for s in sentences), signoff]
        )
        for sentences in paragraphs
    ]


def foreign_script_chars(text: str, code: str) -> set[str]:
    unwanted = hanzidentifier.SIMPLIFIED if code == "zh-Hant" else hanzidentifier.TRADITIONAL
    return {ch for ch in text if hanzidentifier.identify(ch) == unwanted}


@pytest.fixture(scope="module")
def detector():
    return LanguageDetectorBuilder.from_languages(*DETECTED_AS.values()).build()


@pytest.mark.parametrize("code", GUIDE_CODES)
def test_guide_has_every_section_and_a_focused_length(code):
    guide = guide_text(code)
    headings = re.findall(r"^## (.+)$", guide, flags=re.MULTILINE)
    for section in GUIDE_SECTIONS:
        assert any(h.startswith(section) for h in headings), f"{code}: no '## {section}…'"
    assert 60 <= len(guide.splitlines()) <= 130


@pytest.mark.parametrize("code", GUIDE_CODES)
def test_guide_examples_are_marked_and_use_profile_values_only(code):
    guide = guide_text(code)
    replies = example_replies(guide)
    assert 2 <= len(replies) <= 3
    assert "examples of tone, not texts to copy" in guide
    for reply in replies:
        # Contact, responder and brand come from settings; an example with real-looking
        # values would teach the model to invent them.
        for marker in ("[contact]", "[responder]", "[brand]"):
            assert marker in reply
        assert not re.search(r"@|https?://|\+?\d[\d ]{6,}", reply)


@pytest.mark.parametrize("code", GUIDE_CODES)
def test_guide_survives_being_embedded_by_format_or_template(code):
    # The loader may splice guides into the system prompt with str.format or
    # string.Template; a stray brace or dollar would break or alter the prompt.
    assert not set("{}$") & set(guide_text(code))


@pytest.mark.parametrize("code", TEMPLATE_CODES)
def test_template_has_exactly_the_contract_keys_and_themes(code):
    template = load_template(code)
    assert set(template) == TEMPLATE_KEYS
    assert set(template["themes"]) == THEMES
    for key in VARIANT_KEYS:
        assert 2 <= len(template[key]) <= 3, f"{code}.{key}: two or three alternatives"
        assert len(set(template[key])) == len(template[key])
    for value in template_strings(template):
        assert isinstance(value, str) and value.strip()


@pytest.mark.parametrize("code", TEMPLATE_CODES)
def test_template_uses_only_the_placeholders_the_filler_provides(code):
    template = load_template(code)
    for key, allowed in PLACEHOLDERS.items():
        for text in template[key] if key in VARIANT_KEYS else [template[key]]:
            tpl = string.Template(text)
            assert tpl.is_valid(), f"{code}.{key}: bad $ syntax"
            assert set(tpl.get_identifiers()) == allowed, f"{code}.{key}: {text}"
    for phrase in template["themes"].values():
        assert string.Template(phrase).get_identifiers() == []
        assert "$" not in phrase


@pytest.mark.parametrize("code", TEMPLATE_CODES)
def test_template_fills_into_a_short_reply_for_every_theme(code):
    template = load_template(code)
    anonymous = string.Template(template["greeting_anonymous"]).substitute(FILL)
    assert anonymous and "$" not in anonymous
    for opening in template["openings"]:
        for phrase in template["themes"].values():
            assert phrase in string.Template(opening).substitute(theme=phrase)
    for reply in filled_replies(code):
        assert FILL["customer"] in reply.splitlines()[0]
        assert all(value in reply for key, value in FILL.items() if key != "quote")
        assert "$" not in reply
    for body in template["bodies"]:
        sentences = re.findall(r"[。！？]|[.!?](?=\s|$)", body)
        assert 2 <= len(sentences) <= 3, body


@pytest.mark.parametrize("code", TEMPLATE_CODES)
def test_template_body_promises_no_compensation(code):
    text = "\n".join(template_strings(load_template(code))).lower()
    assert not [stem for stem in COMPENSATION_STEMS if stem in text]


@pytest.mark.parametrize("code", ["zh-Hant", "zh-Hans"])
def test_chinese_files_are_strictly_in_their_own_script(code):
    guide = guide_text(code)
    template_text = "\n".join(template_strings(load_template(code)))
    for text in (guide, template_text):
        assert hanzidentifier.has_chinese(text)
        assert foreign_script_chars(text, code) == set()


@pytest.mark.parametrize("code", ["zh-Hant", "zh-Hans"])
def test_chinese_templates_use_full_width_punctuation(code):
    for value in template_strings(load_template(code)):
        text = string.Template(value).safe_substitute(contact="", quote="", theme="")
        assert not re.search(r"[,.!?:;]", text), value


def test_script_guard_catches_a_stray_character():
    assert foreign_script_chars("感謝您的寶貴意见", "zh-Hant") == {"见"}
    assert foreign_script_chars("感谢您的宝贵意見", "zh-Hans") == {"見"}


def test_nynorsk_template_and_examples_contain_no_bokmal_forms():
    texts = template_strings(load_template("nn")) + example_replies(guide_text("nn"))
    for text in texts:
        assert words_found(text, BOKMAL_ONLY) == set(), text


def test_bokmal_template_and_examples_contain_no_nynorsk_forms():
    texts = template_strings(load_template("nb")) + example_replies(guide_text("nb"))
    for text in texts:
        assert words_found(text, NYNORSK_ONLY) == set(), text


def test_word_guard_matches_whole_words_with_nordic_letters():
    assert words_found("Me kjem frå Voss, ikkje Bergen.", BOKMAL_ONLY) == set()
    assert words_found("Det skal ikke være slik. Vennlig hilsen", BOKMAL_ONLY) == {
        "ikke",
        "være",
        "vennlig hilsen",
    }


@pytest.mark.parametrize("code", sorted(DETECTED_AS))
def test_filled_templates_are_detected_as_their_own_language(code, detector):
    # A Nynorsk customer must get Nynorsk, not Bokmål or Danish, even from the fallback.
    for reply in filled_replies(code):
        assert detector.detect_language_of(reply) == DETECTED_AS[code], reply


@pytest.mark.parametrize("code", ["sv", "nb", "nn", "fi"])
def test_guide_examples_are_detected_as_their_own_language(code, detector):
    for reply in example_replies(guide_text(code)):
        assert detector.detect_language_of(reply) == DETECTED_AS[code], reply
