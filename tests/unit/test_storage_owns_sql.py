"""Every SQL statement lives in storage/: outside it, bot/ may hold a session or an engine and
catch the database's errors, but builds no query of its own."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DATABASE_PACKAGES = ("sqlalchemy", "sqlmodel")
# What a module outside storage/ may take from them: the session and engine types it passes
# on, the errors it turns into an answer, and the URL parser the settings checks use.
ALLOWED = {"Session", "Engine", "IntegrityError", "OperationalError", "make_url", "ArgumentError"}


def _query_imports(path: Path, root: Path = ROOT) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names if a.name.split(".")[0] in DATABASE_PACKAGES]
            found += [f"{path.relative_to(root)}:{node.lineno} import {n}" for n in names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            if node.module.split(".")[0] not in DATABASE_PACKAGES:
                continue
            for alias in node.names:
                if alias.name not in ALLOWED:
                    found.append(
                        f"{path.relative_to(root)}:{node.lineno} {alias.name} from {node.module}"
                    )
    return found


def test_bot_builds_no_query_outside_storage():
    modules = sorted((ROOT / "bot").rglob("*.py"))
    assert [hit for path in modules for hit in _query_imports(path)] == []


def test_the_check_sees_a_query_construct(tmp_path):
    module = tmp_path / "bot" / "reviews" / "x.py"
    module.parent.mkdir(parents=True)
    module.write_text("from sqlmodel import Session, select\nimport sqlalchemy\n")
    assert _query_imports(module, root=tmp_path) == [
        "bot/reviews/x.py:1 select from sqlmodel",
        "bot/reviews/x.py:2 import sqlalchemy",
    ]
