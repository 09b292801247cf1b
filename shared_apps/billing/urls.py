"""URL patterns: filled in by the billing work (see the module name)."""

from typing import Any

urlpatterns: list[Any] = []
