"""The figures of each dashboard section, read with aggregate queries (``Count``/``Sum``/``Avg``
with ``filter=``, ``TruncDate``): a section costs the same number of queries whatever the number
of orders, tickets or ledger rows (``tests/tenant_apps/writing/dashboard/test_queries.py``).

| section | queries | figures |
| --- | --- | --- |
| ``client_section`` | 2 | orders by status (and late), spending by currency (all time, this month) |
| ``writer_section`` | 3 | active orders by deadline, their counts and rating, earnings this month |
| ``editor_section`` | 2 | the review queue (oldest deadline first), its counts, one's reviews |
| ``support_section`` | 4 | tickets by status, the oldest open ones, disputed orders and their count |
| ``admin_section`` | 4 | revenue by day (``REVENUE_DAYS``), orders by status, top writers, overdue orders |

Money is a list of ``{"currency", ...amounts}`` (amounts as decimal strings in that currency), one
entry per currency that has any: a site may have switched currency, and sums never mix them.
Spending is what the client's paid orders cost (paid by wallet or card, ``paid_at``), since card
payments never touch the wallet; earnings are the writer's ``earning`` ledger entries
(``wallet.LedgerEntry``), the money really credited. "This month" is the site's calendar month.
Lists hold at most ``LIST_LIMIT`` orders or tickets, as ``{id, number, topic, status, deadline,
is_late}``; no section names an order's client.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Avg, Count, F, Q, QuerySet, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from tenant_apps.kinds import ADMIN
from tenant_apps.tickets.access import tickets_visible_to
from tenant_apps.tickets.models import TicketStatus
from tenant_apps.wallet.models import LedgerEntry, LedgerEntryKind
from tenant_apps.writing.kind import CLIENT, EDITOR, SUPPORT, WRITER
from tenant_apps.writing.orders.models import LATE_STATUSES, Order, OrderStatus
from tenant_apps.writing.reviews.models import ReviewStatus

#: Most orders or tickets a list of a section holds.
LIST_LIMIT = 10
#: Days of revenue the admin section gives, today included.
REVENUE_DAYS = 30
#: Writers in the admin's "top writers".
TOP_WRITERS = 5
#: A writer's orders still to be worked on or reviewed (not yet with the client).
WRITER_ACTIVE_STATUSES = (
    OrderStatus.ASSIGNED,
    OrderStatus.IN_PROGRESS,
    OrderStatus.IN_REVIEW,
    OrderStatus.REVISION_REQUESTED,
)

_ORDER_FIELDS = ("id", "number", "topic", "status", "deadline")
#: A writer's rating is the average of the PUBLISHED reviews of their orders (the reviews app,
#: moderated; at most one per order, so the join never repeats an order).
_PUBLISHED_REVIEW = Q(client_review__status=ReviewStatus.PUBLISHED)


def _rating(average: Any) -> str | None:
    """An average rating as a decimal string with 2 places (``"4.50"``, as ``/writers/`` shows
    it), or ``None`` before the first rating."""
    if average is None:
        return None
    return str(Decimal(str(average)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def month_start(now: datetime) -> datetime:
    """The first moment of ``now``'s calendar month in the site's time zone (aware)."""
    local = timezone.localtime(now)
    return local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def _late(now: datetime) -> Q:
    """Orders late at ``now``: deadline passed, not yet delivered (``Order.is_late``)."""
    return Q(status__in=LATE_STATUSES, deadline__lte=now)


def _amount(value: Decimal | None) -> str:
    return str(value if value is not None else Decimal("0.00"))


def _order_rows(orders: QuerySet[Order], now: datetime) -> list[dict[str, Any]]:
    """Up to ``LIST_LIMIT`` of ``orders`` (ordered by the caller) as plain rows, with ``is_late``."""
    rows = list(orders.values(*_ORDER_FIELDS)[:LIST_LIMIT])
    for row in rows:
        row["is_late"] = row["status"] in LATE_STATUSES and row["deadline"] <= now
    return rows


def _by_status(orders: QuerySet[Order], now: datetime) -> dict[str, Any]:
    """``{"orders_by_status": {status: n, ...every status}, "orders_total", "orders_late"}`` of
    ``orders``: one query."""
    counts = orders.aggregate(
        _total=Count("pk"),
        _late=Count("pk", filter=_late(now)),
        **{status: Count("pk", filter=Q(status=status)) for status in OrderStatus.values},
    )
    return {
        "orders_by_status": {status: counts[status] for status in OrderStatus.values},
        "orders_total": counts["_total"],
        "orders_late": counts["_late"],
    }


def client_section(*, user: Any, now: datetime) -> dict[str, Any]:
    """``user``'s orders by status (with how many are late) and ``spending``: ``[{currency, total,
    this_month}]``, the totals of their paid orders (all time; paid this month). 2 queries."""
    orders = Order.objects.filter(client=user)
    spending = (
        orders.filter(paid_at__isnull=False)
        .values("currency")
        .annotate(all_time=Sum("total"), this_month=Sum("total", filter=Q(paid_at__gte=month_start(now))))
        .order_by("currency")
    )
    return {
        **_by_status(orders, now),
        "spending": [
            {"currency": row["currency"], "total": _amount(row["all_time"]), "this_month": _amount(row["this_month"])}
            for row in spending
        ],
    }


def writer_section(*, user: Any, now: datetime) -> dict[str, Any]:
    """``user``'s active orders (``WRITER_ACTIVE_STATUSES``, nearest deadline first, with their
    count, how many are late and the next deadline), completed orders, ``rating`` (``{average,
    count}`` of the published reviews of their orders; ``average`` ``null`` before the first) and
    ``earnings_this_month`` (``[{currency, amount}]`` from the wallet ledger). 3 queries."""
    mine = Order.objects.filter(writer=user)
    active = Q(status__in=WRITER_ACTIVE_STATUSES)
    figures = mine.aggregate(
        active=Count("pk", filter=active),
        late=Count("pk", filter=active & _late(now)),
        completed=Count("pk", filter=Q(status=OrderStatus.COMPLETED)),
        rated=Count("client_review", filter=_PUBLISHED_REVIEW),
        average=Avg("client_review__rating", filter=_PUBLISHED_REVIEW),
    )
    orders = _order_rows(mine.filter(active).order_by("deadline", "id"), now)
    earnings = (
        LedgerEntry.objects.filter(wallet__user=user, kind=LedgerEntryKind.EARNING, created_at__gte=month_start(now))
        .values(currency=F("wallet__currency"))
        .annotate(amount=Sum("balance_delta"))
        .order_by("currency")
    )
    average = figures["average"]
    return {
        "active_orders": orders,
        "active_count": figures["active"],
        "late_count": figures["late"],
        "next_deadline": orders[0]["deadline"] if orders else None,
        "completed_count": figures["completed"],
        "rating": {"average": _rating(average), "count": figures["rated"]},
        "earnings_this_month": [{"currency": row["currency"], "amount": _amount(row["amount"])} for row in earnings],
    }


def editor_section(*, user: Any, now: datetime) -> dict[str, Any]:
    """The review queue (orders ``in_review``, nearest deadline first) with its size and how many
    in it are late, and ``user``'s reviews (orders they delivered or returned: all, and delivered
    this month). 2 queries."""
    in_review = Q(status=OrderStatus.IN_REVIEW)
    figures = Order.objects.aggregate(
        queue=Count("pk", filter=in_review),
        late=Count("pk", filter=in_review & Q(deadline__lte=now)),
        reviewed=Count("pk", filter=Q(editor=user)),
        delivered_this_month=Count("pk", filter=Q(editor=user, delivered_at__gte=month_start(now))),
    )
    return {
        "review_queue": _order_rows(Order.objects.filter(in_review).order_by("deadline", "id"), now),
        "queue_count": figures["queue"],
        "queue_late_count": figures["late"],
        "reviewed_count": figures["reviewed"],
        "delivered_this_month": figures["delivered_this_month"],
    }


def support_section(*, user: Any, now: datetime) -> dict[str, Any]:
    """The site's tickets (``tickets.access.tickets_visible_to``: all, for support): how many are
    open, answered and open without an assignee, the oldest open ones (``{id, subject, priority,
    status, created_at}``); disputed orders, oldest dispute first, and their count. 4 queries."""
    tickets = tickets_visible_to(user)
    figures = tickets.aggregate(
        open=Count("pk", filter=Q(status=TicketStatus.OPEN)),
        answered=Count("pk", filter=Q(status=TicketStatus.ANSWERED)),
        unassigned=Count("pk", filter=Q(status=TicketStatus.OPEN, assignee__isnull=True)),
    )
    oldest = list(
        tickets.filter(status=TicketStatus.OPEN)
        .order_by("created_at", "id")
        .values("id", "subject", "priority", "status", "created_at")[:LIST_LIMIT]
    )
    disputed = Order.objects.filter(status=OrderStatus.DISPUTED)
    return {
        "open_tickets": oldest,
        "open_tickets_count": figures["open"],
        "answered_tickets_count": figures["answered"],
        "unassigned_open_tickets_count": figures["unassigned"],
        "disputed_orders": _order_rows(disputed.order_by("updated_at", "id"), now),
        "disputed_orders_count": disputed.count(),
    }


def admin_section(*, user: Any, now: datetime) -> dict[str, Any]:
    """The site at a glance: ``revenue_by_day`` (``[{date, currency, amount, orders}]`` of orders
    paid in the last ``REVENUE_DAYS`` days, site dates, only days with revenue), orders by status
    (with how many are late), ``top_writers`` (most completed orders: ``{id, name, completed_count,
    average_rating, ratings}``, ratings from published reviews) and ``overdue_orders`` (late,
    earliest deadline first). 4 queries."""
    first_day = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0) - timedelta(
        days=REVENUE_DAYS - 1
    )
    revenue = (
        Order.objects.filter(paid_at__gte=first_day)
        .annotate(day=TruncDate("paid_at"))
        .values("day", "currency")
        .annotate(amount=Sum("total"), orders=Count("pk"))
        .order_by("day", "currency")
    )
    top = (
        Order.objects.filter(status=OrderStatus.COMPLETED, writer__isnull=False)
        .values("writer", "writer__full_name", "writer__email")
        .annotate(
            completed=Count("pk"),
            average=Avg("client_review__rating", filter=_PUBLISHED_REVIEW),
            ratings=Count("client_review", filter=_PUBLISHED_REVIEW),
        )
        .order_by("-completed", "writer")[:TOP_WRITERS]
    )
    return {
        "revenue_by_day": [
            {"date": row["day"], "currency": row["currency"], "amount": _amount(row["amount"]), "orders": row["orders"]}
            for row in revenue
        ],
        **_by_status(Order.objects.all(), now),
        "top_writers": [
            {
                "id": row["writer"],
                "name": row["writer__full_name"] or row["writer__email"],
                "completed_count": row["completed"],
                "average_rating": _rating(row["average"]),
                "ratings": row["ratings"],
            }
            for row in top
        ],
        "overdue_orders": _order_rows(Order.objects.filter(_late(now)).order_by("deadline", "id"), now),
    }


#: The section builder of each role (``access.SECTION_ROLES``).
SECTIONS = {
    CLIENT: client_section,
    WRITER: writer_section,
    EDITOR: editor_section,
    SUPPORT: support_section,
    ADMIN: admin_section,
}


def dashboard(*, user: Any, roles: list[str]) -> dict[str, Any]:
    """``{"roles": roles, "generated_at", <role>: section, ...}`` for ``user``, one section per
    role in ``roles`` (checked by ``access.ensure_dashboard_roles``)."""
    now = timezone.now()
    return {"roles": roles, "generated_at": now, **{role: SECTIONS[role](user=user, now=now) for role in roles}}
