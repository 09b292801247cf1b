"""Every row lock in the code is ``FOR NO KEY UPDATE`` (docs/architecture.md, "Locks in one order").

Django's ``select_for_update()`` takes ``FOR UPDATE``, which also blocks the ``FOR KEY SHARE`` a
foreign-key check takes: an insert that merely names a locked row (a notification to a user) then
waits for its lock, and two lock orders that never cross can still deadlock through it
(``tests/tenant_apps/store/orders/test_race.py`` shows the cancellation that did).
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("saas", "shared_apps", "tenant_apps")


def _locks_without_no_key(root: Path = ROOT, packages: tuple[str, ...] = PACKAGES) -> list[str]:
    """``path:line`` of every ``select_for_update(...)`` call under ``root``'s ``packages`` that
    does not pass ``no_key=True``."""
    found = []
    for package in packages:
        for path in sorted((root / package).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
                if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
                    continue
                if node.func.attr != "select_for_update":
                    continue
                no_key = next((k.value for k in node.keywords if k.arg == "no_key"), None)
                if not (isinstance(no_key, ast.Constant) and no_key.value is True):
                    found.append(f"{path.relative_to(root)}:{node.lineno}")
    return found


def test_every_row_lock_leaves_foreign_key_checks_alone() -> None:
    assert _locks_without_no_key() == []


def test_the_check_finds_a_for_update_lock(tmp_path: Path) -> None:
    # given: a package with one lock of each kind
    package = tmp_path / "saas"
    package.mkdir()
    (package / "locks.py").write_text(
        "def a(qs):\n    return qs.select_for_update(no_key=True).get()\n\n"
        "def b(qs):\n    return qs.select_for_update(of=('self',)).get()\n"
    )
    # then: the FOR UPDATE one is named
    assert _locks_without_no_key(tmp_path, ("saas",)) == ["saas/locks.py:5"]
