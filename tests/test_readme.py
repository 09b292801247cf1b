"""README.md stays true: every environment variable the settings read is documented, and the
commands it gives are the ones CI and pre-commit run."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _variables_read_by_settings() -> set[str]:
    names: set[str] = set()
    for path in (ROOT / "saas" / "settings").glob("*.py"):
        names |= set(re.findall(r'env(?:\.\w+)?\(\s*"([A-Z][A-Z0-9_]+)"', path.read_text()))
    return names


def test_every_setting_read_from_the_environment_is_in_the_readme_table() -> None:
    readme = (ROOT / "README.md").read_text()
    documented = set(re.findall(r"^\| `([A-Z][A-Z0-9_]+)` \|", readme, flags=re.MULTILINE))
    read = _variables_read_by_settings()
    assert "DATABASE_URL" in read  # the scan itself works
    assert read - documented == set(), "document these in README.md's Settings table"


def test_readme_gives_the_two_commands_that_ci_runs() -> None:
    readme = (ROOT / "README.md").read_text()
    ci = (ROOT / ".ci" / "run").read_text()
    assert "make run" in readme and "make test" in readme
    assert "make test" in ci


def _make_recipe(target: str) -> list[str]:
    """The commands of ``target`` in the Makefile, with ``$(BIN)/`` written as ``.venv/bin/``."""
    lines = (ROOT / "Makefile").read_text().splitlines()
    start = next(i for i, line in enumerate(lines) if re.match(rf"^{target}:", line))
    recipe = []
    for line in lines[start + 1 :]:
        if not line.startswith("\t"):
            break
        recipe.append(line.strip().replace("$(BIN)/", ".venv/bin/").replace("$(UV) ", ".venv/bin/uv "))
    return recipe


def test_ci_runs_the_readme_commands_and_lint() -> None:
    ci_commands = [
        line.strip() for line in (ROOT / ".ci" / "run").read_text().splitlines() if line.strip().startswith("make ")
    ]
    assert ci_commands == ["make install", "make lint", "make infra-check", "make test"]
    assert _make_recipe("test") == [".venv/bin/pytest -n $(TEST_WORKERS) --dist worksteal"]


def test_pre_commit_runs_exactly_the_lint_commands() -> None:
    import yaml

    config = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text())
    hooks = [hook["entry"] for repo in config["repos"] for hook in repo["hooks"]]
    assert hooks == _make_recipe("lint")
