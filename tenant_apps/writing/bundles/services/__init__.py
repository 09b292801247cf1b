"""Writes on class bundles and express classes, in the current writing schema.

Who may call what: ``access.py``. Locks: ``locks.py``. Every function is atomic and audits each
change (``audit_record``); the people a change concerns are notified (``notify``).

* ``catalog``: ``bundle_create``, ``bundle_update``, ``bundle_delete``, ``express_class_create``,
  ``express_class_update``, ``express_class_delete`` (admins).
* ``purchases``: ``bundle_buy`` (wallet or card), ``purchase_activate`` (``invoice_paid``),
  ``purchases_expire`` (the beat task).
* ``draws``: ``order_pay_bundle`` (an unpaid order paid from a purchase's units),
  ``bundle_units_return`` (``orders.signals.order_cancelled``).
* ``express``: ``express_order_place`` (an order priced by its class, ``pricing.py``).
"""

from tenant_apps.writing.bundles.services.catalog import (
    bundle_create,
    bundle_delete,
    bundle_update,
    express_class_create,
    express_class_delete,
    express_class_update,
)
from tenant_apps.writing.bundles.services.draws import bundle_units_return, order_pay_bundle
from tenant_apps.writing.bundles.services.express import express_order_place
from tenant_apps.writing.bundles.services.purchases import (
    PaymentMethod,
    PurchaseCheckout,
    bundle_buy,
    purchase_activate,
    purchases_expire,
)

__all__ = [
    "PaymentMethod",
    "PurchaseCheckout",
    "bundle_buy",
    "bundle_create",
    "bundle_delete",
    "bundle_units_return",
    "bundle_update",
    "express_class_create",
    "express_class_delete",
    "express_class_update",
    "express_order_place",
    "order_pay_bundle",
    "purchase_activate",
    "purchases_expire",
]
