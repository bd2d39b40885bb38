"""Review files: CSV (header row with the JSON field names) or JSON lines, read row by row."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

FileFormat = Literal["csv", "jsonl"]


@dataclass(frozen=True)
class Row:
    line: int  # 1-based line in the file where the row starts
    raw: dict[str, Any] | None
    error: str | None = None  # set when the row could not even be parsed


def detect_format(path: Path) -> FileFormat:
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return "csv"
    if suffix in {".jsonl", ".ndjson", ".json"}:
        return "jsonl"
    raise ValueError(f"{path.name}: unknown file type {suffix!r}; use .csv or .jsonl")


def read_rows(path: Path, file_format: FileFormat | None = None) -> Iterator[Row]:
    file_format = file_format or detect_format(path)
    # utf-8-sig: spreadsheets often write a byte-order mark before the header.
    with path.open(encoding="utf-8-sig", newline="") as handle:
        if file_format == "csv":
            yield from _csv_rows(handle)
        else:
            yield from _jsonl_rows(handle)


def _csv_rows(handle) -> Iterator[Row]:
    reader = csv.DictReader(handle)
    # Read the header first, so the first row's line is counted after it.
    if reader.fieldnames is None:
        return  # an empty file
    line = reader.line_num + 1
    for record in reader:
        if None in record:
            yield Row(line, None, "more columns than the header has")
        else:
            yield Row(line, {k.strip(): v for k, v in record.items() if k})
        line = reader.line_num + 1


def _jsonl_rows(handle) -> Iterator[Row]:
    for line, text in enumerate(handle, start=1):
        if not text.strip():
            continue
        try:
            value = json.loads(text)
        except json.JSONDecodeError as exc:
            yield Row(line, None, f"not valid JSON: {exc.msg}")
            continue
        if not isinstance(value, dict):
            yield Row(line, None, "must be a JSON object")
        else:
            yield Row(line, value)


def count_lines(path: Path) -> int:
    with path.open("rb") as handle:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(1 << 20), b""))
