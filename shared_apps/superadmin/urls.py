"""URL patterns of the superadmin app on the platform host (filled in by the operations work)."""

from typing import Any

urlpatterns: list[Any] = []
