"""Who may do what with products, lessons and study groups (school roles, ``accounts/roles.py``).

| action | who |
| --- | --- |
| list and read products (outline: lesson titles and count) | anyone, signed in or not |
| read the lessons' video URLs of a product | its paid buyers (``paid`` purchase); staff |
| buy a product | students |
| create, change, delete authors, products, lessons | admin |
| see a product's groups and their members | staff: admin, teacher, support |
| move a student between groups of a product | admin, support |
| see one's own groups and purchases | every signed-in user (their own only) |

``financial`` users are not staff here: they see outlines like anyone, and the invoices and
payments through the payments API. Unpublished products are visible to staff and to those who
bought them (a product taken off sale keeps its lessons for its buyers); others get 404.
"""

from __future__ import annotations

from typing import Any

from tenant_apps.accounts.permissions import user_has_role
from tenant_apps.accounts.roles import ADMIN
from tenant_apps.school.kind import STUDENT, SUPPORT, TEACHER

#: See every product (published or not), its full lessons and its groups.
STAFF_ROLES: tuple[str, ...] = (ADMIN, TEACHER, SUPPORT)
#: Move students between the groups of a product.
GROUP_MANAGER_ROLES: tuple[str, ...] = (ADMIN, SUPPORT)
#: Create, change and delete authors, products and lessons.
CATALOG_EDITOR_ROLES: tuple[str, ...] = (ADMIN,)
#: Buy products.
BUYER_ROLES: tuple[str, ...] = (STUDENT,)


def _has(user: Any, roles: tuple[str, ...]) -> bool:
    return bool(user is not None and user.is_authenticated and user_has_role(user, *roles))


def user_sees_whole_catalog(user: Any) -> bool:
    """Whether ``user`` sees every product with its lessons and groups (admin, teacher, support)."""
    return _has(user, STAFF_ROLES)


def user_manages_groups(user: Any) -> bool:
    """Whether ``user`` may move students between groups (admin, support)."""
    return _has(user, GROUP_MANAGER_ROLES)


def user_edits_catalog(user: Any) -> bool:
    """Whether ``user`` may create, change and delete authors, products and lessons (admin)."""
    return _has(user, CATALOG_EDITOR_ROLES)


def user_may_buy(user: Any) -> bool:
    """Whether ``user`` may buy products (students)."""
    return _has(user, BUYER_ROLES)
