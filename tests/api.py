"""Reading the API's answers in tests: the one error shape."""

from __future__ import annotations

from django.http import StreamingHttpResponse
from django.http.response import HttpResponseBase

from tests.fixture_types import JsonResponse


def error_code(response: JsonResponse) -> str:
    """The ``error.code`` of a response, after checking it has the API's one error shape
    (``{"error": {"code", "message", "details"?}}``) and nothing else."""
    body = response.json()
    assert set(body) == {"error"}, body
    assert {"code", "message"} <= set(body["error"]) <= {"code", "message", "details"}, body
    return str(body["error"]["code"])


def streamed_body(response: HttpResponseBase) -> bytes:
    """The whole body of a streamed response (a file download), after checking it is one."""
    assert isinstance(response, StreamingHttpResponse), type(response)
    return response.getvalue()
