"""localstripe extension: Prices, Checkout Sessions, Billing Portal Sessions (dev/test tooling only).

Loaded by ``saas.dev.localstripe`` before localstripe's server, it appends routes to
localstripe's ``extra_apis``:

* ``/v1/prices`` (create, retrieve, update ``active`` / ``metadata`` / ``nickname``, list by
  ``active`` / ``product``): kept as localstripe Plans whose id starts ``price_``, so
  subscriptions bill them; answered in Stripe's Price shape (``unit_amount``, ``recurring``).
* Subscriptions: ``items[][price]`` is read as ``items[][plan]``; ``proration_behavior`` is
  accepted on update; a subscription with ``trial_period_days`` is ``trialing`` with its
  ``trial_end`` set (localstripe leaves it ``incomplete``), and ``trial_end=now`` ends the trial
  by billing the first period (``active``, or ``past_due`` when the card is declined); each item
  also shows its ``price``.
* ``/v1/checkout/sessions`` (create, retrieve) and ``/v1/billing_portal/sessions`` (create):
  objects in Stripe's shape with a ``url`` (Stripe-looking; nothing is served there).

Small on purpose: what the platform's billing calls, nothing more.
"""

from __future__ import annotations

import time
from typing import Any

from localstripe.errors import UserError
from localstripe.resources import (
    Customer,
    Plan,
    Subscription,
    SubscriptionItem,
    extra_apis,
    random_id,
    try_convert_to_bool,
    try_convert_to_int,
)

PRICE_PREFIX = "price_"


class _Answer:
    """What localstripe's route wrapper serialises: a ready dict."""

    def __init__(self, data: dict[str, Any]) -> None:
        self._data = data

    def _export(self, expand: Any = None) -> dict[str, Any]:
        return self._data


def _price(plan: Any) -> dict[str, Any]:
    return {
        "id": plan.id,
        "object": "price",
        "active": plan.active,
        "billing_scheme": "per_unit",
        "created": plan.created,
        "currency": plan.currency,
        "livemode": False,
        "lookup_key": None,
        "metadata": plan.metadata,
        "nickname": plan.nickname,
        "product": plan.product,
        "recurring": {
            "interval": plan.interval,
            "interval_count": plan.interval_count,
            "usage_type": plan.usage_type,
            "aggregate_usage": None,
            "trial_period_days": None,
        },
        "tax_behavior": "unspecified",
        "type": "recurring",
        "unit_amount": plan.amount,
        "unit_amount_decimal": str(plan.amount),
    }


def _price_plan(id: Any) -> Any:
    if not isinstance(id, str) or not id.startswith(PRICE_PREFIX):
        raise UserError(404, "Not Found")
    return Plan._api_retrieve(id)


def price_create(
    product: Any = None,
    unit_amount: Any = None,
    currency: Any = None,
    recurring: Any = None,
    metadata: Any = None,
    nickname: Any = None,
    active: Any = True,
    **kwargs: Any,
) -> _Answer:
    """POST /v1/prices: a recurring Price (kept as a Plan ``price_...``)."""
    if kwargs:
        raise UserError(400, "Unexpected " + ", ".join(kwargs))
    if not isinstance(product, str) or not isinstance(recurring, dict) or not recurring.get("interval"):
        raise UserError(400, "Bad request: product (an id) and recurring[interval] are required")
    plan = Plan(
        id=PRICE_PREFIX + random_id(24),
        product=product,
        amount=unit_amount,
        currency=currency,
        interval=recurring["interval"],
        interval_count=recurring.get("interval_count", 1),
        metadata=metadata,
        nickname=nickname,
        active=active,
    )
    return _Answer(_price(plan))


def price_retrieve(id: Any = None, **kwargs: Any) -> _Answer:
    """GET /v1/prices/{id}."""
    return _Answer(_price(_price_plan(id)))


def price_update(
    id: Any = None, active: Any = None, metadata: Any = None, nickname: Any = None, **kwargs: Any
) -> _Answer:
    """POST /v1/prices/{id}: ``active``, ``metadata``, ``nickname``."""
    if kwargs:
        raise UserError(400, "Unexpected " + ", ".join(kwargs))
    plan = _price_plan(id)
    if active is not None:
        active = try_convert_to_bool(active)
        if type(active) is not bool:
            raise UserError(400, "Bad request")
        plan.active = active
    if isinstance(metadata, dict):
        plan.metadata = {**(plan.metadata or {}), **metadata}
    if nickname is not None:
        plan.nickname = nickname
    return _Answer(_price(plan))


def price_list(
    active: Any = None, product: Any = None, limit: Any = None, starting_after: Any = None, **kwargs: Any
) -> _Answer:
    """GET /v1/prices?active=&product=."""
    if kwargs:
        raise UserError(400, "Unexpected " + ", ".join(kwargs))
    found = Plan._api_list_all("/v1/prices", active=active, product=product, limit=10000)
    prices = [plan for plan in found._list if plan.id.startswith(PRICE_PREFIX)]
    if starting_after:
        ids = [plan.id for plan in prices]
        prices = prices[ids.index(starting_after) + 1 :] if starting_after in ids else []
    size = try_convert_to_int(limit) or 10
    return _Answer(
        {
            "object": "list",
            "url": "/v1/prices",
            "has_more": len(prices) > size,
            "data": [_price(plan) for plan in prices[:size]],
        }
    )


def _items_with_plans(items: Any) -> Any:
    if isinstance(items, list):
        for item in items:
            if isinstance(item, dict) and "price" in item:
                item["plan"] = item.pop("price")
    return items


_subscription_init = Subscription.__init__
_subscription_update = Subscription._update


def _init(self: Any, *args: Any, items: Any = None, **kwargs: Any) -> None:
    _subscription_init(self, *args, items=_items_with_plans(items), **kwargs)
    if self.trial_period_days and self.trial_end is None:
        self.trial_start = self.start_date
        self.trial_end = self.start_date + int(self.trial_period_days) * 86400
    if self.trial_end is not None and self.trial_end > time.time() and self.status == "incomplete":
        self.status = "trialing"


def _update(
    self: Any, items: Any = None, proration_behavior: Any = None, payment_behavior: Any = None, **kwargs: Any
) -> None:
    was_trialing = self.status == "trialing"
    _subscription_update(self, items=_items_with_plans(items), **kwargs)
    if was_trialing and kwargs.get("trial_end") is not None and self.trial_end <= time.time():
        # Ending the trial (``trial_end=now``) bills the first period: ``active`` when the
        # customer's default card pays, ``past_due`` when it is declined.
        self._create_invoice()


Subscription.__init__ = _init  # type: ignore[method-assign]
Subscription._update = _update  # type: ignore[method-assign]
SubscriptionItem.price = property(lambda self: _price(self.plan))  # type: ignore[attr-defined]


_checkout_sessions: dict[str, dict[str, Any]] = {}


def checkout_session_create(
    mode: Any = None,
    customer: Any = None,
    success_url: Any = None,
    cancel_url: Any = None,
    metadata: Any = None,
    client_reference_id: Any = None,
    **kwargs: Any,
) -> _Answer:
    """POST /v1/checkout/sessions: an open session with a ``url``."""
    if mode not in ("payment", "setup", "subscription") or not isinstance(success_url, str):
        raise UserError(400, "Bad request: mode and success_url are required")
    if customer is not None:
        Customer._api_retrieve(customer)  # 404 when missing
    session_id = "cs_test_" + random_id(56)
    now = int(time.time())
    session = {
        "id": session_id,
        "object": "checkout.session",
        "cancel_url": cancel_url,
        "client_reference_id": client_reference_id,
        "created": now,
        "currency": None,
        "customer": customer,
        "expires_at": now + 86400,
        "livemode": False,
        "metadata": metadata if isinstance(metadata, dict) else {},
        "mode": mode,
        "payment_intent": None,
        "payment_status": "no_payment_required" if mode == "setup" else "unpaid",
        "setup_intent": None,
        "status": "open",
        "subscription": None,
        "success_url": success_url,
        "url": f"https://checkout.stripe.com/c/pay/{session_id}",
    }
    _checkout_sessions[session_id] = session
    return _Answer(session)


def checkout_session_retrieve(id: Any = None, **kwargs: Any) -> _Answer:
    """GET /v1/checkout/sessions/{id}."""
    if id not in _checkout_sessions:
        raise UserError(404, "Not Found")
    return _Answer(_checkout_sessions[id])


def portal_session_create(customer: Any = None, return_url: Any = None, **kwargs: Any) -> _Answer:
    """POST /v1/billing_portal/sessions: a session with a ``url``."""
    if not isinstance(customer, str):
        raise UserError(400, "Bad request: customer is required")
    Customer._api_retrieve(customer)  # 404 when missing
    session_id = "bps_" + random_id(24)
    return _Answer(
        {
            "id": session_id,
            "object": "billing_portal.session",
            "configuration": "bpc_" + random_id(24),
            "created": int(time.time()),
            "customer": customer,
            "flow": None,
            "livemode": False,
            "locale": None,
            "on_behalf_of": None,
            "return_url": return_url,
            "url": f"https://billing.stripe.com/p/session/test_{session_id}",
        }
    )


extra_apis.extend(
    (
        ("POST", "/v1/prices", price_create),
        ("GET", "/v1/prices", price_list),
        ("GET", "/v1/prices/{id}", price_retrieve),
        ("POST", "/v1/prices/{id}", price_update),
        ("POST", "/v1/checkout/sessions", checkout_session_create),
        ("GET", "/v1/checkout/sessions/{id}", checkout_session_retrieve),
        ("POST", "/v1/billing_portal/sessions", portal_session_create),
    )
)
