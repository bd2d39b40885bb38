"""Accuracy of the lexicon-based negativity rule on the labelled reviews in shared/data.

Run: .venv/bin/python bench/negativity_accuracy.py [--data ../shared/data]

"text only" ignores any rating, which is what the rule falls back to when a source has no
stars (every file here but zh-Hant). "with rating" is the full rule; it only differs for
zh-Hant, whose 3-star ("mixed") reviews are shown separately as the share the rule cards.
The language is the file's true language, so detection errors do not blur the figures.
"""

import argparse
import json
from pathlib import Path

from bot.triage.negativity import is_negative

REPO = Path(__file__).resolve().parents[1]
FILES = {"sv": "sv", "no": "nb", "fi": "fi", "zh-Hans": "zh-Hans", "zh-Hant": "zh-Hant"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data")
    args = parser.parse_args()
    header = f"{'file':<9}{'n':>6}{'text only':>11}{'neg recall':>12}{'pos recall':>12}"
    print(header + f"{'with rating':>13}  3-star carded")
    for name, language in FILES.items():
        path = args.data / f"{name}.jsonl"
        if not path.exists():
            print(f"{name:<9} missing: {path}")
            continue
        with path.open(encoding="utf-8") as lines:
            reviews = [json.loads(line) for line in lines]
        labelled = [review for review in reviews if review["label"] != "mixed"]
        mixed = [review for review in reviews if review["label"] == "mixed"]
        text_only = [
            (is_negative(None, review["text"], language), review["label"] == "negative")
            for review in labelled
        ]
        with_rating = [
            is_negative(review["rating"], review["text"], language)
            == (review["label"] == "negative")
            for review in labelled
        ]
        negatives = [predicted for predicted, truth in text_only if truth]
        positives = [not predicted for predicted, truth in text_only if not truth]
        carded = [is_negative(review["rating"], review["text"], language) for review in mixed]
        print(
            f"{name:<9}{len(labelled):>6}"
            f"{share(predicted == truth for predicted, truth in text_only):>11}"
            f"{share(negatives):>12}{share(positives):>12}{share(with_rating):>13}"
            f"  {share(carded) + f' of {len(mixed)}' if mixed else '-'}"
        )


def share(flags) -> str:
    values = list(flags)
    return f"{sum(values) / len(values):.1%}" if values else "-"


if __name__ == "__main__":
    main()
