"""The effective price of a product: the one place cart, checkout, auctions and the API read it from.

Rule (seed 001, "discounts: standalone + sale events"): a product's own ``discount_percent`` and
every ``SaleEvent`` running at the moment (``starts_at <= at < ends_at``) that includes it are
candidates; the **largest** single discount applies (discounts do not stack, so a sale can never
push a price below what its largest discount gives). The result is rounded half up to the
currency's smallest unit (``saas.money.round_money``) and is never below that unit, so an order
always has a positive total (even at a 100 % discount).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal

from django.db.models import Max
from django.utils import timezone

from saas.money import quantum, round_money
from tenant_apps.store.catalog.models import Product, SaleEvent

HUNDRED = Decimal("100")


def sale_percents(product_ids: Iterable[int], *, at: datetime | None = None) -> dict[int, Decimal]:
    """``{product id: largest running sale-event percent}`` for the products with one (one query)."""
    moment = at or timezone.now()
    rows = (
        SaleEvent.products.through.objects.filter(
            product_id__in=list(product_ids), saleevent__starts_at__lte=moment, saleevent__ends_at__gt=moment
        )
        .values("product_id")
        .annotate(percent=Max("saleevent__percent"))
    )
    return {row["product_id"]: row["percent"] for row in rows}


def discounted(price: Decimal, percent: Decimal, currency: str) -> Decimal:
    """``price`` less ``percent`` % (0-100), rounded to ``currency``'s unit, at least one unit."""
    value = round_money(price * (HUNDRED - percent) / HUNDRED, currency)
    return max(value, quantum(currency))


def effective_price(product: Product, *, at: datetime | None = None, sale_percent: Decimal | None = None) -> Decimal:
    """What ``product`` costs now (or ``at``), in ``product.currency``: see the module's rule.

    ``sale_percent`` skips the sale-event query when the caller read it already
    (``sale_percents`` for a page of products).
    """
    if sale_percent is None:
        sale_percent = sale_percents([product.pk], at=at).get(product.pk, Decimal("0"))
    percent = max(product.discount_percent, sale_percent)
    if percent <= 0:
        return product.price
    return discounted(product.price, percent, product.currency)


def effective_prices(products: Iterable[Product], *, at: datetime | None = None) -> dict[int, Decimal]:
    """``{product id: effective price}`` for many products with one sale-event query."""
    items = list(products)
    sales = sale_percents([p.pk for p in items], at=at)
    return {p.pk: effective_price(p, sale_percent=sales.get(p.pk, Decimal("0"))) for p in items}
