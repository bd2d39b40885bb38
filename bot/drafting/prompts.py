"""Prompt assembly from the files in prompts/: system prompt, style guides, reply templates.

Just over 300 lines: one library class and the assembly of one prompt; the text itself is
in files (prompts/, prompts/parts/)."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from string import Template

import yaml

from bot.drafting.profile import BusinessProfile
from bot.drafting.schema import Example, ReviewInput, output_model
from bot.drafting.tokens import token_count
from bot.triage.themes import THEMES
from bot.vocabulary import LANGUAGE_NAMES

GENERIC_GUIDE = "generic"
FALLBACK_TEMPLATE_LANGUAGE = "en"


# Tags the user message uses to fence data; customer text must not be able to close or open one.
FENCE_TAGS = ("review", "example", "example_review", "approved_reply", "team_instruction")
_FENCE_TAG = re.compile(r"<(\s*/?\s*(?:" + "|".join(FENCE_TAGS) + r")\b)", re.IGNORECASE)

TEMPLATE_KEYS = (
    "greeting_named",
    "greeting_anonymous",
    "openings",
    "openings_without_text",
    "quotings",
    "bodies",
    "signoff",
    "themes",
)

# What the approved examples in one prompt may cost, all together; the most similar come first.
EXAMPLE_TOKEN_BUDGET = 500


class PromptFileError(ValueError):
    """A file under prompts/ is missing or malformed."""


@dataclass(frozen=True)
class ReplyTemplate:
    """A language's fallback reply: alternatives for each part, so drafts do not all read alike.

    `openings` thank the customer and name the theme, `openings_without_text` answer a rating
    with no text, `quotings` carry the customer's own words, `bodies` apologise and offer the
    next step; `signoff` holds the responder's slot and the brand in the language's order.
    """

    language: str
    greeting_named: str
    greeting_anonymous: str
    openings: tuple[str, ...]
    openings_without_text: tuple[str, ...]
    quotings: tuple[str, ...]
    bodies: tuple[str, ...]
    signoff: str
    themes: dict[str, str]


def language_name(code: str) -> str:
    return LANGUAGE_NAMES.get(code, code)


def neutralise(text: str) -> str:
    """Make fence markers inside untrusted text inert (the '<' becomes a look-alike)."""
    return _FENCE_TAG.sub(r"‹\1", text)


def _fenced(tag: str, body: str) -> str:
    return f"<{tag}>\n{neutralise(body)}\n</{tag}>"


def _review_block(review: ReviewInput) -> str:
    # What the source did not give is left out rather than spelt "not given".
    known = {
        "source": review.source,
        "rating": f"{review.rating}/5" if review.rating is not None else None,
        "location": review.location,
        "author": review.author,
        "title": review.title,
    }
    fields = [f"{name}: {value}" for name, value in known.items() if value and value.strip()]
    return _fenced("review", "\n".join([*fields, "text:", review.text]))


def _example_block(example: Example) -> str:
    inner = "\n".join(
        (
            _fenced("example_review", example.review_text),
            _fenced("approved_reply", example.reply_text),
        )
    )
    return f"<example>\n{inner}\n</example>"


def _sign_off_pattern(template: ReplyTemplate, brand: str) -> re.Pattern[str]:
    """The language's sign-off at the end of a published reply, whoever signed it."""
    anyone = r"[^\n]+"
    pattern = re.escape(template.signoff.strip())
    for name in ("responder", "brand"):
        pattern = pattern.replace(re.escape(f"${{{name}}}"), anyone)
    return re.compile(r"\s*" + pattern + r"\s*\Z")


def needs_translation(language: str, team_language: str) -> bool:
    """Whether the team needs the review and the reply in its own language."""
    return language != team_language


class PromptLibrary:
    """Reads prompts/ once; `prompt_version` changes whenever any file it read changes.

    `overrides`: the operator's own folder laid out like prompts/; each file found there
    replaces the one of the same name, so a team adapts a guide without editing the checkout.
    """

    def __init__(self, root: Path, *, overrides: Path | None = None) -> None:
        self.root = Path(root)
        files = {"system.md": self.root / "system.md"}
        for folder in (self.root, *([Path(overrides)] if overrides else [])):
            if (folder / "system.md").is_file():
                files["system.md"] = folder / "system.md"
            for pattern in ("languages/*.md", "parts/*.md", "templates/*.yml"):
                files.update({f"{p.parent.name}/{p.name}": p for p in sorted(folder.glob(pattern))})
        if not files["system.md"].is_file():
            raise PromptFileError(f"System prompt {files['system.md']} not found")
        self._texts = {name: path.read_text(encoding="utf-8") for name, path in files.items()}
        digest = hashlib.sha256()
        for name, text in self._texts.items():
            digest.update(name.encode() + b"\0" + text.encode() + b"\0")
        self.prompt_version = digest.hexdigest()[:12]
        self._system = Template(self._texts["system.md"])
        self._templates: dict[str, ReplyTemplate] = {}

    def style_guide(self, language: str) -> str:
        text = self._texts.get(f"languages/{language}.md")
        if text is None:
            text = self._texts.get(f"languages/{GENERIC_GUIDE}.md")
        if text is None:
            raise PromptFileError(f"No style guide for {language!r} and no {GENERIC_GUIDE}.md")
        return text.strip()

    def system_prompt(
        self,
        *,
        profile: BusinessProfile,
        language: str,
        team_language: str,
        location: str | None = None,
        length_limit: int | None = None,
        examples: bool = False,
        instruction: bool = False,
        schema_in_prompt: bool = False,
    ) -> str:
        """The system prompt; the parts about examples, an instruction, translations and the
        JSON keys are there only when the request has them."""
        translate = needs_translation(language, team_language)
        values = {
            "brand": profile.brand,
            "voice": profile.voice or "friendly and professional",
            "contact": profile.contact_for(location),
            "links": ", ".join(profile.allowed_links) or "none",
            "compensation": profile.compensation_policy(),
            "max_characters": str(length_limit),
            "language_name": language_name(language),
            "language_code": language,
            "style_guide": self.style_guide(language),
            "team_language": language_name(team_language),
            "themes": ", ".join(f"`{theme}`" for theme in THEMES),
            "keys": ", ".join(f"`{key}`" for key in output_model(translate=translate).model_fields),
        }
        # Each slot of system.md and the part (prompts/parts/<name>.md) that fills it, if any.
        chosen = {
            "examples": "examples" if examples else None,
            "instruction": "instruction" if instruction else None,
            "translations": "translations" if translate else None,
            "json_object": "json_object" if schema_in_prompt else None,
            "length": "length_limit" if length_limit else "length",
        }
        try:
            for slot, part in chosen.items():
                values[slot] = self._part(part, values) if part else ""
            return self._system.substitute(values).strip()
        except (KeyError, ValueError) as exc:
            raise PromptFileError(
                f"A prompt file has an unknown or broken placeholder: {exc}"
            ) from exc

    def _part(self, name: str, values: dict[str, str]) -> str:
        text = self._texts.get(f"parts/{name}.md")
        if text is None:
            raise PromptFileError(f"Prompt part {self.root / 'parts' / name}.md not found")
        return Template(text.strip()).substitute(values) + "\n"

    def build_messages(
        self,
        review: ReviewInput,
        *,
        profile: BusinessProfile,
        team_language: str,
        examples: Sequence[Example] = (),
        instruction: str | None = None,
        length_limit: int | None = None,
        schema_in_prompt: bool = False,
    ) -> list[dict[str, str]]:
        """The messages for one draft.

        `examples` are approved replies, most relevant first, already anonymised (see
        examples.anonymised): each loses its sign-off, and they are taken while they fit
        EXAMPLE_TOKEN_BUDGET. `length_limit`
        is what the model may write (the platform's limit less the sign-off the app adds).
        `schema_in_prompt` spells out the JSON keys, for a server whose JSON mode has no schema.
        """
        instruction = (instruction or "").strip()
        shown = self._example_blocks(review.language, examples, brand=profile.brand)
        system = self.system_prompt(
            profile=profile,
            language=review.language,
            team_language=team_language,
            location=review.location,
            length_limit=length_limit,
            examples=bool(shown),
            instruction=bool(instruction),
            schema_in_prompt=schema_in_prompt,
        )
        parts = [*shown, _review_block(review)]
        if instruction:
            parts.append(_fenced("team_instruction", instruction))
        return [
            {"role": "system", "content": system},
            {"role": "user", "content": "\n\n".join(parts)},
        ]

    def _example_blocks(
        self, language: str, examples: Sequence[Example], *, brand: str
    ) -> list[str]:
        if not examples:
            return []
        sign_off = _sign_off_pattern(self.template(language), brand)
        blocks: list[str] = []
        spent = 0
        for example in examples:
            unsigned = Example(example.review_text.strip(), sign_off.sub("", example.reply_text))
            block = _example_block(unsigned)
            cost = token_count(block)
            if spent + cost <= EXAMPLE_TOKEN_BUDGET:
                blocks.append(block)
                spent += cost
        return blocks

    def template(self, language: str) -> ReplyTemplate:
        """The reply template for a language, falling back to English."""
        for code in (language, FALLBACK_TEMPLATE_LANGUAGE):
            if f"templates/{code}.yml" in self._texts:
                if code not in self._templates:
                    self._templates[code] = self._load_template(code)
                return self._templates[code]
        raise PromptFileError(f"No reply template for {language!r} and no fallback en.yml")

    def _load_template(self, code: str) -> ReplyTemplate:
        name = f"templates/{code}.yml"
        try:
            data = yaml.safe_load(self._texts[name])
        except yaml.YAMLError as exc:
            raise PromptFileError(f"{name} is not valid YAML: {exc}") from None
        if not isinstance(data, dict):
            raise PromptFileError(f"{name} must be a mapping")
        missing = [key for key in TEMPLATE_KEYS if key not in data]
        if missing:
            raise PromptFileError(f"{name} lacks {', '.join(missing)}")
        themes = data["themes"]
        if not isinstance(themes, dict) or set(THEMES) - set(themes):
            raise PromptFileError(f"{name}: themes must name every theme ({', '.join(THEMES)})")
        # The keys that hold alternatives: a draft takes one of each, chosen per review.
        variants = {}
        for key in ("openings", "openings_without_text", "quotings", "bodies"):
            values = data[key]
            if (
                not isinstance(values, list)
                or not values
                or not all(isinstance(value, str) and value.strip() for value in values)
            ):
                raise PromptFileError(f"{name}: {key} must be a list of one or more texts")
            variants[key] = tuple(value.strip() for value in values)
        return ReplyTemplate(
            language=code,
            greeting_named=str(data["greeting_named"]),
            greeting_anonymous=str(data["greeting_anonymous"]),
            openings=variants["openings"],
            openings_without_text=variants["openings_without_text"],
            quotings=variants["quotings"],
            bodies=variants["bodies"],
            signoff=str(data["signoff"]),
            themes={str(key): str(value) for key, value in themes.items()},
        )
