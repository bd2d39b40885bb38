"""`reviewbot import FILE`: a bad row is reported with its line and the rest still imports."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from bot.reviews.intake import IntakeService, Problem, ReviewIn, parse_review
from bot.sources.files import FileFormat, read_rows

BATCH = 500


@dataclass
class ImportReport:
    accepted: int = 0
    updated: int = 0
    duplicate: int = 0
    problems: list[Problem] = field(default_factory=list)  # index = line number

    @property
    def bad_rows(self) -> int:
        return len({p.index for p in self.problems})


def import_file(
    path: Path,
    intake: IntakeService,
    *,
    file_format: FileFormat | None = None,
    on_progress: Callable[[int], None] = lambda _line: None,
) -> ImportReport:
    report = ImportReport()
    batch: list[ReviewIn] = []

    def flush() -> None:
        for result in intake.ingest(batch):
            setattr(report, result.status, getattr(report, result.status) + 1)
        batch.clear()

    for row in read_rows(path, file_format):
        if row.raw is None:
            report.problems.append(Problem("row", row.error or "unreadable", row.line))
        else:
            parsed = parse_review(row.raw, row.line, brands=intake.brands)
            if isinstance(parsed, ReviewIn):
                batch.append(parsed)
            else:
                report.problems.extend(parsed)
        if len(batch) >= BATCH:
            flush()
        on_progress(row.line)
    if batch:
        flush()
    return report
