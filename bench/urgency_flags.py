"""How often the urgency lists flag the real reviews in shared/data, which are ordinary
complaints and praise: every flag is either a true legal, health or discrimination matter
or a false alarm that pings a lead. `--show` prints each flagged review to judge which.

Run: .venv/bin/python bench/urgency_flags.py [--data ../shared/data] [--show]

The language is the file's true language, so detection errors do not blur the figures.
"""

import argparse
import json
from collections import Counter
from pathlib import Path

from bot.triage.urgency import URGENCY_LABELS, find_urgency

REPO = Path(__file__).resolve().parents[1]
FILES = {"sv": "sv", "no": "nb", "fi": "fi", "zh-Hans": "zh-Hans", "zh-Hant": "zh-Hant"}
EXCERPT = 160


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data")
    parser.add_argument("--show", action="store_true", help="print every flagged review")
    args = parser.parse_args()
    columns = "".join(f"{label:>18}" for label in URGENCY_LABELS.values())
    print(f"{'file':<9}{'n':>6}{'flagged':>9}{'of all':>8}{'of neg':>8}{columns}")
    for name, language in FILES.items():
        path = args.data / f"{name}.jsonl"
        if not path.exists():
            print(f"{name:<9} missing: {path}")
            continue
        with path.open(encoding="utf-8") as lines:
            reviews = [json.loads(line) for line in lines]
        flagged = [
            (review, urgency)
            for review in reviews
            if (urgency := find_urgency(review["text"], language)) is not None
        ]
        negatives = sum(review["label"] == "negative" for review in reviews)
        flagged_negatives = sum(review["label"] == "negative" for review, _ in flagged)
        by_category = Counter(urgency.category for _, urgency in flagged)
        counts = "".join(f"{by_category[category]:>18}" for category in URGENCY_LABELS)
        print(
            f"{name:<9}{len(reviews):>6}{len(flagged):>9}{share(len(flagged), len(reviews)):>8}"
            f"{share(flagged_negatives, negatives):>8}{counts}"
        )
        if args.show:
            for review, urgency in flagged:
                text = " ".join(review["text"].split())[:EXCERPT]
                print(f"    {review['external_id']} [{urgency.reason}] {text}")


def share(part: int, whole: int) -> str:
    return f"{part / whole:.1%}" if whole else "-"


if __name__ == "__main__":
    main()
