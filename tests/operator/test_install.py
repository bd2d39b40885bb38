"""The production install: requirements.lock holds what the app imports and no dev tools, the
wheel carries every file the app reads, and `reviewbot --version` names the release and schema."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
import tomllib
import zipfile
from importlib.metadata import packages_distributions, version
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from typer.testing import CliRunner

from bot.cli import cli
from storage.db import MIGRATIONS_DIR

ROOT = Path(__file__).resolve().parents[2]
FIRST_PARTY = {"bot", "storage"}


def lock_blocks(path: Path) -> dict[str, str]:
    """distribution name → its requirement with the lines that follow it (hashes, comments)."""
    blocks: dict[str, str] = {}
    name = None
    for line in path.read_text(encoding="utf-8").splitlines():
        if line and not line[0].isspace() and not line.startswith("#"):
            name = canonicalize_name(re.split(r"[=\[ ;]", line, maxsplit=1)[0])
            blocks[name] = line
        elif name is not None:
            blocks[name] += "\n" + line
    return blocks


LOCK = lock_blocks(ROOT / "requirements.lock")
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def test_the_lock_pins_every_package_to_one_version_with_hashes():
    assert len(LOCK) > 20
    for name, block in LOCK.items():
        assert "==" in block.splitlines()[0], name
        assert "--hash=sha256:" in block, name


def test_the_lock_holds_no_dev_or_test_tools():
    dev = {canonicalize_name(Requirement(r).name) for r in PROJECT["optional-dependencies"]["dev"]}
    assert {"pytest", "ruff", "mypy", "hypothesis"} <= dev
    shipped = {name for name in LOCK if name in dev or name.startswith(("pytest", "types-"))}
    assert shipped == set()


def test_the_lock_holds_every_dependency_pyproject_declares():
    declared = {canonicalize_name(Requirement(r).name) for r in PROJECT["dependencies"]}
    assert declared - set(LOCK) == set()


def _runtime_imports(path: Path) -> set[str]:
    """Top-level modules a file imports when it runs (not those only a type checker reads)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    type_only: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            type_only.update(id(child) for stmt in node.body for child in ast.walk(stmt))
    names: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in type_only:
            continue
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_every_import_of_the_app_resolves_from_the_lock():
    modules: dict[str, set[str]] = {}
    for package in FIRST_PARTY:
        for path in (ROOT / package).rglob("*.py"):
            for module in _runtime_imports(path):
                modules.setdefault(module, set()).add(str(path.relative_to(ROOT)))
    third_party = set(modules) - set(sys.stdlib_module_names) - FIRST_PARTY
    providers = packages_distributions()
    assert {"sqlalchemy", "slack_bolt", "yaml", "lingua"} <= third_party
    unresolved = {
        module: sorted(modules[module])[:3]
        for module in third_party
        if not {canonicalize_name(d) for d in providers.get(module, [])} & set(LOCK)
    }
    assert unresolved == {}


@pytest.fixture(scope="module")
def wheel_files(tmp_path_factory) -> set[str]:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(out), str(ROOT)],
        check=True,
        capture_output=True,
    )
    [wheel] = out.glob("reviewbot-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        return set(archive.namelist())


def test_the_installed_app_carries_every_file_it_reads(wheel_files):
    wanted = {
        str(path.relative_to(ROOT))
        for top in ("bot", "storage", "prompts")
        for path in (ROOT / top).rglob("*")
        if path.is_file()
        and "__pycache__" not in path.parts
        # The template alembic writes new migrations from: a developer's file.
        and path.name != "script.py.mako"
    }
    assert {"prompts/system.md", "prompts/business.example.yml"} <= wanted
    assert sorted(wanted - wheel_files) == []


def test_version_names_the_release_and_the_schema_it_runs_on():
    head = ScriptDirectory(str(MIGRATIONS_DIR)).get_current_head()
    result = CliRunner().invoke(cli, ["--version"])
    assert result.exit_code == 0
    assert result.output == f"reviewbot {version('reviewbot')} (schema {head})\n"
    assert head is not None
