"""One row of `reviewbot doctor`'s table."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text

OK, WARN, FAIL = "ok", "warn", "FAIL"
_STYLES = {OK: "green", WARN: "yellow", FAIL: "bold red"}


@dataclass(frozen=True)
class Row:
    area: str
    check: str
    status: str
    detail: str

    @property
    def failed(self) -> bool:
        return self.status == FAIL

    @property
    def status_text(self) -> Text:
        """The status as the tables show it: green, yellow or red."""
        return Text(self.status, style=_STYLES[self.status])
