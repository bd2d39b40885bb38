"""Language-ID accuracy on the real reviews in shared/data: plain lingua against our detector.

Run: .venv/bin/python bench/language_accuracy.py [--data ../shared/data]

(a) plain lingua restricted to the default language set, (b) our detector with no deployment
knowledge (spelling evidence and Bokmål/Nynorsk pooling only, default language English), and
(c) our detector configured as a business using that data plausibly would be (PROFILES).
A true "no" counts Bokmål and Nynorsk as correct; for the Chinese files the language must be
Chinese, and the script is scored separately.
"""

import argparse
import json
import statistics
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from lingua import Language, LanguageDetectorBuilder

from bot.triage.language import DEFAULT_LANGUAGES, LanguageDetector
from bot.triage.language_tags import chinese_script

REPO = Path(__file__).resolve().parents[1]
FILES = ("sv", "no", "fi", "zh-Hans", "zh-Hant")
SCANDINAVIAN = ("sv", "nb", "nn", "da")


@dataclass(frozen=True)
class Profile:
    """The deployment a business using this data would plausibly have."""

    why: str
    countries: tuple[str, ...]
    default_language: str


PROFILES = {
    "sv": Profile("Swedish shops and services: serves Sweden, writes Swedish", ("SE",), "sv"),
    "no": Profile("Norwegian reviews of products and venues: serves Norway", ("NO",), "nb"),
    "fi": Profile("Finnish web shop: serves Finland (Finnish and Swedish)", ("FI",), "fi"),
    "zh-Hans": Profile("Mainland hotel and food delivery: serves China", ("CN",), "zh-Hans"),
    "zh-Hant": Profile("Taipei restaurants: serves Taiwan", ("TW",), "zh-Hant"),
}


@dataclass
class Score:
    correct: int = 0
    total: int = 0
    assumed: int = 0
    predicted: Counter[str] = field(default_factory=Counter)
    seconds: list[float] = field(default_factory=list)

    @property
    def accuracy(self) -> float:
        return self.correct / self.total if self.total else 0.0


def is_correct(true_language: str, code: str) -> bool:
    if true_language == "no":
        return code in ("nb", "nn")
    if true_language.startswith("zh"):
        return code.startswith("zh")
    return code == true_language


def load(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines]


def score(reviews: list[dict], predict: Callable[[str], tuple[str, bool]]) -> Score:
    result = Score()
    for review in reviews:
        started = time.perf_counter()
        code, assumed = predict(review["text"])
        result.seconds.append(time.perf_counter() - started)
        result.total += 1
        result.correct += is_correct(review["true_language"], code)
        result.assumed += assumed
        result.predicted[code] += 1
    return result


def plain_lingua() -> Callable[[str], tuple[str, bool]]:
    detector = LanguageDetectorBuilder.from_languages(
        *(Language.from_str(name) for name in ("swedish", "bokmal", "nynorsk", "danish")),
        *(Language.from_str(name) for name in ("finnish", "chinese", "english")),
    ).build()

    def predict(text: str) -> tuple[str, bool]:
        language = detector.detect_language_of(text)
        return (language.iso_code_639_1.name.lower() if language else "none"), False

    return predict


def ours(detector: LanguageDetector) -> Callable[[str], tuple[str, bool]]:
    def predict(text: str) -> tuple[str, bool]:
        guess = detector.detect(text)
        return guess.code, guess.assumed

    return predict


def confusion_row(name: str, result: Score) -> str:
    cells = [f"{result.predicted[code]:>5}" for code in SCANDINAVIAN]
    others = result.total - sum(result.predicted[code] for code in SCANDINAVIAN)
    return f"  {name:<26}" + "".join(cells) + f"{others:>7}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data")
    args = parser.parse_args()

    plain = plain_lingua()
    bare = ours(LanguageDetector(DEFAULT_LANGUAGES))
    totals = {"a": Score(), "b": Score(), "c": Score()}
    confusions: list[str] = []
    script_lines: list[str] = []
    print(f"{'file':<8}{'n':>6}  {'(a) lingua':>11}{'(b) ours, bare':>16}{'(c) ours+profile':>18}")
    for name in FILES:
        path = args.data / f"{name}.jsonl"
        if not path.exists():
            print(f"{name:<8} missing: {path}")
            continue
        reviews = load(path)
        profile = PROFILES[name]
        deployed = LanguageDetector(
            DEFAULT_LANGUAGES,
            countries=profile.countries,
            default_language=profile.default_language,
        )
        results = {
            "a": score(reviews, plain),
            "b": score(reviews, bare),
            "c": score(reviews, ours(deployed)),
        }
        for key, result in results.items():
            total = totals[key]
            total.correct += result.correct
            total.total += result.total
            total.assumed += result.assumed
            total.seconds.extend(result.seconds)
        a, b, c = results["a"], results["b"], results["c"]
        print(
            f"{name:<8}{len(reviews):>6}  {a.accuracy:>10.1%} {b.accuracy:>15.1%}"
            f" {c.accuracy:>17.1%}   (c) assumed {c.assumed}; profile: {profile.why}"
            f" {profile.countries}, default {profile.default_language}"
        )
        if name in ("sv", "no"):
            confusions.append(f"true {name} ({len(reviews)}):")
            confusions.extend(
                confusion_row(label, results[key])
                for key, label in (
                    ("a", "(a) lingua"),
                    ("b", "(b) ours, bare"),
                    ("c", "(c) ours+profile"),
                )
            )
        if name.startswith("zh"):
            script_lines.append(script_report(name, reviews, deployed))
    a, b, c = totals["a"], totals["b"], totals["c"]
    print(
        f"{'overall':<8}{a.total:>6}  {a.accuracy:>10.1%} {b.accuracy:>15.1%} {c.accuracy:>17.1%}"
    )
    print("\nConfusion among sv/nb/nn/da (predicted columns):")
    print(f"  {'':<26}" + "".join(f"{code:>5}" for code in SCANDINAVIAN) + f"{'other':>7}")
    print("\n".join(confusions))
    print("\nChinese script (zh-Hant vs zh-Hans):")
    print("\n".join(script_lines))
    print("\nMedian time per detection:")
    for key, label in (("a", "(a) lingua"), ("b", "(b) ours, bare"), ("c", "(c) ours+profile")):
        print(f"  {label:<18}{statistics.median(totals[key].seconds) * 1e3:.3f} ms")


def script_report(name: str, reviews: list[dict], deployed: LanguageDetector) -> str:
    """Script accuracy of chinese_script alone and of the full detector on this file."""
    alone = sum(chinese_script(review["text"]) == review["true_language"] for review in reviews)
    full = sum(
        deployed.detect(review["text"]).code == review["true_language"] for review in reviews
    )
    n = len(reviews)
    return f"  {name:<8} chinese_script {alone / n:.1%}   detector with profile {full / n:.1%}"


if __name__ == "__main__":
    main()
