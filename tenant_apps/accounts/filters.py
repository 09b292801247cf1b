"""Query filters of ``GET /api/v1/users/`` (django-filter); invalid values answer 400."""

from __future__ import annotations

from django_filters import rest_framework as filters

from saas.api.filters import StrictBooleanFilter
from tenant_apps.accounts.models import User
from tenant_apps.kinds import all_kinds

#: Every role name of every kind: one schema enum; a role this site's kind lacks matches nobody.
ROLE_NAMES = sorted({role for spec in all_kinds().values() for role in spec.role_names})


class UserFilter(filters.FilterSet):
    """``role`` (a role name: only users holding it) and ``is_active`` (``true``/``false``)."""

    role = filters.ChoiceFilter(
        field_name="groups__name",
        choices=[(name, name) for name in ROLE_NAMES],
        help_text="Only users holding this role.",
    )
    is_active = StrictBooleanFilter(field_name="is_active")

    class Meta:
        model = User
        fields = ("role", "is_active")
