"""One direction of dependency: listeners and jobs → services → reviews, cards, publishing,
sources → drafting, triage, blocks → storage, and no module importing itself round a circle.

Imports inside functions count as much as those at the top: a lazy import is still a
dependency. Only `bot` and `storage` modules are looked at."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# Lowest first. A module may import from its own layer or any below it, never above.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("storage",),
    ("bot.vocabulary", "bot.timewords", "bot.config", "bot.retry"),
    ("bot.drafting", "bot.triage", "bot.blocks", "bot.metrics", "bot.routing"),
    ("bot.reviews", "bot.cards", "bot.publishing", "bot.sources"),
    ("bot.services",),
    ("bot.listeners", "bot.jobs", "bot.http"),
    # Entry points and the composition root: they put everything together.
    (
        "bot.wiring",
        "bot.app",
        "bot.socket_mode",
        "bot.manifest",
        "bot.startup",
        "bot.demo",
        "bot.logging_setup",
        "bot.commands",
        "bot.cli",
        "bot.__main__",
    ),
)


def layer_of(module: str) -> int | None:
    if module == "bot":
        return 0  # the package itself: holds nothing
    matches = [
        (len(prefix), index)
        for index, prefixes in enumerate(LAYERS)
        for prefix in prefixes
        if module == prefix or module.startswith(prefix + ".")
    ]
    return max(matches)[1] if matches else None


def module_name(path: Path, root: Path) -> str:
    return ".".join(path.relative_to(root).with_suffix("").parts).removesuffix(".__init__")


def sources(root: Path) -> Iterator[Path]:
    for top in ("bot", "storage"):
        for path in sorted((root / top).rglob("*.py")):
            if "migrations" not in path.parts:
                yield path


def imports(path: Path) -> Iterator[tuple[int, str]]:
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            # `from bot.cards import service` imports the module bot.cards.service too.
            names = [node.module, *(f"{node.module}.{alias.name}" for alias in node.names)]
        else:
            continue
        for name in names:
            if name.split(".")[0] in ("bot", "storage"):
                yield node.lineno, name


def upward_imports(root: Path) -> list[str]:
    found = []
    for path in sources(root):
        module = module_name(path, root)
        own = layer_of(module)
        if own is None:
            found.append(f"{module}: in no layer; add it to LAYERS")
            continue
        first: dict[int, str] = {}
        for line, name in imports(path):
            first.setdefault(line, name)  # the module a line imports, not its names
        for line, name in first.items():
            target = layer_of(name)
            if target is not None and target > own:
                found.append(f"{module}:{line} imports {name} from a layer above")
    return found


def import_circles(root: Path) -> list[list[str]]:
    """Strongly connected groups of modules (Tarjan), each a circle of imports."""
    known = {module_name(path, root): path for path in sources(root)}
    graph = {
        module: {name for _, name in imports(path) if name in known} - {module}
        for module, path in known.items()
    }
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    circles: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for other in graph[module]:
            if other not in index:
                visit(other)
                low[module] = min(low[module], low[other])
            elif other in on_stack:
                low[module] = min(low[module], index[other])
        if low[module] == index[module]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == module:
                    break
            if len(group) > 1:
                circles.append(sorted(group))

    for module in graph:
        if module not in index:
            visit(module)
    return circles


def test_no_module_imports_from_a_layer_above() -> None:
    assert upward_imports(ROOT) == []


def test_no_import_circles() -> None:
    assert import_circles(ROOT) == []


def _tree(tmp_path: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return tmp_path


def test_the_checks_see_an_upward_import_and_a_circle(tmp_path: Path) -> None:
    root = _tree(
        tmp_path,
        {
            "storage/__init__.py": "",
            "storage/reviews.py": "def helper():\n    from bot.cards.service import X\n",
            "bot/__init__.py": "",
            "bot/cards/__init__.py": "",
            "bot/cards/service.py": "from bot.cards.outbox import Y\n",
            "bot/cards/outbox.py": "from bot.cards import service\n",
        },
    )
    assert upward_imports(root) == [
        "storage.reviews:2 imports bot.cards.service from a layer above"
    ]
    assert import_circles(root) == [["bot.cards.outbox", "bot.cards.service"]]
