"""Reading the API's answers in tests: the one error shape."""

from __future__ import annotations

from typing import Any


def error_code(response: Any) -> str:
    """The ``error.code`` of a response, after checking it has the API's one error shape
    (``{"error": {"code", "message", "details"?}}``) and nothing else."""
    body = response.json()
    assert set(body) == {"error"}, body
    assert {"code", "message"} <= set(body["error"]) <= {"code", "message", "details"}, body
    return str(body["error"]["code"])
