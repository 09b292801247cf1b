"""Permission classes shared by the platform and tenant APIs."""

from __future__ import annotations

from typing import Any

from rest_framework.permissions import BasePermission


class IsPlatformStaff(BasePermission):
    """Platform staff: an active ``is_staff`` user of the public schema (the platform host)."""

    message = "Platform staff only."

    def has_permission(self, request: Any, view: Any) -> bool:
        from saas.db.tenant import current_schema

        user = request.user
        return bool(user and user.is_authenticated and user.is_staff and current_schema() == "public")
