"""Small hooks shared by the request and task paths for logs and error reports."""

from __future__ import annotations


def tag_tenant(schema_name: str) -> None:
    """Set the ``tenant`` tag on the current Sentry scope (a no-op when Sentry is off)."""
    import sentry_sdk

    sentry_sdk.set_tag("tenant", schema_name)
