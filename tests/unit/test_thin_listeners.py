"""Listeners acknowledge and hand the work to one service.

Each listener class in bot/listeners/ takes the services in its constructor and keeps the ones
it needs as attributes (`self._decisions = services.decisions`). A handler (a public method)
may use one of them, directly or through the class's own private methods; a modal submission
may call that one service more than once (a check answered in the acknowledgement, then the
decision after it). What the services bag also holds but is no service does not count: the
thread pools work is handed to, the clock and the settings (read from bot/services.py by their
types). No handler takes Bolt's `client`: talking to Slack is a service's work."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
NOT_SERVICES = ("Executor", "Callable", "Settings")


def plain_fields(services_py: Path) -> set[str]:
    """The fields of Services that are pools, the clock or the settings."""
    tree = ast.parse(services_py.read_text(encoding="utf-8"))
    [services] = [n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "Services"]
    return {
        node.target.id
        for node in services.body
        if isinstance(node, ast.AnnAssign)
        and isinstance(node.target, ast.Name)
        and any(word in ast.unparse(node.annotation) for word in NOT_SERVICES)
    }


def _self_attribute(node: ast.AST) -> str | None:
    if (
        isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id == "self"
    ):
        return node.attr
    return None


def _kept_services(init: ast.FunctionDef) -> tuple[dict[str, str], set[str]]:
    """Attributes holding one field of the services (attribute → field), and those holding
    the whole bag."""
    fields: dict[str, str] = {}
    whole: set[str] = set()
    for node in ast.walk(init):
        if not (isinstance(node, ast.Assign) and len(node.targets) == 1):
            continue
        attribute = _self_attribute(node.targets[0])
        value = node.value
        if attribute is None:
            continue
        if isinstance(value, ast.Name) and value.id == "services":
            whole.add(attribute)
        elif (
            isinstance(value, ast.Attribute)
            and isinstance(value.value, ast.Name)
            and value.value.id == "services"
        ):
            fields[attribute] = value.attr
    return fields, whole


def _takes_services(init: ast.FunctionDef) -> bool:
    return any(arg.arg == "services" for arg in init.args.args)


def fat_handlers(listeners: Path, services_py: Path) -> list[str]:
    plain = plain_fields(services_py)
    found = []
    for path in sorted(listeners.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for cls in (n for n in tree.body if isinstance(n, ast.ClassDef)):
            methods = {
                n.name: n for n in cls.body if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)
            }
            init = methods.get("__init__")
            if not isinstance(init, ast.FunctionDef) or not _takes_services(init):
                continue
            fields, whole = _kept_services(init)

            def used(name: str, seen: set[str]) -> set[str]:
                """The service fields method `name` uses, through the private methods too."""
                seen.add(name)
                out: set[str] = set()
                for node in ast.walk(methods[name]):
                    attribute = _self_attribute(node)
                    if attribute in fields:
                        out.add(fields[attribute])
                    elif isinstance(node, ast.Attribute) and _self_attribute(node.value) in whole:
                        out.add(node.attr)
                    elif attribute in methods and attribute not in seen:
                        out |= used(attribute, seen)
                return out

            for name, method in methods.items():
                if name.startswith("_"):
                    continue
                where = f"{path.name}:{method.lineno} {cls.name}.{name}"
                if any(arg.arg == "client" for arg in method.args.args):
                    found.append(f"{where} takes Bolt's client")
                services = sorted(used(name, set()) - plain)
                if len(services) > 1:
                    found.append(f"{where} uses {', '.join(services)}")
    return found


def test_every_listener_acks_and_calls_one_service() -> None:
    assert fat_handlers(ROOT / "bot" / "listeners", ROOT / "bot" / "services.py") == []


def test_the_check_sees_two_services_and_a_slack_call(tmp_path: Path) -> None:
    (tmp_path / "services.py").write_text(
        "class Services:\n"
        "    clock: Callable[[], datetime]\n"
        "    pool: ThreadPoolExecutor\n"
        "    decisions: DecisionService\n"
        "    cards: CardService\n",
        encoding="utf-8",
    )
    listeners = tmp_path / "listeners"
    listeners.mkdir()
    (listeners / "buttons.py").write_text(
        "class Buttons:\n"
        "    def __init__(self, services):\n"
        "        self._decisions = services.decisions\n"
        "        self._cards = services.cards\n"
        "        self._pool = services.pool\n"
        "        self._clock = services.clock\n"
        "        self._services = services\n"
        "    def thin(self, ack, body):\n"
        "        ack()\n"
        "        self._pool.submit(self._decide, self._clock())\n"
        "    def _decide(self, now):\n"
        "        self._decisions.approve(now)\n"
        "    def fat(self, ack, body):\n"
        "        ack()\n"
        "        self._decide(self._clock())\n"
        "        self._cards.redraw()\n"
        "    def through_the_bag(self, ack):\n"
        "        ack()\n"
        "        self._services.cards.redraw()\n"
        "        self._services.decisions.approve(None)\n"
        "    def talks_to_slack(self, ack, body, client):\n"
        "        ack()\n"
        "        client.views_open(trigger_id=body['trigger_id'], view={})\n",
        encoding="utf-8",
    )
    assert fat_handlers(listeners, tmp_path / "services.py") == [
        "buttons.py:13 Buttons.fat uses cards, decisions",
        "buttons.py:17 Buttons.through_the_bag uses cards, decisions",
        "buttons.py:21 Buttons.talks_to_slack takes Bolt's client",
    ]
