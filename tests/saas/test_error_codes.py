"""One code per meaning: every ``error.code`` the code base can send is an ``ErrorCode``, and the
README lists every ``ErrorCode``."""

from __future__ import annotations

import re
from pathlib import Path

from saas.errors import ErrorCode

ROOT = Path(__file__).resolve().parent.parent.parent
#: ``code="..."`` in a raise, and the first argument of the JSON error helpers.
_USED = re.compile(r'\bcode="([a-z_]+)"|error_(?:response|body)\(\s*"([a-z_]+)"')


def _codes_in_code() -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for top in ("saas", "shared_apps", "tenant_apps"):
        for path in (ROOT / top).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            for match in _USED.finditer(path.read_text()):
                code = match.group(1) or match.group(2)
                found.setdefault(code, set()).add(str(path.relative_to(ROOT)))
    return found


def test_every_code_the_code_base_sends_is_an_error_code() -> None:
    used = _codes_in_code()
    assert "not_found" in used  # the scan itself works
    unknown = {
        code: sorted(paths) for code, paths in used.items() if code not in set(ErrorCode) and code != "invalid"
    }  # "invalid": DRF's field-level key
    assert unknown == {}


def test_every_error_code_has_one_value() -> None:
    values = [member.value for member in ErrorCode]
    assert len(values) == len(set(values))


def test_the_readme_lists_every_error_code() -> None:
    readme = (ROOT / "README.md").read_text()
    errors = readme[readme.index("## Errors") : readme.index("## Security")]
    documented = set(re.findall(r"`([a-z_]+)`", errors))
    assert {member.value for member in ErrorCode} - documented == set()
