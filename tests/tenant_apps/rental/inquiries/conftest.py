"""Helpers of the inquiries tests: URLs, opening an inquiry through the API, list ids, and
``in_rental`` to run a factory (``PropertyFactory``, ``BookingFactory``, ...) in the site's schema."""

from __future__ import annotations

from typing import Any

from django_tenants.utils import tenant_context
from rest_framework.test import APIClient

from tests.fixture_types import ApiResponse
from tests.tenant_apps.rental.conftest import Rental

INQUIRIES = "/api/v1/inquiries/"


def inquiry_url(pk: Any, action: str | None = None) -> str:
    """``/api/v1/inquiries/{pk}/`` or ``.../{pk}/{action}/``."""
    return f"{INQUIRIES}{pk}/" + (f"{action}/" if action else "")


def open_inquiry(client: APIClient, **fields: Any) -> dict[str, Any]:
    """Open an inquiry through the API (201 expected); returns the answer's JSON."""
    body = {"subject": "Is the flat quiet?", "message": "We are light sleepers.", **fields}
    response = client.post(INQUIRIES, body, format="json")
    assert response.status_code == 201, response.content
    return dict(response.json())


def ids(response: ApiResponse) -> set[int]:
    """The ids of a list answer's page (200 expected)."""
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def in_rental(rental: Rental, fn: Any, *args: Any, **kwargs: Any) -> Any:
    """``fn(*args, **kwargs)`` in the rental site's schema."""
    with tenant_context(rental.tenant):
        return fn(*args, **kwargs)
