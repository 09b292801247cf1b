"""Purge of an archived tenant (issue 17, point 5): everything of the site, gone for good.

``tenant_purge`` runs its steps in this order, each one safe to repeat, so a purge that crashed
half-way is completed by running it again (the hourly sweep does, ``tasks.tenants_purge_due_task``):

1. cancel its Stripe subscription (when it has one and Stripe is configured; skipped when Stripe
   already has it ``canceled``). A Stripe error **stops the purge** and propagates: the tenant stays
   archived (blocked, 410) and the next hourly sweep tries again. A subscription Stripe does not
   know (``resource_missing``) counts as cancelled. Dropping the row first would lose
   the only record of a subscription that still bills, so the purge never goes on past a failure.
2. delete its files: every object under ``<schema>/`` in the default storage, listed one directory
   (local storage) or one page of 1,000 keys (S3) at a time, never the whole listing in memory;
3. delete its cache keys: the keys of the ``default`` cache that carry its schema prefix
   (django-tenants' ``make_key``: ``<schema>:<prefix>:<version>:<key>``), by ``SCAN`` on Redis and
   under the lock on the local-memory cache;
4. drop its schema and its row (``tenancy.services.tenant_drop``: domains, custom domains and the
   billing account cascade), and write ``platform_audit_record(verb="tenant.purged")`` in the same
   transaction, with the counts of the steps above.

Its tokens are refused afterwards even if the slug is provisioned again: they are bound to the
tenant's ``uuid`` (``tenant_apps/accounts/tokens.py``), which the new tenant does not share.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from typing import Any

from django.core.cache import caches
from django.core.cache.backends.locmem import LocMemCache
from django.core.files.storage import Storage, default_storage
from django.db import transaction
from django.utils import timezone

from saas.errors import ApplicationError, Conflict, ErrorCode
from shared_apps.superadmin.services import platform_audit_record
from shared_apps.tenancy.models import Tenant, TenantStatus

logger = logging.getLogger(__name__)


@dataclass
class PurgeReport:
    """What one purge did: ``subscription_cancelled`` (a Stripe subscription was cancelled by this
    run), ``files_deleted`` and ``cache_keys_deleted`` (counts of this run)."""

    subscription_cancelled: bool = False
    files_deleted: int = 0
    cache_keys_deleted: int = 0


def tenant_purge(*, tenant: Tenant, actor: Any = None, force: bool = False) -> PurgeReport:
    """Purge ``tenant`` (archived; its ``purge_after`` passed, or ``force``): Stripe subscription,
    files, cache keys, schema and row, then a platform audit entry ``tenant.purged`` by ``actor``
    (``None``: the platform's sweep) with the counts as ``details``. Irreversible.

    Raises ``ApplicationError`` ``invalid_status_transition`` (409) when the tenant is not archived
    or its purge is not due yet (and not ``force``); a Stripe failure propagates as the gateway's
    ``payment_provider_error`` (502) / ``payment_provider_rejected`` (400) and purges nothing more.
    """
    tenant = Tenant.objects.get(pk=tenant.pk)
    if tenant.status != TenantStatus.ARCHIVED:
        raise Conflict(
            f"Only an archived tenant can be purged; {tenant.schema_name!r} is {tenant.status}.",
            code=ErrorCode.INVALID_STATUS_TRANSITION,
        )
    if not force and (tenant.purge_after is None or tenant.purge_after > timezone.now()):
        due = tenant.purge_after.isoformat() if tenant.purge_after else "never"
        raise Conflict(
            f"The purge of {tenant.schema_name!r} is not due yet (due {due}).",
            code=ErrorCode.INVALID_STATUS_TRANSITION,
        )
    report = PurgeReport()
    report.subscription_cancelled = _cancel_subscription(tenant)
    report.files_deleted = _delete_files(tenant.schema_name)
    report.cache_keys_deleted = _delete_cache_keys(tenant.schema_name)
    _drop(tenant, actor=actor, report=report)
    logger.warning("purged tenant %s: %s", tenant.schema_name, asdict(report))
    return report


def tenants_due_for_purge() -> Iterator[Tenant]:
    """The archived tenants whose ``purge_after`` passed, oldest due first."""
    return (
        Tenant.objects.filter(status=TenantStatus.ARCHIVED, purge_after__lte=timezone.now())
        .order_by("purge_after", "pk")
        .iterator()
    )


def _cancel_subscription(tenant: Tenant) -> bool:
    from saas.stripe import payments_enabled
    from shared_apps.billing import gateway
    from shared_apps.billing.models import BillingAccount

    subscription_id = (
        BillingAccount.objects.filter(tenant=tenant).values_list("stripe_subscription_id", flat=True).first()
    )
    if not subscription_id or not payments_enabled():
        return False
    try:
        status = gateway.subscription_retrieve(subscription_id=subscription_id).get("status")
    except ApplicationError as exc:
        if exc.code == ErrorCode.PAYMENT_PROVIDER_REJECTED and (exc.details or {}).get("provider_code") == (
            "resource_missing"
        ):
            return False  # Stripe has no such subscription (deleted with its customer): nothing bills
        raise
    if status == "canceled":
        return False  # a previous run (or the customer) cancelled it already
    gateway.subscription_cancel(subscription_id=subscription_id)
    return True


def _storage_keys(storage: Storage, folder: str) -> Iterator[str]:
    """Every file name under ``folder`` in ``storage``: S3 one page at a time, other storages one
    directory at a time (depth first)."""
    bucket = getattr(storage, "bucket", None)
    if bucket is not None:  # django-storages' S3Storage: a paginated listing, 1,000 keys a page
        location = str(getattr(storage, "location", "") or "").strip("/")
        prefix = f"{location}/{folder}/" if location else f"{folder}/"
        for obj in bucket.objects.filter(Prefix=prefix):
            yield str(obj.key)[len(location) + 1 :] if location else str(obj.key)
        return
    if not storage.exists(folder):
        return
    directories, files = storage.listdir(folder)
    for name in files:
        yield f"{folder}/{name}"
    for directory in directories:
        yield from _storage_keys(storage, f"{folder}/{directory}")


def _delete_files(schema_name: str) -> int:
    deleted = 0
    for key in _storage_keys(default_storage, schema_name):
        default_storage.delete(key)
        deleted += 1
    if not getattr(default_storage, "bucket", None) and default_storage.exists(schema_name):
        _remove_empty_directories(default_storage.path(schema_name))
    return deleted


def _remove_empty_directories(root: str) -> None:
    for directory, _, _ in os.walk(root, topdown=False):  # deepest first
        # a directory that is not empty (a file written meanwhile) is left for the next run
        with contextlib.suppress(OSError):
            os.rmdir(directory)


def _delete_cache_keys(schema_name: str) -> int:
    cache: Any = caches["default"]
    prefix = f"{schema_name}:"
    if isinstance(cache, LocMemCache):
        local: Any = cache  # its store and lock are private: there is no public way to list keys
        with local._lock:
            keys = [key for key in list(local._cache) if key.startswith(prefix)]
            for key in keys:
                local._delete(key)
        return len(keys)
    from django.core.cache.backends.redis import RedisCache

    if isinstance(cache, RedisCache):
        client = cache._cache.get_client(None, write=True)
        deleted = 0
        batch: list[Any] = []
        for key in client.scan_iter(match=re.sub(r"([*?\[\]\\])", r"\\\1", prefix) + "*", count=1000):
            batch.append(key)
            if len(batch) >= 1000:
                deleted += int(client.delete(*batch))
                batch = []
        if batch:
            deleted += int(client.delete(*batch))
        return deleted
    logger.warning("cache backend %s: the keys of %s were not deleted", type(cache).__name__, schema_name)
    return 0


def _drop(tenant: Tenant, *, actor: Any, report: PurgeReport) -> None:
    from shared_apps.tenancy.services import tenant_drop

    with transaction.atomic():
        tenant_drop(tenant=tenant, confirm_slug=tenant.schema_name)
        platform_audit_record(verb="tenant.purged", actor=actor, tenant=tenant, details=asdict(report))
