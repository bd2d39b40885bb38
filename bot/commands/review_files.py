"""A file of reviews with the POST /reviews columns, as `triage` and `routes test` read it: each
review validated, each bad row one line on standard error naming its line and field."""

from __future__ import annotations

from collections.abc import Collection, Iterator
from pathlib import Path
from typing import Annotated, cast, get_args

import typer

from bot.commands.common import err
from bot.reviews.intake import Problem, ReviewIn, parse_review
from bot.reviews.triage import Triage, TriageResult
from bot.sources.files import FileFormat as Format
from bot.sources.files import read_rows

ReviewsFile = Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)]
FileFormat = Annotated[
    str | None, typer.Option("--format", help="csv or jsonl (default: from the file name)")
]


class ReviewsOfFile:
    """Iterate for (line, review); afterwards `bad` counts the rows that were refused.
    ValueError: the file's type is neither CSV nor JSON lines."""

    def __init__(
        self, path: Path, file_format: str | None, *, brands: Collection[str] = ()
    ) -> None:
        self._path = path
        self._format = file_format
        self._brands = brands
        self.bad = 0

    def __iter__(self) -> Iterator[tuple[int, ReviewIn]]:
        if self._format not in (None, *get_args(Format)):
            raise ValueError(f"--format: {self._format!r}: use csv or jsonl")
        for row in read_rows(self._path, cast("Format | None", self._format)):
            parsed = (
                parse_review(row.raw, row.line, brands=self._brands)
                if row.raw is not None
                else None
            )
            if isinstance(parsed, ReviewIn):
                yield row.line, parsed
                continue
            self.bad += 1
            for problem in parsed or [Problem("row", row.error or "unreadable", row.line)]:
                err.print(
                    f"{self._path.name}:{row.line}: {problem.field}: {problem.problem}",
                    markup=False,
                    highlight=False,
                )


def assess(triage: Triage, review: ReviewIn) -> TriageResult:
    """Triage as the app does it when the review arrives."""
    return triage.assess(
        text=review.text,
        title=review.title,
        rating=review.rating,
        language_hint=review.language,
        location=review.location,
    )
