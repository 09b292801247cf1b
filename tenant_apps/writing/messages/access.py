"""Who may read and write an order's thread, and see who wrote what.

| action | who |
| --- | --- |
| read and post on an order's thread | its client, its writer, editors who see it, support, admins |
| see a message's author and original body | support, admins (``sees_authors``); others: the role |
| list the masked (flagged) messages of the site | support, admins |
| change the message settings | admins |

Editors see an order's thread while they see the order (in review, or reviewed by them:
``orders.access``). Writers of the pool who are not assigned to an order see the order, not its thread: 404, like a
missing order (``access_thread``). A message's attachments are readable by whoever may read the
thread (``message_attachment_readable``, registered with the files app).
"""

from __future__ import annotations

from typing import Any

from saas.db.tenant import current_kind
from saas.errors import NotFound
from tenant_apps.accounts.permissions import user_has_role
from tenant_apps.writing.kind import EDITOR, KIND
from tenant_apps.writing.messages.models import AuthorRole, OrderMessage
from tenant_apps.writing.orders.access import (
    ADMIN_ROLES,
    STAFF_ROLES,
    access_order,
    is_editor,
    is_order_staff,
    orders_visible_to,
)
from tenant_apps.writing.orders.models import Order

#: Roles that list the flagged messages and see authors and original bodies.
MODERATOR_ROLES: tuple[str, ...] = STAFF_ROLES
#: Roles that change the message settings.
SETTINGS_ROLES: tuple[str, ...] = ADMIN_ROLES


def _authenticated(user: Any) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def can_join_thread(user: Any, order: Order) -> bool:
    """Whether ``user``, who sees ``order``, may read and post on its thread: its client, its
    writer, editors (and admins), support."""
    if not _authenticated(user):
        return False
    if user.pk == order.client_id or (order.writer_id is not None and user.pk == order.writer_id):
        return True
    return is_editor(user) or is_order_staff(user)


def sees_authors(user: Any) -> bool:
    """Whether ``user`` sees who wrote a message (and its original body): support and admins."""
    return is_order_staff(user)


def author_role(user: Any, order: Order) -> str:
    """What ``user`` is on ``order``'s thread now (an ``AuthorRole``): its client, its writer, an
    editor, else support (admins write as support)."""
    if user.pk == order.client_id:
        return AuthorRole.CLIENT
    if order.writer_id is not None and user.pk == order.writer_id:
        return AuthorRole.WRITER
    if user_has_role(user, EDITOR):
        return AuthorRole.EDITOR
    return AuthorRole.SUPPORT


def access_thread(*, user: Any, order_id: Any) -> Order:
    """The order ``order_id`` if ``user`` may read its thread. Raises ``NotFound`` (404) for a
    missing order, one ``user`` does not see, and one whose thread is not theirs (a pool writer)."""
    order = access_order(user=user, pk=order_id)
    if not can_join_thread(user, order):
        raise NotFound("No such order.")
    return order


def message_attachment_readable(user: Any, stored_file: Any) -> bool:
    """File-access rule (``tenant_apps.files.access``): a file attached to a message is readable by
    whoever may read that message's thread. Registered process-wide: ``False`` outside writing
    sites, whose schemas lack the table."""
    if current_kind() != KIND.name:
        return False
    order_ids = OrderMessage.objects.filter(attachments=stored_file.pk).values("order_id")
    return any(can_join_thread(user, order) for order in orders_visible_to(user).filter(pk__in=order_ids))
