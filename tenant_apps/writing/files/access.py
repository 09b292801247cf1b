"""Who may see and add which files of a writing order.

Everything starts from the order: one a user may not see (``orders.access.access_order``) has no
files for them (404). Then, by category:

* ``attachment``: read by whoever sees the order (the writers' pool too, to judge it); added by
  its client until it is completed or cancelled, and by support and admins likewise; removed
  (before delivery) by its uploader or an admin.
* ``draft``: read by the order's writer, editors, support and admins, never the client; added by
  the order's writer while assigned, in progress or revision requested; removed as an attachment.
* ``final``: read as a draft, and by the client once delivered (delivered, revision requested,
  disputed, completed); added by the order's writer as a draft, or by an editor or admin while
  in review; never removed.

"Before delivery": unpaid, available, assigned, in progress, in review. A file a user may not read
answers 404 like a missing one, in the order's file list and detail and in the shared
``/api/v1/files/`` endpoints (``order_file_readable``, registered with the files app). The uploader
is shown by role; a client uploader's identity only to whoever ``sees_client``.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from saas.db.tenant import current_kind
from saas.errors import Conflict, NotFound, PermissionDenied
from tenant_apps.writing.files.models import FileCategory, OrderFile, UploaderRole
from tenant_apps.writing.kind import KIND
from tenant_apps.writing.orders.access import (
    access_order,
    is_editor,
    is_order_admin,
    is_order_staff,
    orders_visible_to,
)
from tenant_apps.writing.orders.models import Order, OrderStatus

#: Statuses in which the client may read the finals (the order has reached them).
DELIVERED_STATUSES: tuple[str, ...] = (
    OrderStatus.DELIVERED,
    OrderStatus.REVISION_REQUESTED,
    OrderStatus.DISPUTED,
    OrderStatus.COMPLETED,
)
#: Statuses in which no attachment is added any more.
ATTACHMENTS_CLOSED: tuple[str, ...] = (OrderStatus.COMPLETED, OrderStatus.CANCELLED)
#: Statuses in which the order's writer adds drafts and finals.
WRITER_WORKING: tuple[str, ...] = (OrderStatus.ASSIGNED, OrderStatus.IN_PROGRESS, OrderStatus.REVISION_REQUESTED)
#: Statuses before delivery, in which an attachment or a draft may be removed.
BEFORE_DELIVERY: tuple[str, ...] = (
    OrderStatus.UNPAID,
    OrderStatus.AVAILABLE,
    OrderStatus.ASSIGNED,
    OrderStatus.IN_PROGRESS,
    OrderStatus.IN_REVIEW,
)


def _authenticated(user: Any) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def is_order_client(user: Any, order: Order) -> bool:
    """Whether ``user`` is ``order``'s client."""
    return _authenticated(user) and user.pk == order.client_id


def is_order_writer(user: Any, order: Order) -> bool:
    """Whether ``user`` is ``order``'s assigned writer."""
    return _authenticated(user) and order.writer_id is not None and user.pk == order.writer_id


def is_order_team(user: Any) -> bool:
    """Whether ``user`` reads an order's work in progress by role: editors, support, admins (once
    they see the order)."""
    return is_editor(user) or is_order_staff(user)


def can_read_category(user: Any, order: Order, category: str) -> bool:
    """Whether ``user``, who sees ``order``, may read its files of ``category`` (the module's table)."""
    if category == FileCategory.ATTACHMENT:
        return _authenticated(user)
    if is_order_writer(user, order) or is_order_team(user):
        return True
    return category == FileCategory.FINAL and is_order_client(user, order) and order.status in DELIVERED_STATUSES


def readable_categories(user: Any, order: Order) -> list[str]:
    """The categories of ``order``'s files ``user`` (who sees it) may read."""
    return [category for category in FileCategory.values if can_read_category(user, order, category)]


def upload_role(user: Any, order: Order, category: str) -> str:
    """What ``user`` adds a file of ``category`` to the locked ``order`` as (an ``UploaderRole``),
    if they may now. Raises ``PermissionDenied`` (403) when they may never add this category to
    this order, ``Conflict`` (409 ``conflict``) when they may, but not in its status."""
    if category == FileCategory.ATTACHMENT:
        if is_order_client(user, order):
            role = UploaderRole.CLIENT
        elif is_order_staff(user):
            role = UploaderRole.SUPPORT
        else:
            raise PermissionDenied("Only the client and support add attachments.")
        if order.status in ATTACHMENTS_CLOSED:
            raise Conflict(f"Attachments are closed: the order is {order.status}.")
        return role
    if is_order_writer(user, order):
        if order.status not in WRITER_WORKING:
            raise Conflict(f"The writer adds {category}s while the order is assigned, in progress or in revision.")
        return UploaderRole.WRITER
    if category == FileCategory.FINAL and is_editor(user):
        if order.status != OrderStatus.IN_REVIEW:
            raise Conflict("Editors add a final while the order is in review.")
        return UploaderRole.EDITOR
    raise PermissionDenied(f"Only the order's writer adds {category}s.")


def check_remove(user: Any, order_file: OrderFile, order: Order) -> None:
    """Whether ``user`` may remove ``order_file`` of the locked ``order`` now: its uploader or an
    admin, an attachment or a draft, before delivery. Raises ``PermissionDenied`` (403),
    ``Conflict`` (409 ``conflict``: delivered already)."""
    if order_file.category == FileCategory.FINAL:
        raise PermissionDenied("A final is kept.")
    if not (is_order_admin(user) or (_authenticated(user) and order_file.uploaded_by_id == user.pk)):
        raise PermissionDenied("Only the uploader or an admin removes a file.")
    if order.status not in BEFORE_DELIVERY:
        raise Conflict("Files are kept once the order is delivered.")


def order_files_visible_to(user: Any, order: Order) -> QuerySet[OrderFile]:
    """The files of ``order`` (which ``user`` sees) that ``user`` may read."""
    return OrderFile.objects.filter(order=order, category__in=readable_categories(user, order))


def can_read_order_file(user: Any, order_file: OrderFile) -> bool:
    """Whether ``user`` may read ``order_file``: they see its order and may read its category."""
    order = orders_visible_to(user).filter(pk=order_file.order_id).first()
    return order is not None and can_read_category(user, order, order_file.category)


def order_file_readable(user: Any, stored_file: Any) -> bool:
    """File-access rule (``tenant_apps.files.access``): a stored file that is an order's file is
    readable by whoever may read that order file. Registered process-wide: ``False`` outside
    writing sites, whose schemas lack the table."""
    if current_kind() != KIND.name:
        return False
    order_file = OrderFile.objects.filter(file_id=stored_file.pk).first()
    return order_file is not None and can_read_order_file(user, order_file)


def access_order_file(*, user: Any, order_id: Any, pk: Any) -> OrderFile:
    """The file ``pk`` of order ``order_id`` with its stored file, its uploader and its order, if
    ``user`` may read it. Raises ``NotFound`` (404) for a missing or hidden order or file alike."""
    from tenant_apps.writing.files import selectors  # the file's shape; selectors import this module

    order = access_order(user=user, pk=order_id)
    found = selectors.order_file_list(user=user, order=order).filter(pk=pk).first()
    if found is None:
        raise NotFound("No such file.")
    return found
