"""One row of `reviewbot doctor`'s table."""

from __future__ import annotations

from dataclasses import dataclass

OK, WARN, FAIL = "ok", "warn", "FAIL"


@dataclass(frozen=True)
class Row:
    area: str
    check: str
    status: str
    detail: str

    @property
    def failed(self) -> bool:
        return self.status == FAIL
