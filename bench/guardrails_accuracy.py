"""How far the card's draft checks can be trusted, on the labelled drafts in tests/support/drafts/.

Run: .venv/bin/python bench/guardrails_accuracy.py [--list] [language ...]

Per language: drafts, clean drafts, planted problems, recall (planted problems whose finding
code the card shows) and false-positive rate (clean drafts with any finding). Per check
(finding code): planted, found, recall, clean drafts it flags, and findings it adds to drafts
that were labelled with other problems ("extra"). --list prints every miss and false alarm.
The detector is the one the app builds for each labelled business (lingua, restricted).
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.drafting.guardrails import check_draft  # noqa: E402
from tests.support.drafts.labelled import LANGUAGES, Score, detector, load, score  # noqa: E402

seconds: list[float] = []


def codes(text, review, profile, detect_language):
    started = time.perf_counter()
    findings = check_draft(text, review=review, profile=profile, detect_language=detect_language)
    seconds.append(time.perf_counter() - started)
    return [finding.code for finding in findings]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("languages", nargs="*", default=list(LANGUAGES))
    parser.add_argument("--list", action="store_true", help="print every miss and false alarm")
    args = parser.parse_args()

    for language in args.languages:  # build each business's detector before timing
        for item in load(language):
            detector(item.profile_name)
    scores = {language: score(codes, language) for language in args.languages}

    print(f"{'language':<9} {'drafts':>6} {'clean':>6} {'planted':>8} {'recall':>7} {'FPR':>6}")
    for language, s in scores.items():
        planted = sum(s.planted.values())
        print(
            f"{language:<9} {len(load(language)):>6} {s.clean:>6} {planted:>8} "
            f"{s.recall:>7.0%} {s.false_positive_rate:>6.0%}"
        )
    total = Score()
    for s in scores.values():
        total.planted.update(s.planted)
        total.found.update(s.found)
        total.clean += s.clean
        total.flagged_clean += s.flagged_clean
        total.flagged_by.update(s.flagged_by)
        total.extra.update(s.extra)
    print(
        f"{'all':<9} {sum(len(load(lang)) for lang in scores):>6} {total.clean:>6} "
        f"{sum(total.planted.values()):>8} {total.recall:>7.0%} {total.false_positive_rate:>6.0%}"
    )

    print(
        f"\n{'check':<13} {'planted':>8} {'found':>6} {'recall':>7} {'flags clean':>12} {'FPR':>6} {'extra':>6}"
    )
    for code in sorted(set(total.planted) | set(total.flagged_by) | set(total.extra)):
        planted, found = total.planted[code], total.found[code]
        recall = f"{found / planted:.0%}" if planted else "-"
        flagged = total.flagged_by[code]
        print(
            f"{code:<13} {planted:>8} {found:>6} {recall:>7} {flagged:>12} "
            f"{flagged / total.clean:>6.0%} {total.extra[code]:>6}"
        )

    print("\nfound/planted per check and language; a clean draft a check flags shows as +N")
    print(f"{'check':<13}" + "".join(f"{language:>9}" for language in scores))
    for code in sorted(set(total.planted) | set(total.flagged_by)):
        cells = []
        for s in scores.values():
            cell = f"{s.found[code]}/{s.planted[code]}" if s.planted[code] else "-"
            cells.append(cell + (f"+{s.flagged_by[code]}" if s.flagged_by[code] else ""))
        print(f"{code:<13}" + "".join(f"{cell:>9}" for cell in cells))

    print(
        f"\ncheck_draft: median {statistics.median(seconds) * 1000:.1f} ms, "
        f"p95 {sorted(seconds)[int(len(seconds) * 0.95)] * 1000:.1f} ms per draft "
        f"(restricted lingua detector included)"
    )
    if args.list:
        for s in scores.values():
            for line in [*s.misses, *s.false_alarms]:
                print(f"  {line}")


if __name__ == "__main__":
    main()
