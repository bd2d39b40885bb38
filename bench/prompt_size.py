"""Prompt size per language: the tokens one draft request costs, before and after.

Run: .venv/bin/python bench/prompt_size.py [--baseline REV] [--data ../shared/data]

Counts what a draft sends the model, with the o200k tokenizer: the system and user messages
and the `response_format` JSON schema exactly as the openai SDK serialises it for
`chat.completions.parse` with the output model. (The few tokens of chat framing per message
are left out, on both sides.) Reviews are the negative ones in ../shared/data (the Norwegian
file serves both nb and nn) and, for English and Danish, the fictional ones in bench/data;
the business is prompts/business.example.yml, the team language the default, English.

"With three examples" gives each draft the three approved replies of bench/data for its
language (signed, named, with the business's e-mail, as the pipeline hands them over); the
prompt shows as many as its token budget holds, in the "shown" column.

"Before" is the baseline revision (default: the prompt before its lean rewrite), exported
with `git archive` and measured by this same script in a subprocess; "after" is the working
tree. Each run imports the `bot` package of its own tree, so the baseline needs no checkout.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
from io import BytesIO
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BENCH_DATA = Path(__file__).resolve().parent / "data"
# The prompt as it was before the lean rewrite (main at the time).
DEFAULT_BASELINE = "179b8289909409dea152cb2d846c6089ba60ac33"
LANGUAGES = ("sv", "nb", "nn", "fi", "zh-Hant", "zh-Hans", "en", "da")
SHARED_FILES = {
    "sv": "sv",
    "nb": "no",
    "nn": "no",
    "fi": "fi",
    "zh-Hant": "zh-Hant",
    "zh-Hans": "zh-Hans",
}
TEAM_LANGUAGE = "en"
SOURCE = "google"
TOKENIZER = "o200k_base"


def negative_reviews(data: Path, language: str) -> list[dict]:
    if language in SHARED_FILES:
        path = data / f"{SHARED_FILES[language]}.jsonl"
        rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
        return [row for row in rows if row["label"] == "negative"]
    rows = [
        json.loads(line) for line in (BENCH_DATA / "reviews_en_da.jsonl").read_text().splitlines()
    ]
    return [{**row, "rating": None} for row in rows if row["language"] == language]


def approved_examples(language: str) -> list[dict]:
    lines = (BENCH_DATA / "approved_examples.jsonl").read_text(encoding="utf-8").splitlines()
    return [row for row in map(json.loads, lines) if row["language"] == language]


def measure(root: Path, data: Path) -> dict[str, dict[str, list[int]]]:
    """Token counts per language for the `bot` package importable here (root's own)."""
    import bpe_openai
    import openai
    from openai._utils._json import openapi_dumps
    from openai.lib._parsing._completions import type_to_response_format_param

    from bot.drafting import (
        BusinessProfile,
        Example,
        LLMDrafter,
        PromptLibrary,
        ReviewInput,
        closest_examples,
        schema,
    )
    from bot.sources.platforms import reply_length_limit

    encoding = bpe_openai.get_encoding(TOKENIZER)
    library = PromptLibrary(root / "prompts")
    profile = BusinessProfile.from_file(root / "prompts" / "business.example.yml")

    if hasattr(LLMDrafter, "request"):
        # A client is needed to build a drafter; nothing is ever sent to it.
        client = openai.OpenAI(api_key="unused", base_url="http://127.0.0.1:9/v1")
        drafter = LLMDrafter(
            client,
            model="unused",
            max_tokens=1000,  # only sent with a request, and none is
            prompts=library,
            profile=profile,
            team_language=TEAM_LANGUAGE,
            detect_language=lambda _: TEAM_LANGUAGE,
        )

        def ask(review, rows):
            candidates = [
                Example(r["review_text"], r["reply_text"], author=r["author"]) for r in rows
            ]
            request = drafter.request(review, examples=closest_examples(review.text, candidates))
            return request.messages(), request.output_type

    else:
        # The baseline: the responder went into the prompt and every draft had translations.
        def ask(review, rows):
            candidates = [Example(r["review_text"], r["reply_text"]) for r in rows]
            chosen = closest_examples(review.text, candidates, k=3)
            messages = library.build_messages(
                review,
                profile=profile,
                responder=None,
                team_language=TEAM_LANGUAGE,
                examples=chosen,
            )
            return messages, schema.DraftOutput

    def tokens(messages, output_type) -> int:
        response_format = openapi_dumps(type_to_response_format_param(output_type)).decode()
        return sum(len(encoding.encode(m["content"])) for m in messages) + len(
            encoding.encode(response_format)
        )

    figures: dict[str, dict[str, list[int]]] = {}
    for language in LANGUAGES:
        examples = approved_examples(language)
        first, with_examples, shown = [], [], []
        for row in negative_reviews(data, language):
            review = ReviewInput(
                source=SOURCE,
                rating=row.get("rating"),
                title=None,
                text=row["text"],
                author=None,
                language=language,
                location=None,
                length_limit=reply_length_limit(SOURCE, language),
            )
            first.append(tokens(*ask(review, [])))
            messages, output_type = ask(review, examples)
            with_examples.append(tokens(messages, output_type))
            shown.append(messages[-1]["content"].count("<example>"))
        figures[language] = {"first": first, "examples": with_examples, "shown": shown}
    return figures


def run(root: Path, data: Path) -> dict[str, dict[str, list[int]]]:
    env = {**os.environ, "PYTHONPATH": str(root)}
    command = [sys.executable, __file__, "--measure", str(root), "--data", str(data)]
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


def export(revision: str, into: Path) -> Path:
    archive = subprocess.run(
        ["git", "-C", str(REPO), "archive", "--format=tar", revision, "bot", "prompts"],
        capture_output=True,
        check=True,
    ).stdout
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    return into


def median(values: list[int]) -> int:
    return round(statistics.median(values))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", default=DEFAULT_BASELINE, help="git revision for 'before'")
    parser.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data")
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure, args.data)))
        return

    with tempfile.TemporaryDirectory() as tmp:
        before = run(export(args.baseline, Path(tmp)), args.data)
    after = run(REPO, args.data)

    print("Prompt tokens (o200k: system + user + response_format), median per language")
    print(f"before = {args.baseline[:12]}, after = working tree; team language {TEAM_LANGUAGE}\n")
    header = f"{'language':<9}{'reviews':>8}  {'first draft':>19}  {'with 3 examples':>23}"
    print(header)
    print(f"{'':<9}{'':>8}  {'before':>9}{'after':>10}  {'before':>9}{'after':>9}{'shown':>6}")
    pooled: dict[str, list[int]] = {"bf": [], "af": [], "be": [], "ae": []}
    for language in LANGUAGES:
        b, a = before[language], after[language]
        pooled["bf"] += b["first"]
        pooled["af"] += a["first"]
        pooled["be"] += b["examples"]
        pooled["ae"] += a["examples"]
        print(
            f"{language:<9}{len(a['first']):>8}  {median(b['first']):>9}{median(a['first']):>10}"
            f"  {median(b['examples']):>9}{median(a['examples']):>9}{median(a['shown']):>6}"
        )
    print(
        f"{'all':<9}{len(pooled['af']):>8}  {median(pooled['bf']):>9}{median(pooled['af']):>10}"
        f"  {median(pooled['be']):>9}{median(pooled['ae']):>9}"
    )
    worst = max(max(after[language]["first"]) for language in LANGUAGES)
    print(f"\nLargest first-draft prompt after: {worst} tokens (the longest review)")


if __name__ == "__main__":
    main()
