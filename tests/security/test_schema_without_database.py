"""Every host's OpenAPI schema is built without touching the database.

``tests/security/test_schema_fuzzing.py`` builds the schemas at collection time, before the test
databases exist: a view that queries while drf-spectacular inspects it (``get_serializer_context``,
``get_queryset`` without ``swagger_fake_view``) opens the connection pool against the real database
name, and every later test of that process fails to connect. Here every attempt to use a
connection while the schema is built is recorded (drf-spectacular turns a view's exception into a
warning, so refusing alone would pass), with the stack naming the view.
"""

from __future__ import annotations

import traceback
from typing import Any

import pytest
from django.conf import settings
from django.db import connections
from drf_spectacular.generators import SchemaGenerator

URLCONFS = ["saas.urls.public", *(f"{package}.urls" for package in settings.TENANT_KINDS)]


@pytest.mark.parametrize("urlconf", URLCONFS)
def test_the_schema_is_built_without_a_database_query(urlconf: str, monkeypatch: pytest.MonkeyPatch) -> None:
    attempts: list[str] = []

    def refuse(self: Any) -> None:
        attempts.append("".join(traceback.format_stack(limit=12)))
        raise AssertionError("the OpenAPI schema queried the database")

    for alias in connections:
        monkeypatch.setattr(type(connections[alias]), "ensure_connection", refuse)
    schema = SchemaGenerator(urlconf=urlconf).get_schema(request=None, public=True)
    assert schema["paths"]
    assert attempts == [], attempts[0]
