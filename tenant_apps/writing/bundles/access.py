"""Who may see and do what with class bundles and express classes (writing roles,
``tenant_apps/writing/kind.py``).

| action | who |
| --- | --- |
| list and read active bundles and express classes | anyone, signed in or not |
| see inactive ones too; create, change, delete them | admin |
| buy a bundle; place an express-class order | clients |
| see a bundle purchase | its client; admins: all (``purchases_visible_to``) |
| pay an order from a purchase | the order's client, from their own purchase |

A bundle, express class or purchase a user may not see answers 404, exactly like a missing one
(``access_bundle``, ``access_express_class``, ``access_purchase``).
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from saas.errors import NotFound
from tenant_apps.accounts.permissions import user_has_role
from tenant_apps.kinds import ADMIN
from tenant_apps.writing.bundles.models import Bundle, BundlePurchase, ExpressClass
from tenant_apps.writing.kind import CLIENT

#: Roles that manage bundles and express classes and see every purchase.
BUNDLE_ADMIN_ROLES: tuple[str, ...] = (ADMIN,)
#: Roles that buy bundles and place express-class orders.
BUYER_ROLES: tuple[str, ...] = (CLIENT,)


def _active_user(user: Any) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def can_manage_bundles(user: Any) -> bool:
    """Whether ``user`` manages bundles and express classes (an active admin)."""
    return _active_user(user) and user_has_role(user, *BUNDLE_ADMIN_ROLES)


def can_buy_bundles(user: Any) -> bool:
    """Whether ``user`` may buy a bundle or place an express-class order (an active client)."""
    return _active_user(user) and user_has_role(user, *BUYER_ROLES)


def bundles_visible_to(user: Any) -> QuerySet[Bundle]:
    """The bundles ``user`` may see: admins every one, anyone else the active ones."""
    bundles = Bundle.objects.all()
    return bundles if can_manage_bundles(user) else bundles.filter(is_active=True)


def express_classes_visible_to(user: Any) -> QuerySet[ExpressClass]:
    """The express classes ``user`` may see: admins every one, anyone else the active ones."""
    classes = ExpressClass.objects.all()
    return classes if can_manage_bundles(user) else classes.filter(is_active=True)


def purchases_visible_to(user: Any) -> QuerySet[BundlePurchase]:
    """The bundle purchases ``user`` may see: admins all, anyone else their own (anonymous and
    inactive users: none)."""
    if not _active_user(user):
        return BundlePurchase.objects.none()
    if can_manage_bundles(user):
        return BundlePurchase.objects.all()
    return BundlePurchase.objects.filter(client_id=user.pk)


def access_bundle(*, user: Any, pk: Any) -> Bundle:
    """The bundle ``pk`` if ``user`` may see it. Raises ``NotFound`` (404) for a missing and a hidden
    bundle alike."""
    found = bundles_visible_to(user).filter(pk=pk).first()
    if found is None:
        raise NotFound("No such bundle.")
    return found


def access_express_class(*, user: Any, slug: str) -> ExpressClass:
    """The express class ``slug`` if ``user`` may see it, its academic levels prefetched. Raises
    ``NotFound`` (404) for a missing and a hidden class alike."""
    found = express_classes_visible_to(user).prefetch_related("academic_levels").filter(slug=slug).first()
    if found is None:
        raise NotFound("No such express class.")
    return found


def access_purchase(*, user: Any, pk: Any) -> BundlePurchase:
    """The bundle purchase ``pk`` if ``user`` may see it (``purchases_visible_to``), with its bundle,
    client and invoice. Raises ``NotFound`` (404) for a missing and a hidden purchase alike."""
    found = purchases_visible_to(user).select_related("bundle", "client", "invoice").filter(pk=pk).first()
    if found is None:
        raise NotFound("No such bundle purchase.")
    return found


def access_own_purchase(*, user: Any, pk: Any) -> BundlePurchase:
    """The bundle purchase ``pk`` if it is ``user``'s own (what pays their orders; an admin's
    view of others' purchases does not let them spend them). Raises ``NotFound`` (404) otherwise."""
    if not _active_user(user):
        raise NotFound("No such bundle purchase.")
    found = BundlePurchase.objects.filter(pk=pk, client_id=user.pk).first()
    if found is None:
        raise NotFound("No such bundle purchase.")
    return found
