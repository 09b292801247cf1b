"""The platform's own Stripe calls (its plans and its tenants' subscriptions), through the Stripe SDK.

Every call goes through ``saas.stripe.stripe_client()`` (``STRIPE_API_BASE``, ``STRIPE_SECRET_KEY``)
inside ``saas.stripe.stripe_errors()``, so it raises our errors: ``payments_unavailable`` (503)
without a key, ``payment_provider_error`` (502) when Stripe is unreachable or failing,
``payment_provider_rejected`` (400) when it refuses the request. Calls that create something pass
an idempotency key derived from our own ids, so a retried task creates one object, not two.
Answers are plain dicts (``StripeObject.to_dict()``), shaped as in Stripe's API reference.
Amounts: ``Decimal`` in the currency's major unit here, Stripe's minor units on the wire
(``saas.money`` converts).

Why the SDK and not dj-stripe: dj-stripe mirrors Stripe objects into ~60 tables of one schema,
with its own webhook view and models keyed on a single account, and its sync model does not know
tenants. The platform needs a handful of fields per tenant (``BillingAccount``), kept in step by
its own signed webhook (``/api/v1/billing/stripe/webhook/``); the SDK plus ``saas/stripe.py`` is
enough, and the public schema keeps only the tables it uses.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from saas.money import to_minor_units
from saas.stripe import stripe_client, stripe_errors


def _dict(obj: Any) -> dict[str, Any]:
    return dict(obj.to_dict()) if hasattr(obj, "to_dict") else dict(obj)


def product_create(*, name: str, plan_code: str, idempotency_key: str) -> dict[str, Any]:
    """Create the Stripe Product a plan is sold as (``metadata.plan`` = its code)."""
    with stripe_errors():
        product = stripe_client().v1.products.create(
            params={"name": name, "metadata": {"plan": plan_code}}, options={"idempotency_key": idempotency_key}
        )
    return _dict(product)


def product_update(*, product_id: str, name: str) -> dict[str, Any]:
    """Rename Product ``product_id``."""
    with stripe_errors():
        return _dict(stripe_client().v1.products.update(product_id, params={"name": name}))


def price_create(
    *, product_id: str, amount: Decimal, currency: str, interval: str, plan_code: str, idempotency_key: str
) -> dict[str, Any]:
    """Create a recurring Price (``POST /v1/prices``) of ``amount`` ``currency`` per ``interval``
    (``month`` | ``year``) for ``product_id``."""
    with stripe_errors():
        price = stripe_client().v1.prices.create(
            params={
                "product": product_id,
                "unit_amount": to_minor_units(amount, currency),
                "currency": currency.lower(),
                "recurring": {"interval": interval},
                "metadata": {"plan": plan_code},
            },
            options={"idempotency_key": idempotency_key},
        )
    return _dict(price)


def price_retrieve(*, price_id: str) -> dict[str, Any]:
    """Price ``price_id`` as Stripe has it (``unit_amount``, ``currency``, ``recurring``, ``active``)."""
    with stripe_errors():
        return _dict(stripe_client().v1.prices.retrieve(price_id))


def price_archive(*, price_id: str) -> dict[str, Any]:
    """Archive Price ``price_id`` (``active=false``): existing subscriptions keep it, no new one can."""
    with stripe_errors():
        return _dict(stripe_client().v1.prices.update(price_id, params={"active": False}))


def customer_create(*, email: str, name: str, tenant_uuid: str, slug: str) -> dict[str, Any]:
    """Create the tenant's Customer; idempotency key ``billing-customer-<tenant uuid>``."""
    with stripe_errors():
        customer = stripe_client().v1.customers.create(
            params={"email": email, "name": name, "metadata": {"tenant": tenant_uuid, "slug": slug}},
            options={"idempotency_key": f"billing-customer-{tenant_uuid}"},
        )
    return _dict(customer)


def subscription_create(
    *, customer_id: str, price_id: str, trial_days: int, tenant_uuid: str, idempotency_key: str
) -> dict[str, Any]:
    """Subscribe ``customer_id`` to ``price_id``, trialing ``trial_days`` days when > 0.

    Without a trial and without a payment method Stripe answers an ``incomplete`` subscription;
    the tenant admin adds a card through Checkout (``checkout_session_create``)."""
    params: dict[str, Any] = {
        "customer": customer_id,
        "items": [{"price": price_id}],
        "metadata": {"tenant": tenant_uuid},
    }
    if trial_days > 0:
        params["trial_period_days"] = trial_days
    with stripe_errors():
        subscription = stripe_client().v1.subscriptions.create(
            params=params,  # type: ignore[arg-type]
            options={"idempotency_key": idempotency_key},
        )
    return _dict(subscription)


def subscription_retrieve(*, subscription_id: str) -> dict[str, Any]:
    """Subscription ``subscription_id`` as Stripe has it now."""
    with stripe_errors():
        return _dict(stripe_client().v1.subscriptions.retrieve(subscription_id))


def subscription_change_price(*, subscription_id: str, price_id: str, idempotency_key: str) -> dict[str, Any]:
    """Move Subscription ``subscription_id`` to ``price_id``: its one item is modified in place
    (``items[0][id]``), with Stripe's default proration (``create_prorations``)."""
    with stripe_errors():
        client = stripe_client()
        current = _dict(client.v1.subscriptions.retrieve(subscription_id))
        item_id = current["items"]["data"][0]["id"]
        subscription = client.v1.subscriptions.update(
            subscription_id,
            params={"items": [{"id": item_id, "price": price_id}], "proration_behavior": "create_prorations"},
            options={"idempotency_key": idempotency_key},
        )
    return _dict(subscription)


def subscription_cancel(*, subscription_id: str) -> dict[str, Any]:
    """Cancel Subscription ``subscription_id`` now (``DELETE /v1/subscriptions/{id}``)."""
    with stripe_errors():
        return _dict(stripe_client().v1.subscriptions.cancel(subscription_id))


def checkout_session_create(
    *, customer_id: str, success_url: str, cancel_url: str, tenant_uuid: str, plan_code: str, idempotency_key: str
) -> dict[str, Any]:
    """A Checkout Session in ``setup`` mode: the customer saves a card; on
    ``checkout.session.completed`` (``metadata.tenant``, ``metadata.plan``) the platform makes it
    the default payment method and moves the subscription to the plan
    (``services.billing_checkout_completed``). Answers the session, with its ``url``."""
    params: dict[str, Any] = {
        "mode": "setup",
        "customer": customer_id,
        "payment_method_types": ["card"],
        "success_url": success_url,
        "cancel_url": cancel_url,
        "metadata": {"tenant": tenant_uuid, "plan": plan_code},
        "setup_intent_data": {"metadata": {"tenant": tenant_uuid, "plan": plan_code}},
    }
    with stripe_errors():
        session = stripe_client().v1.checkout.sessions.create(
            params=params,  # type: ignore[arg-type]
            options={"idempotency_key": idempotency_key},
        )
    return _dict(session)


def setup_intent_retrieve(*, setup_intent_id: str) -> dict[str, Any]:
    """SetupIntent ``setup_intent_id`` (the card a setup-mode Checkout saved is its ``payment_method``)."""
    with stripe_errors():
        return _dict(stripe_client().v1.setup_intents.retrieve(setup_intent_id))


def customer_default_payment_method_set(*, customer_id: str, payment_method_id: str) -> dict[str, Any]:
    """Make ``payment_method_id`` the card ``customer_id``'s invoices are charged to."""
    with stripe_errors():
        return _dict(
            stripe_client().v1.customers.update(
                customer_id, params={"invoice_settings": {"default_payment_method": payment_method_id}}
            )
        )


def portal_session_create(*, customer_id: str, return_url: str) -> dict[str, Any]:
    """A Billing Portal Session (cards, invoices, cancellation) for ``customer_id``, with its ``url``."""
    with stripe_errors():
        return _dict(
            stripe_client().v1.billing_portal.sessions.create(
                params={"customer": customer_id, "return_url": return_url}
            )
        )


def invoices_list(*, customer_id: str, limit: int = 12) -> list[dict[str, Any]]:
    """The ``limit`` newest invoices of ``customer_id`` (Stripe's order: newest first)."""
    with stripe_errors():
        page = stripe_client().v1.invoices.list(params={"customer": customer_id, "limit": limit})
    return [_dict(invoice) for invoice in page.data]
