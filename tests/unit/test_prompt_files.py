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

from bot.drafting.tokens import token_count
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
    "Greeting and sign-off",
    "Apology and empathy",
    "Avoid",
    "Length",
    "Example reply",
]
# A guide is half of every prompt: what system.md says for all languages is not repeated.
GUIDE_TOKEN_CEILING = 560
GUIDE_TOKEN_FLOOR = 300
# The languages whose sign-off each guide states (the generic guide covers English and Danish).
SIGN_OFF_TEMPLATES = {code: [code] for code in GUIDE_CODES[:-1]} | {"generic": ["en", "da"]}
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


def section(guide: str, heading: str) -> str:
    text = guide.split(f"\n## {heading}", 1)[1]
    return re.split(r"\n## ", text, maxsplit=1)[0]


def example_replies(guide: str) -> list[str]:
    """The example replies are the ```text blocks under "## Example reply"; everything
    else in a guide is instruction and may quote forms to avoid."""
    return re.findall(
        r"^```text\n(.*?)^```", section(guide, "Example reply"), flags=re.DOTALL | re.MULTILINE
    )


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
    for heading in GUIDE_SECTIONS:
        assert heading in headings, f"{code}: no '## {heading}'"
    assert GUIDE_TOKEN_FLOOR <= token_count(guide) <= GUIDE_TOKEN_CEILING


@pytest.mark.parametrize("code", GUIDE_CODES)
def test_guide_does_not_repeat_the_system_prompt(code):
    guide = guide_text(code)
    # system.md says once what [contact] stands for, and the app adds responder and brand.
    for repeated in ("[responder]", "[brand]", "stand for the contact channel", "never invent"):
        assert repeated not in guide


@pytest.mark.parametrize("code", GUIDE_CODES)
def test_guide_has_one_fictional_example_with_profile_values_only(code):
    guide = guide_text(code)
    [reply] = example_replies(guide)
    assert "never copy it" in section(guide, "Example reply")
    # The contact comes from settings; an example with a real-looking one would teach the
    # model to invent it.
    assert "[contact]" in reply
    assert not re.search(r"@|https?://|\+?\d[\d ]{6,}", reply)


@pytest.mark.parametrize("code", GUIDE_CODES)
def test_guide_example_is_laid_out_as_review_platforms_show_it(code):
    [reply] = example_replies(guide_text(code))
    lines = reply.rstrip("\n").split("\n")
    # Each paragraph on one line: paragraphs are separated by one blank line, never wrapped.
    assert all(bool(line) != (n % 2 == 1) for n, line in enumerate(lines)), reply
    assert len(lines) >= 5  # greeting and at least two paragraphs
    for line in lines:
        assert not re.match(r"\s*([-*•#>]|\d+[.)])\s", line), line
        assert "**" not in line and "__" not in line and "`" not in line


@pytest.mark.parametrize("code", GUIDE_CODES)
def test_guide_example_ends_before_the_sign_off_the_app_adds(code):
    [reply] = example_replies(guide_text(code))
    for template_code in SIGN_OFF_TEMPLATES[code]:
        closing = load_template(template_code)["signoff"].split("\n")[0].rstrip(",")
        assert closing not in reply


@pytest.mark.parametrize("code", GUIDE_CODES)
def test_guide_states_the_sign_off_in_its_templates_order(code):
    stated = section(guide_text(code), "Greeting and sign-off")
    assert "added by the app" in stated
    for template_code in SIGN_OFF_TEMPLATES[code]:
        signoff = load_template(template_code)["signoff"]
        closing = signoff.split("\n")[0].rstrip(",")
        assert closing in stated, (code, closing)
        brand_first = signoff.index("${brand}") < signoff.index("${responder}")
        assert ("brand first" in stated) == brand_first, code


@pytest.mark.parametrize("code", GUIDE_CODES)
def test_guide_shows_the_allowed_form_of_empathy(code):
    empathy = section(guide_text(code), "Apology and empathy")
    assert re.search(r"Acknowledge the feeling: [\"“「]", empathy), code
    assert "Never" in empathy


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


CORRECTIONS = {
    "sv": (
        [
            "Vi ber om ursäkt för eventuella besvär",
            "Vi hoppas att du ger oss en ny chans",
            "Vad tråkigt att höra att",
            "Med vänlig hälsning",
            "Vi förstår att det var frustrerande",
        ],
        [],
    ),
    "nb": (
        [
            "ikkje",
            "boka, kasta",
            "bestillingen, kastet, ble",
            "ordrenummeret til [contact]",
            "Vi beklager det inntrufne",
            "Vi skjønner godt at det var frustrerende",
        ],
        ["ordrenummeret på [contact]"],
    ),
    "nn": (
        [
            "Orsak for ventetida",
            "E-infinitive throughout",
            '"kome" or "komme"',
            "allowed Nynorsk too",
            "Me skjønar godt at det var frustrerande",
        ],
        ["(avoid)", "Bokmål (avoid)"],
    ),
    "fi": (
        [
            "niin selvitämme asian yhdessä",
            "Näin ei olisi saanut käydä",
            '"Tämä ei ole hyväksyttävää" for serious failures',
            "Ymmärrämme, että tilanne oli turhauttava",
        ],
        ["selvitetään asia"],
    ),
    "zh-Hant": (["裡", "著", "為", "線", "謝謝您告訴我們", "服務員 and 打包 are fine"], []),
    "zh-Hans": (["谢谢您告诉我们", "我们理解这让您很失望"], []),
}


@pytest.mark.parametrize("code", sorted(CORRECTIONS))
def test_the_native_speakers_corrections_are_in_the_guide(code):
    guide = guide_text(code)
    wanted, unwanted = CORRECTIONS[code]
    for text in wanted:
        assert text in guide, (code, text)
    for text in unwanted:
        assert text not in guide, (code, text)


@pytest.mark.parametrize("code", ["zh-Hant", "zh-Hans"])
def test_chinese_guides_recommend_no_canned_opening(code):
    guide = guide_text(code)
    canned = {
        "zh-Hant": ["親愛的顧客", "感謝您的寶貴意見"],
        "zh-Hans": ["尊敬的顾客", "感谢您的宝贵意见"],
    }
    [reply] = example_replies(guide)
    for phrase in canned[code]:
        assert phrase not in reply
        # Named only as what not to write.
        for line in guide.splitlines():
            if phrase in line:
                assert re.search(rf"Not [^.]*{phrase}", line), line


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
