"""Tenant lifecycle: provision, suspend, resume, archive, drop.

``tenant_provision`` is all-or-nothing: every step runs in one transaction (PostgreSQL DDL is
transactional), so a failure at any step leaves no schema, no tenant row and no domain.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, connection, transaction
from django_tenants.utils import quote_schema_name, schema_exists, tenant_context

from saas.api.errors import ApplicationError
from saas.db.tenant import use_public_schema
from saas.errors import Conflict, ErrorCode
from shared_apps.tenancy.hosts import tenant_host
from shared_apps.tenancy.models import Domain, Tenant, TenantKind, TenantStatus
from shared_apps.tenancy.schema_clone import clone_schema
from shared_apps.tenancy.schema_state import copy_state, forget_states
from shared_apps.tenancy.templates import ensure_template
from shared_apps.tenancy.validators import validate_kind, validate_slug
from tenant_apps.accounts.addresses import normalize_email

logger = logging.getLogger(__name__)


@dataclass
class ProvisioningContext:
    """What the provisioning steps share: the request, and what earlier steps made."""

    kind: TenantKind
    slug: str
    name: str
    owner_email: str
    owner_password: str | None
    template: str
    tenant: Tenant | None = None
    extra: dict[str, object] = field(default_factory=dict)


def _create_tenant_row(ctx: ProvisioningContext) -> None:
    ctx.tenant = Tenant.objects.create(
        schema_name=ctx.slug,
        name=ctx.name,
        kind=ctx.kind,
        owner_email=ctx.owner_email,
        status=TenantStatus.PROVISIONING,
    )


def _create_domain(ctx: ProvisioningContext) -> None:
    assert ctx.tenant is not None
    Domain.objects.create(domain=tenant_host(ctx.slug), tenant=ctx.tenant, is_primary=True)


def _create_schema(ctx: ProvisioningContext) -> None:
    clone_schema(ctx.template, ctx.slug)
    # The clone is as current as its template: migrate_schemas can skip it.
    copy_state(ctx.template, ctx.slug)


def _create_roles(ctx: ProvisioningContext) -> None:
    from tenant_apps.accounts.roles import ensure_roles

    with tenant_context(ctx.tenant):
        ensure_roles(ctx.kind)


def _create_owner(ctx: ProvisioningContext) -> None:
    from shared_apps.billing.limits import limits_off
    from tenant_apps.accounts.services import owner_create

    with tenant_context(ctx.tenant), limits_off():  # a site always gets its admin, whatever its plan
        owner_create(email=ctx.owner_email, password=ctx.owner_password)


def _open_billing_account(ctx: ProvisioningContext) -> None:
    from shared_apps.billing.services import billing_account_open

    assert ctx.tenant is not None
    billing_account_open(tenant=ctx.tenant, plan=ctx.extra.get("plan"))  # type: ignore[arg-type]


def _activate(ctx: ProvisioningContext) -> None:
    assert ctx.tenant is not None
    ctx.tenant.status = TenantStatus.ACTIVE
    ctx.tenant.save(update_fields=["status", "updated_at"])


#: The provisioning steps, in order. Tests inject a failure at each one to prove the rollback.
PROVISIONING_STEPS: tuple[Callable[[ProvisioningContext], None], ...] = (
    _create_tenant_row,
    _create_domain,
    _create_schema,
    _create_roles,
    _create_owner,
    _open_billing_account,
    _activate,
)


def tenant_provision(
    *,
    kind: str,
    slug: str,
    name: str,
    owner_email: str,
    owner_password: str | None = None,
    plan: str | None = None,
) -> Tenant:
    """Create a tenant: row, primary domain, schema (cloned from the kind's template), roles, owner,
    billing account.

    Without ``owner_password`` the owner gets an unusable password and, after commit, an e-mail
    with a link to set one. ``plan`` is a plan code (default ``BILLING_DEFAULT_PLAN``; none: the
    site is not limited): the billing account is opened on it (``pending``) and, after commit, a
    background task creates its Stripe customer and subscription (a Stripe outage never stops
    provisioning). Returns the active ``Tenant``.

    Raises ``ApplicationError``: ``invalid_slug`` / ``reserved_slug`` / ``invalid_kind`` /
    ``validation_error`` (400; also an unknown ``plan``), ``slug_taken`` (409). Any other failure
    rolls everything back and propagates.
    """
    from shared_apps.billing.services import provisioning_plan

    kind_ = validate_kind(kind)
    validate_slug(slug)
    name = (name or "").strip()
    if not name:
        raise ApplicationError("A name is required.", code=ErrorCode.VALIDATION_ERROR, details={"name": ["Required."]})
    try:
        owner_email = normalize_email(owner_email)
    except DjangoValidationError:
        raise ApplicationError(
            "Enter a valid owner e-mail address.",
            code=ErrorCode.VALIDATION_ERROR,
            details={"owner_email": ["Enter a valid email address."]},
        ) from None
    if owner_password is not None:
        from django.contrib.auth.password_validation import validate_password

        try:
            validate_password(owner_password)
        except DjangoValidationError as exc:
            raise ApplicationError(
                "The owner password is too weak.",
                code=ErrorCode.VALIDATION_ERROR,
                details={"owner_password": exc.messages},
            ) from None

    use_public_schema()
    if Tenant.objects.filter(schema_name=slug).exists() or schema_exists(slug):
        raise Conflict(
            f"The slug {slug!r} is taken.",
            code=ErrorCode.SLUG_TAKEN,
            details={"slug": ["A site with this slug exists."]},
        )

    plan_ = provisioning_plan(plan)
    template = ensure_template(kind_)  # outside the transaction: migrating a template commits
    ctx = ProvisioningContext(
        kind=kind_, slug=slug, name=name, owner_email=owner_email, owner_password=owner_password, template=template
    )
    ctx.extra["plan"] = plan_
    try:
        with transaction.atomic():
            for step in PROVISIONING_STEPS:
                step(ctx)
    except IntegrityError:
        # A concurrent request took the slug between our check and our insert (the unique
        # index made this one wait for it, then fail).
        if Tenant.objects.filter(schema_name=slug).exists():
            raise Conflict(
                f"The slug {slug!r} is taken.",
                code=ErrorCode.SLUG_TAKEN,
                details={"slug": ["A site with this slug exists."]},
            ) from None
        raise
    assert ctx.tenant is not None
    logger.info("provisioned tenant %s (%s)", slug, kind_)
    return ctx.tenant


_TRANSITIONS: dict[str, tuple[set[str], str]] = {
    "suspend": ({TenantStatus.ACTIVE}, TenantStatus.SUSPENDED),
    "resume": ({TenantStatus.SUSPENDED, TenantStatus.ARCHIVED}, TenantStatus.ACTIVE),
    "archive": ({TenantStatus.ACTIVE, TenantStatus.SUSPENDED}, TenantStatus.ARCHIVED),
}


def tenant_transition(*, tenant: Tenant, action: str, actor: Any = None) -> Tenant:
    """Apply ``action`` (``suspend`` | ``resume`` | ``archive``) to ``tenant`` and return it.

    Archiving stamps ``archived_at`` (now, aware UTC) and ``purge_after`` (``archived_at`` +
    ``settings.TENANT_PURGE_AFTER_DAYS`` days), from when the hourly sweep purges the site
    (``shared_apps/superadmin/purge.py``); resuming clears both. Each transition writes a platform
    audit entry ``tenant.<action>`` by ``actor`` (the staff user; ``None`` for the platform's jobs)
    in the same transaction.

    The row is locked while checked and changed. Raises ``ApplicationError``
    ``invalid_status_transition`` (409) when the tenant's status does not allow the action.
    """
    from django.conf import settings
    from django.utils import timezone

    from shared_apps.superadmin.services import platform_audit_record

    allowed_from, to = _TRANSITIONS[action]
    with transaction.atomic():
        locked = Tenant.objects.select_for_update(no_key=True).get(pk=tenant.pk)
        if locked.status not in allowed_from:
            raise Conflict(
                f"Cannot {action} a tenant that is {locked.status}.",
                code=ErrorCode.INVALID_STATUS_TRANSITION,
            )
        locked.status = to
        if to == TenantStatus.ARCHIVED:
            locked.archived_at = timezone.now()
            locked.purge_after = locked.archived_at + timedelta(days=settings.TENANT_PURGE_AFTER_DAYS)
        else:
            locked.archived_at = locked.purge_after = None
        locked.save(update_fields=["status", "archived_at", "purge_after", "updated_at"])
        details: dict[str, Any] = {"status": to}
        if locked.purge_after is not None:
            details["purge_after"] = locked.purge_after.isoformat()
        platform_audit_record(verb=f"tenant.{action}", actor=actor, tenant=locked, details=details)
    return locked


def tenant_drop(*, tenant: Tenant, confirm_slug: str) -> None:
    """Delete ``tenant``: its schema with every row in it, its domains and its row.

    ``confirm_slug`` must repeat the tenant's slug. Raises ``ApplicationError``
    ``confirmation_required`` (400) otherwise. Irreversible.
    """
    if confirm_slug != tenant.schema_name:
        raise ApplicationError(
            "Dropping a tenant deletes all its data: repeat its slug in confirm_slug.",
            code=ErrorCode.CONFIRMATION_REQUIRED,
            details={"confirm_slug": [f"Must be {tenant.schema_name!r}."]},
        )
    with transaction.atomic():
        locked = Tenant.objects.select_for_update(no_key=True).get(pk=tenant.pk)
        with connection.cursor() as cursor:
            # Deferred foreign-key checks still pending in this transaction would block the DROP.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"DROP SCHEMA IF EXISTS {quote_schema_name(locked.schema_name)} CASCADE")
        forget_states([locked.schema_name])
        locked.delete()
    logger.warning("dropped tenant %s", tenant.schema_name)
