"""Every time the app stamps or compares comes from the clock the services were built with;
a call to the wall clock anywhere else would make a test depend on the day it runs."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# The one place the wall clock is read: the default clock the entry points build services with.
CLOCK_MODULE = ROOT / "storage" / "models.py"
WALL_CLOCK_CALLS = {
    ("datetime", "now"),
    ("datetime", "utcnow"),
    ("datetime", "today"),
    ("date", "today"),
    ("time", "time"),
    ("time", "time_ns"),
}


def _wall_clock_calls(path: Path, root: Path = ROOT) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Name) and func.id == "utcnow":
            found.append(f"{path.relative_to(root)}:{node.lineno} utcnow()")
        elif (
            isinstance(func, ast.Attribute)
            and isinstance(func.value, ast.Name)
            and (func.value.id, func.attr) in WALL_CLOCK_CALLS
        ):
            found.append(f"{path.relative_to(root)}:{node.lineno} {func.value.id}.{func.attr}()")
    return found


def test_no_module_reads_the_wall_clock_but_the_default_clock():
    modules = sorted((ROOT / "bot").rglob("*.py")) + sorted((ROOT / "storage").rglob("*.py"))
    calls = [call for path in modules if path != CLOCK_MODULE for call in _wall_clock_calls(path)]
    assert calls == [], "take the time from the services' clock instead:\n" + "\n".join(calls)


def test_the_rule_sees_each_way_of_reading_the_wall_clock(tmp_path):
    module = tmp_path / "sample.py"
    module.write_text(
        "import time\nfrom datetime import date, datetime\n"
        "a = datetime.now()\nb = date.today()\nc = time.time()\nd = utcnow()\n"
        "e = sorted(key=time.monotonic)\n",
        encoding="utf-8",
    )
    assert _wall_clock_calls(module, tmp_path) == [
        "sample.py:3 datetime.now()",
        "sample.py:4 date.today()",
        "sample.py:5 time.time()",
        "sample.py:6 utcnow()",
    ]
