"""Plans and tenants' subscriptions: the platform's writes (public schema).

Plans (``plan_create``, ``plan_update``) are validated here, for the API and the platform console
alike, and kept in step with Stripe after commit by ``tasks.plan_stripe_sync_task``
(``plan_stripe_sync``): the Product once, a new Price when the price, currency or interval change
(the old one archived, ``active=false``), the Product renamed with the plan.

A tenant's ``BillingAccount`` is opened in the provisioning transaction (``billing_account_open``,
status ``pending``); after commit ``tasks.billing_account_sync_task`` (``billing_account_sync``)
creates the Stripe Customer and Subscription, or moves the subscription to the account's plan,
and stores what Stripe answers with ``sync.subscription_apply``. Requests never wait for Stripe:
a plan change (``billing_plan_change``) records the plan (limits follow it at once) and the
task brings Stripe in step, retried with backoff while Stripe is unreachable (the last error is
kept in ``sync_error``). Without ``STRIPE_SECRET_KEY``, or for an account without a plan, the
sync calls nothing.

Checkout (``billing_checkout_start``): a Stripe Checkout Session in ``setup`` mode that saves a
card; its ``checkout.session.completed`` event is handed to ``billing_checkout_completed``, which
makes the card the customer's default and moves the subscription to the plan chosen.

Locks: the tenant row (``tenancy.locks.tenant_lock``), then its account (``locks.account_lock``),
as ``sync.subscription_apply`` takes them. Plans: ``_plan_lock`` (the plan row) alone.
"""

from __future__ import annotations

import logging
import uuid
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from saas.db.tenant import current_schema, enqueue_on_commit, in_tenant, site_url
from saas.errors import ApplicationError, Conflict, ErrorCode
from saas.money import check_amount, normalize_currency, to_minor_units
from saas.stripe import payments_enabled
from shared_apps.billing import gateway
from shared_apps.billing.locks import account_lock
from shared_apps.billing.models import BillingAccount, Plan, PlanInterval, SubscriptionStatus
from shared_apps.tenancy.locks import tenant_lock
from shared_apps.tenancy.models import Tenant, TenantStatus

logger = logging.getLogger(__name__)

#: The plan fields staff set (API and console); the Stripe ids are the sync's.
PLAN_FIELDS = ("code", "name", "price", "currency", "interval", "trial_days", "application_fee_percent", "limits")
PLAN_FIELDS_EDITABLE = (*PLAN_FIELDS, "is_public")


def _invalid(field: str, message: str) -> ApplicationError:
    return ApplicationError(message, code=ErrorCode.VALIDATION_ERROR, details={field: [message]})


def plan_limits_clean(limits: Any) -> dict[str, int | None]:
    """``limits`` checked: an object whose keys are known limits
    (``limits.known_limits()``: the platform's and every kind's) and whose values are integers
    >= 0 or ``null`` (unlimited). Raises ``validation_error`` (400, ``details.limits``)."""
    from shared_apps.billing.limits import known_limits

    if not isinstance(limits, dict):
        raise _invalid("limits", "Limits must be an object of limit name to a count or null.")
    known = known_limits()
    unknown = sorted(str(name) for name in limits if name not in known)
    if unknown:
        raise _invalid("limits", f"Unknown limits: {', '.join(unknown)}. Known: {', '.join(sorted(known))}.")
    for name, value in limits.items():
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
            raise _invalid("limits", f"The limit {name!r} must be an integer >= 0 or null.")
    return dict(limits)


def plan_fields_clean(fields: dict[str, Any], *, current: Plan | None) -> dict[str, Any]:
    """The plan fields in ``fields`` checked and normalised (the rules of ``plan_create``); raises
    as ``plan_create``. The platform console's form checks with it too."""
    cleaned: dict[str, Any] = {}
    unknown = set(fields) - set(PLAN_FIELDS_EDITABLE)
    if unknown:
        raise _invalid(sorted(unknown)[0], "This field cannot be set.")
    if "code" in fields:
        code = str(fields["code"] or "").strip()
        if current is not None and code != current.code:
            raise _invalid("code", "A plan's code cannot change.")
        if not code or len(code) > 50 or not all(c.isascii() and (c.isalnum() or c in "-_") for c in code):
            raise _invalid("code", "Use letters, digits, '-' and '_' (at most 50).")
        cleaned["code"] = code
    if "name" in fields:
        name = str(fields["name"] or "").strip()
        if not name or len(name) > 100:
            raise _invalid("name", "A name of 1 to 100 characters is required.")
        cleaned["name"] = name
    currency = current.currency if current is not None else None
    if "currency" in fields:
        currency = normalize_currency(str(fields["currency"] or ""))
        cleaned["currency"] = currency
    if "price" in fields or "currency" in fields:
        raw = fields.get("price", current.price if current is not None else None)
        if currency is None:
            raise _invalid("currency", "A currency is required.")
        try:
            value = Decimal(str(raw))
        except (InvalidOperation, ValueError):
            raise _invalid("price", "Not an amount.") from None
        cleaned["price"] = Decimal("0.00") if value == 0 else check_amount(value, currency, field="price")
    if "interval" in fields:
        if fields["interval"] not in PlanInterval.values:
            raise _invalid("interval", f"Use one of: {', '.join(PlanInterval.values)}.")
        cleaned["interval"] = fields["interval"]
    if "trial_days" in fields:
        days = fields["trial_days"]
        if isinstance(days, bool) or not isinstance(days, int) or not 0 <= days <= 730:
            raise _invalid("trial_days", "Trial days must be an integer from 0 to 730.")
        cleaned["trial_days"] = days
    if "application_fee_percent" in fields:
        try:
            fee = Decimal(str(fields["application_fee_percent"]))
        except (InvalidOperation, ValueError):
            raise _invalid("application_fee_percent", "Not a number.") from None
        if not fee.is_finite() or not 0 <= fee <= 100 or fee != fee.quantize(Decimal("0.01")):
            raise _invalid("application_fee_percent", "A percentage from 0 to 100, at most two decimals.")
        cleaned["application_fee_percent"] = fee
    if "limits" in fields:
        cleaned["limits"] = plan_limits_clean(fields["limits"])
    if "is_public" in fields:
        if not isinstance(fields["is_public"], bool):
            raise _invalid("is_public", "Must be true or false.")
        cleaned["is_public"] = fields["is_public"]
    return cleaned


def _plan_sync_on_commit(plan: Plan) -> None:
    from shared_apps.billing.tasks import plan_stripe_sync_task

    enqueue_on_commit(plan_stripe_sync_task, plan.pk)


def plan_create(*, fields: dict[str, Any]) -> Plan:
    """Create a plan from ``fields`` (``code``, ``name``, ``price``, ``currency`` required;
    ``interval`` ``month``/``year``, ``trial_days`` 0..730, ``application_fee_percent`` 0..100,
    ``limits`` (``plan_limits_clean``), ``is_public``), then sync it to Stripe after commit.

    ``price`` is a ``Decimal`` in ``currency``'s major unit: 0 (a free plan) or an amount
    ``saas.money.check_amount`` accepts. Raises ``validation_error`` / ``invalid_currency`` /
    ``invalid_amount`` (400), ``conflict`` (409) when the code is taken.
    """
    for required in ("code", "name", "price", "currency"):
        if required not in fields:
            raise _invalid(required, "This field is required.")
    cleaned = plan_fields_clean(fields, current=None)
    with transaction.atomic():
        if Plan.objects.filter(code=cleaned["code"]).exists():
            raise Conflict(f"A plan with the code {cleaned['code']!r} exists.", details={"code": ["Taken."]})
        plan = Plan.objects.create(**cleaned)
        _plan_sync_on_commit(plan)
    logger.info("plan %s created", plan.code)
    return plan


def plan_update(*, plan: Plan, fields: dict[str, Any]) -> Plan:
    """Change ``plan`` (any field of ``plan_create`` but ``code``), then sync it to Stripe after
    commit. Raises as ``plan_create``."""
    cleaned = plan_fields_clean(fields, current=plan)
    cleaned.pop("code", None)
    with transaction.atomic():
        locked = Plan.objects.select_for_update(no_key=True).get(pk=plan.pk)
        for name, value in cleaned.items():
            setattr(locked, name, value)
        locked.save()
        _plan_sync_on_commit(locked)
    return locked


def _price_matches(price: dict[str, Any], plan: Plan) -> bool:
    recurring = price.get("recurring") or {}
    return bool(
        price.get("active", True)
        and price.get("unit_amount") == to_minor_units(plan.price, plan.currency)
        and str(price.get("currency", "")).upper() == plan.currency
        and recurring.get("interval") == plan.interval
    )


def plan_stripe_sync(*, plan_id: int) -> Plan | None:
    """Bring plan ``plan_id``'s Stripe Product and Price in step with it: create the Product
    (once) or rename it; create a Price when there is none or it no longer matches the plan's
    price, currency or interval, then archive the old one. Under the plan's row lock, so two
    syncs of one plan run one after the other. Nothing without ``STRIPE_SECRET_KEY``; ``None``
    for a deleted plan. Raises ``stripe_errors``' errors (the task retries
    ``payment_provider_error``)."""
    if not payments_enabled():
        return None
    with transaction.atomic():
        plan = Plan.objects.select_for_update(no_key=True).filter(pk=plan_id).first()
        if plan is None:
            return None
        if not plan.stripe_product_id:
            product = gateway.product_create(
                name=plan.name, plan_code=plan.code, idempotency_key=f"billing-product-{plan.pk}-{plan.code}"
            )
            plan.stripe_product_id = str(product["id"])
            plan.save(update_fields=["stripe_product_id", "updated_at"])
        else:
            gateway.product_update(product_id=plan.stripe_product_id, name=plan.name)
        old_price_id = plan.stripe_price_id
        if old_price_id and _price_matches(gateway.price_retrieve(price_id=old_price_id), plan):
            return plan
        minor = to_minor_units(plan.price, plan.currency)
        price = gateway.price_create(
            product_id=plan.stripe_product_id,
            amount=plan.price,
            currency=plan.currency,
            interval=plan.interval,
            plan_code=plan.code,
            idempotency_key=f"billing-price-{plan.pk}-{minor}{plan.currency}-{plan.interval}-{old_price_id or 'first'}",
        )
        plan.stripe_price_id = str(price["id"])
        plan.save(update_fields=["stripe_price_id", "updated_at"])
        if old_price_id:
            gateway.price_archive(price_id=old_price_id)
    logger.info("plan %s synced to Stripe price %s", plan.code, plan.stripe_price_id)
    return plan


def plan_for_code(code: str | None, *, field: str = "plan", public_only: bool = False) -> Plan:
    """The plan ``code`` (only ``is_public`` ones when ``public_only``); raises
    ``validation_error`` (400, ``details[field]``) for an unknown one."""
    plan = Plan.objects.filter(code=str(code or "")).first() if code else None
    if plan is None or (public_only and not plan.is_public):
        raise _invalid(field, f"No plan {str(code or '')[:50]!r}.")
    return plan


def provisioning_plan(code: str | None) -> Plan | None:
    """The plan a new tenant starts on: ``code`` (``plan_for_code``: 400 when unknown), else
    ``BILLING_DEFAULT_PLAN``, else ``None`` (nothing limited, no Stripe). A default that names no
    plan is logged and read as ``None``: a configuration slip must not stop provisioning."""
    if code:
        return plan_for_code(code)
    default = str(settings.BILLING_DEFAULT_PLAN or "")
    if not default:
        return None
    plan = Plan.objects.filter(code=default).first()
    if plan is None:
        logger.error("BILLING_DEFAULT_PLAN %r names no plan: the tenant starts without one", default)
    return plan


def _account_sync_on_commit(tenant_id: int) -> None:
    from shared_apps.billing.tasks import billing_account_sync_task

    enqueue_on_commit(billing_account_sync_task, tenant_id)


def billing_account_open(*, tenant: Tenant, plan: Plan | None) -> BillingAccount:
    """Open ``tenant``'s billing account on ``plan`` (status ``pending``); call it inside the
    provisioning transaction. After commit, ``billing_account_sync`` creates its Stripe Customer
    and Subscription (when there is a plan and ``STRIPE_SECRET_KEY``)."""
    account = BillingAccount.objects.create(tenant=tenant, plan=plan, status=SubscriptionStatus.PENDING)
    if plan is not None:
        _account_sync_on_commit(tenant.pk)
    return account


def account_of(tenant: Tenant) -> BillingAccount:
    """``tenant``'s billing account, opened without a plan for a tenant provisioned before billing."""
    account, _ = BillingAccount.objects.select_related("plan").get_or_create(tenant_id=tenant.pk)
    return account


def _subscription_price_id(subscription: dict[str, Any]) -> str:
    data = (subscription.get("items") or {}).get("data") or [{}]
    for key in ("price", "plan"):
        value = data[0].get(key)
        if isinstance(value, dict):
            return str(value.get("id") or "")
        if isinstance(value, str):
            return value
    return ""


def billing_account_sync(*, tenant_id: int) -> BillingAccount | None:
    """Bring tenant ``tenant_id``'s Stripe Customer and Subscription in step with its account:
    create the Customer (idempotency key from the tenant's uuid) when missing, the Subscription to
    the plan's Price (``trial_period_days`` from the plan) when missing, or move the existing one
    to the plan's Price; then store Stripe's answer (``sync.subscription_apply``, ``at=None``).

    Nothing without ``STRIPE_SECRET_KEY`` or without a plan (the account stays as it is).
    On a Stripe error the account keeps ``sync_error`` (``"<code>: <message>"``) and the error is
    raised (the task retries ``payment_provider_error``).
    """
    from shared_apps.billing.sync import subscription_apply

    if not payments_enabled():
        return None
    account = BillingAccount.objects.select_related("plan", "tenant").filter(tenant_id=tenant_id).first()
    if account is None or account.plan is None:
        return account
    try:
        plan = account.plan
        if not plan.stripe_price_id:
            plan = plan_stripe_sync(plan_id=plan.pk) or plan
        tenant = account.tenant
        if not account.stripe_customer_id:
            customer = gateway.customer_create(
                email=tenant.owner_email, name=tenant.name, tenant_uuid=str(tenant.uuid), slug=tenant.schema_name
            )
            with transaction.atomic():
                locked = account_lock(tenant_id)
                locked.stripe_customer_id = str(customer["id"])
                locked.save(update_fields=["stripe_customer_id", "updated_at"])
            account.stripe_customer_id = locked.stripe_customer_id
        if not account.stripe_subscription_id:
            subscription = gateway.subscription_create(
                customer_id=account.stripe_customer_id,
                price_id=plan.stripe_price_id,
                trial_days=plan.trial_days,
                tenant_uuid=str(tenant.uuid),
                idempotency_key=f"billing-subscription-{tenant.uuid}",
            )
        else:
            subscription = gateway.subscription_retrieve(subscription_id=account.stripe_subscription_id)
            if (
                _subscription_price_id(subscription) != plan.stripe_price_id
                and subscription.get("status") != SubscriptionStatus.CANCELED
            ):
                stamp = int(account.updated_at.timestamp() * 1_000_000)
                subscription = gateway.subscription_change_price(
                    subscription_id=account.stripe_subscription_id,
                    price_id=plan.stripe_price_id,
                    idempotency_key=f"billing-change-{account.stripe_subscription_id}-{plan.stripe_price_id}-{stamp}",
                )
    except ApplicationError as exc:
        BillingAccount.objects.filter(pk=account.pk).update(
            sync_error=f"{exc.code}: {exc.message}"[:1000], updated_at=timezone.now()
        )
        logger.warning("billing sync of tenant %s failed: %s", tenant_id, exc.message)
        raise
    subscription_apply(account=account, subscription=subscription, at=None)
    return account


def billing_accounts_out_of_sync() -> QuerySet[BillingAccount]:
    """The accounts of active sites whose Stripe state lags behind: a plan but no subscription
    yet (the sync never completed), or a last sync that failed (``sync_error`` set); read by the
    hourly ``tasks.billing_accounts_resync_task``."""
    return (
        BillingAccount.objects.filter(plan__isnull=False, tenant__status=TenantStatus.ACTIVE)
        .filter(Q(stripe_subscription_id="") | ~Q(sync_error=""))
        .order_by("tenant_id")
    )


def billing_plan_change(*, tenant: Tenant, plan: Plan, actor: Any) -> BillingAccount:
    """Move ``tenant`` to ``plan``: the account's plan changes now (limits follow at once;
    a downgrade below current usage is allowed and blocks further creation until usage fits),
    and after commit ``billing_account_sync`` moves the Stripe subscription to the plan's Price
    (the item modified, Stripe's default proration).

    ``actor``: the tenant admin (a user of the site, on its host) or a platform staff user (the
    call is made on the platform host: public schema) or ``None`` (the system: a completed
    Checkout). The change is written to the tenant's audit log (``billing.plan_changed``,
    ``changes={"plan": [old, new]}``; staff by e-mail in ``changes["staff"]``, as the log's actor
    is a user of the site). Choosing the current plan changes nothing.
    """
    from tenant_apps.audit.services import audit_record

    with transaction.atomic():
        tenant_lock(tenant.pk)
        account_of(tenant)
        account = account_lock(tenant.pk)
        old = account.plan.code if account.plan_id and account.plan else None
        if account.plan_id == plan.pk:
            return account
        account.plan = plan
        account.save(update_fields=["plan", "updated_at"])
        staff = actor is not None and current_schema() == settings.PUBLIC_SCHEMA_NAME
        changes: dict[str, Any] = {"plan": [old, plan.code]}
        if staff:
            changes["staff"] = str(getattr(actor, "email", ""))
        with in_tenant(tenant):
            audit_record(actor=None if staff else actor, verb="billing.plan_changed", target=None, changes=changes)
        _account_sync_on_commit(tenant.pk)
    logger.info("tenant %s moved from plan %s to %s", tenant.schema_name, old, plan.code)
    return account


def _stripe_customer(tenant: Tenant) -> str:
    account = account_of(tenant)
    if not payments_enabled() or not account.stripe_customer_id:
        raise Conflict(
            "Billing with Stripe is not set up for this site yet. Try again shortly.",
            code=ErrorCode.BILLING_ACCOUNT_NOT_READY,
        )
    return account.stripe_customer_id


def billing_checkout_start(*, tenant: Tenant, plan: Plan) -> str:
    """The URL of a Stripe Checkout Session (``setup`` mode) where ``tenant``'s admin saves a card
    for ``plan``; on completion ``billing_checkout_completed`` makes it the default card and moves
    the subscription to ``plan``. Raises ``billing_account_not_ready`` (409) before the account's
    Stripe customer exists, ``stripe_errors``' errors (502/400/503)."""
    customer_id = _stripe_customer(tenant)
    session = gateway.checkout_session_create(
        customer_id=customer_id,
        success_url=site_url("/billing/?checkout=success", tenant=tenant),
        cancel_url=site_url("/billing/?checkout=cancelled", tenant=tenant),
        tenant_uuid=str(tenant.uuid),
        plan_code=plan.code,
        idempotency_key=f"billing-checkout-{tenant.uuid}-{uuid.uuid4()}",
    )
    return str(session["url"])


def billing_portal_start(*, tenant: Tenant) -> str:
    """The URL of a Stripe Billing Portal Session for ``tenant``'s customer (cards, invoices),
    returning to the site's billing page. Raises as ``billing_checkout_start``."""
    customer_id = _stripe_customer(tenant)
    session = gateway.portal_session_create(customer_id=customer_id, return_url=site_url("/billing/", tenant=tenant))
    return str(session["url"])


def billing_checkout_completed(*, session: dict[str, Any]) -> bool:
    """Apply a completed setup-mode Checkout Session (the ``data.object`` of
    ``checkout.session.completed``): its SetupIntent's card becomes the customer's default
    payment method, and the tenant (``metadata.tenant``, whose account has ``customer``) moves to
    ``metadata.plan`` (``billing_plan_change``, actor ``None``). Returns ``False``, changing
    nothing, for a session that is not ours (another mode, unknown tenant or plan, customer
    mismatch). Raises ``stripe_errors``' errors."""
    metadata = session.get("metadata") or {}
    if session.get("mode") != "setup" or not isinstance(metadata, dict):
        return False
    account = (
        BillingAccount.objects.select_related("tenant")
        .filter(tenant__uuid__iexact=str(metadata.get("tenant", ""))[:36], stripe_customer_id=session.get("customer"))
        .first()
        if _is_uuid(metadata.get("tenant"))
        else None
    )
    plan = Plan.objects.filter(code=str(metadata.get("plan", ""))).first()
    if account is None or plan is None or not account.stripe_customer_id:
        return False
    setup_intent = session.get("setup_intent")
    setup_intent_id = setup_intent.get("id") if isinstance(setup_intent, dict) else setup_intent
    if isinstance(setup_intent_id, str) and setup_intent_id:
        intent = gateway.setup_intent_retrieve(setup_intent_id=setup_intent_id)
        method = intent.get("payment_method")
        method_id = method.get("id") if isinstance(method, dict) else method
        if isinstance(method_id, str) and method_id:
            gateway.customer_default_payment_method_set(
                customer_id=account.stripe_customer_id, payment_method_id=method_id
            )
    billing_plan_change(tenant=account.tenant, plan=plan, actor=None)
    return True


def _is_uuid(value: Any) -> bool:
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True
