"""Plan limits: what a tenant's plan lets its site hold, how much it holds now, and the check
every creation path makes (``plan_slot``).

The limits, in this order (``usage_of``, the billing overview, ``known_limits``):

* ``users`` (count): the site's active accounts (``accounts.User`` with ``is_active=True``);
* ``storage_mb`` (MB, 1 MB = 1,048,576 bytes): the sum of the site's uploaded files
  (``files.StoredFile.size``), shown rounded up to the next MB;
* ``custom_domains`` (count): the tenant's ``CustomDomain`` rows in any status (public schema);
  a plan that sets no ``custom_domains`` caps them at ``settings.CUSTOM_DOMAINS_MAX`` all the same;
* then each kind's own (``KindSpec.limits`` in ``tenant_apps/<kind>/kind.py``): a name, a label
  and the dotted path of its counter, ``count() -> int`` read in the site's schema, resolved lazily.

Allowed amounts come from the tenant's plan (``BillingAccount.plan.limits``, ``{name: int | null}``).
No billing account, no plan, or a limit absent or ``null``: unlimited (except ``custom_domains``,
above). A plan may be changed to one below the current usage (a downgrade): nothing is removed,
but every creation of what the limit counts is refused until the usage fits again.

``plan_slot(limit, adding=...)`` is called by the creation services, inside their transaction and
before the insert, so the API, the admin sites and every other caller obey it:

* ``users``: ``accounts.services.user_create`` (registration, OTP sign-up, admin create in the API
  and the admin site) and re-activating a user (``user_update``), ``adding=1``;
* ``storage_mb``: ``files.services.file_store`` with ``adding`` = the upload's size in **bytes**
  (the one limit whose ``adding`` is not in its unit: the size is what the caller knows);
* ``custom_domains``: ``shared_apps.tenancy.domains.custom_domain_add`` through ``tenant_slot``
  (it runs for an explicit tenant, under ``tenancy.locks.tenant_lock``);
* each kind's limit: the create service of the object it counts.

Race safety: ``plan_slot`` takes a transaction-scoped advisory lock on (tenant, limit)
(``pg_advisory_xact_lock(int4, int4)``: the tenant's id and a stable CRC-32 of the limit's name),
then reads the plan and counts; a second creation waits until the first commits and counts it.
``custom_domains`` is held by the tenant's row lock instead (``tenancy.locks.tenant_lock``, which
``custom_domain_add`` takes first), so one lock, not two, is what a race test shows necessary.
In the lock order the plan slot comes after the row locks of what the transaction changes (a user
re-activated: ``user_lock``, then the slot) and before the insert it guards; no transaction holding
a slot waits for a slot of another limit while holding it and a row lock taken after it.

The owner made at provisioning (``accounts.services.owner_create``) and the demo seeders run
inside ``limits_off()``: a default plan never breaks provisioning or ``make run``'s demo.

Refusals: ``saas.errors.PermissionDenied`` 403 ``plan_limit_reached`` with
``details={"limit": name, "allowed": n, "usage": n}`` (``usage`` in the limit's unit, storage in MB
rounded up), raised before anything is written. Source: issue 16, point 4.
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import connection
from django.db.models import Sum
from django.utils.module_loading import import_string

from saas.db.tenant import current_schema, current_tenant, in_tenant
from saas.errors import ErrorCode, PermissionDenied
from shared_apps.billing.models import BillingAccount
from shared_apps.tenancy.models import Tenant
from tenant_apps.kinds import all_kinds, kind_spec

USERS = "users"
STORAGE_MB = "storage_mb"
CUSTOM_DOMAINS = "custom_domains"

#: Bytes in one MB of ``storage_mb`` (binary, as ``FILE_MAX_BYTES``' default of ``10 * 1024 * 1024``).
BYTES_PER_MB = 1024 * 1024

COUNT, MB = "count", "MB"


@dataclass(frozen=True)
class LimitUsage:
    """One limit of a tenant: ``allowed`` by its plan (``None``: unlimited) and its ``usage`` now,
    both in ``unit`` (``"count"``, or ``"MB"`` for storage, usage rounded up)."""

    name: str
    label: str
    allowed: int | None
    usage: int
    unit: str


def _active_users() -> int:
    user_model = apps.get_model("accounts", "User")
    return int(user_model.objects.filter(is_active=True).count())


def _stored_bytes() -> int:
    stored_file = apps.get_model("files", "StoredFile")
    return int(stored_file.objects.aggregate(total=Sum("size"))["total"] or 0)


@dataclass(frozen=True)
class _Platform:
    name: str
    label: str
    unit: str


_PLATFORM = (
    _Platform(USERS, "Active users", COUNT),
    _Platform(STORAGE_MB, "Storage (MB)", MB),
    _Platform(CUSTOM_DOMAINS, "Custom domains", COUNT),
)

#: Turned on by ``limits_off()``: provisioning and the demo seeders create past any plan.
_off: ContextVar[bool] = ContextVar("billing_limits_off", default=False)


@contextmanager
def limits_off() -> Iterator[None]:
    """Inside this block ``plan_slot`` / ``tenant_slot`` check nothing (and lock nothing).

    Used only where the platform, not a user, creates rows: provisioning's owner
    (``accounts.services.owner_create``) and the demo seeders (``tenancy`` ``setup_demo``).
    Bound to the current thread / context, never global.
    """
    token = _off.set(True)
    try:
        yield
    finally:
        _off.reset(token)


def known_limits(kind: str | None = None) -> dict[str, str]:
    """``{name: label}`` of the limits a plan may set: the platform's, then ``kind``'s (every
    kind's when ``None``; an unknown kind adds nothing). For validating ``Plan.limits`` keys."""
    known = {limit.name: limit.label for limit in _PLATFORM}
    specs = list(all_kinds().values()) if kind is None else [s for s in [kind_spec(kind)] if s is not None]
    for spec in specs:
        for limit in spec.limits:
            known.setdefault(limit.name, limit.label)
    return known


def _kind_counter(kind: str, name: str) -> Callable[[], int] | None:
    spec = kind_spec(kind)
    for limit in spec.limits if spec is not None else ():
        if limit.name == name:
            counter: Callable[[], int] = import_string(limit.counter)
            return counter
    return None


def _plan_limits(tenant_id: int) -> dict[str, Any] | None:
    """The plan's ``limits`` of tenant ``tenant_id``, or ``None`` when it has no account or plan."""
    account = BillingAccount.objects.select_related("plan").filter(tenant_id=tenant_id).first()
    if account is None or account.plan is None:
        return None
    limits = account.plan.limits
    return limits if isinstance(limits, dict) else {}


def _allowed(name: str, plan_limits: dict[str, Any] | None) -> int | None:
    value = (plan_limits or {}).get(name)
    if isinstance(value, int) and not isinstance(value, bool):
        return max(value, 0)
    if name == CUSTOM_DOMAINS:
        return int(settings.CUSTOM_DOMAINS_MAX)
    return None


def _raw_usage(tenant: Tenant, name: str) -> int:
    """What ``name`` counts now for ``tenant``: bytes for storage, rows otherwise. Reads the
    tenant's schema, which must be the connection's (custom domains: the public table)."""
    if name == CUSTOM_DOMAINS:
        from shared_apps.tenancy import selectors  # the read the tenancy race test stages

        return len(selectors.custom_domain_names(tenant=tenant))
    if name == USERS:
        return _active_users()
    if name == STORAGE_MB:
        return _stored_bytes()
    counter = _kind_counter(tenant.get_tenant_type(), name)
    if counter is None:
        raise ValueError(f"no limit {name!r} on sites of kind {tenant.get_tenant_type()!r}")
    return int(counter())


def _in_unit(name: str, raw: int) -> int:
    return math.ceil(raw / BYTES_PER_MB) if name == STORAGE_MB else raw


def _lock_key(tenant_id: int, name: str) -> tuple[int, int]:
    """Two int4 keys: the tenant's id (folded into 31 bits: a collision only makes two tenants
    wait for each other) and a stable signed CRC-32 of ``name``."""
    crc = zlib.crc32(f"billing:limit:{name}".encode())
    return tenant_id % 2**31, crc - 2**32 if crc >= 2**31 else crc


def _slot_lock(tenant_id: int, name: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s::int4, %s::int4)", list(_lock_key(tenant_id, name)))


def _check(tenant: Tenant, name: str, adding: int, counted: int | None = None) -> None:
    allowed = _allowed(name, _plan_limits(tenant.pk))
    if allowed is None:
        return
    raw = _raw_usage(tenant, name) if counted is None else counted
    limit_raw = allowed * BYTES_PER_MB if name == STORAGE_MB else allowed
    if raw + adding > limit_raw:
        usage = _in_unit(name, raw)
        label = dict(known_limits(tenant.get_tenant_type())).get(name, name)
        raise PermissionDenied(
            f"The site's plan allows {allowed} ({label}); it uses {usage}. Upgrade the plan or free some first.",
            code=ErrorCode.PLAN_LIMIT_REACHED,
            details={"limit": name, "allowed": allowed, "usage": usage},
        )


def _serving_tenant() -> Tenant | None:
    if current_schema() == "public":
        return None
    tenant = current_tenant()
    if isinstance(tenant, Tenant) and tenant.pk is not None:
        return tenant
    return Tenant.objects.get(schema_name=current_schema())  # set by schema name only (FakeTenant)


def plan_slot(limit: str, *, adding: int = 1) -> None:
    """Hold the current tenant's ``limit`` until the caller's transaction ends and check that
    ``adding`` more fit its plan (``adding`` in the limit's unit, except ``storage_mb``: bytes).

    Must be called inside ``transaction.atomic()``, before the insert it guards (asserts
    ``connection.in_atomic_block``). Does nothing on the platform (public schema) or inside
    ``limits_off()``. ``custom_domains`` goes through ``tenant_slot``.

    Raises ``PermissionDenied`` 403 ``plan_limit_reached`` (``details``: limit, allowed, usage);
    ``ValueError`` for a limit the current kind does not have.
    """
    assert connection.in_atomic_block, "plan_slot() must run inside the caller's transaction.atomic()"
    if _off.get():
        return
    tenant = _serving_tenant()
    if tenant is None:
        return
    if limit == CUSTOM_DOMAINS:
        raise ValueError("custom_domains is checked by tenant_slot() under the tenant's row lock")
    _slot_lock(tenant.pk, limit)
    _check(tenant, limit, adding)


def tenant_slot(*, tenant: Tenant, limit: str, adding: int = 1, counted: int | None = None) -> None:
    """``plan_slot`` for an explicit ``tenant``, for platform code (``custom_domain_add``).

    ``custom_domains`` takes no advisory lock: the caller holds ``tenancy.locks.tenant_lock``
    (the count is of public rows), and may pass the usage it ``counted`` under that lock (its
    one read of the tenant's names) instead of having it read again. Any other limit is locked
    as in ``plan_slot`` and counted in the tenant's schema. Same errors as ``plan_slot``.
    """
    assert connection.in_atomic_block, "tenant_slot() must run inside the caller's transaction.atomic()"
    if _off.get():
        return
    if limit == CUSTOM_DOMAINS:
        _check(tenant, limit, adding, counted)
        return
    _slot_lock(tenant.pk, limit)
    if current_schema() == tenant.schema_name:
        _check(tenant, limit, adding)
    else:
        with in_tenant(tenant):
            _check(tenant, limit, adding)


def usage_of(tenant: Tenant) -> list[LimitUsage]:
    """Every limit of ``tenant``'s kind (users, storage_mb, custom_domains, then the kind's) with
    what its plan allows (``None``: unlimited) and the usage now (storage in MB, rounded up).

    Reads the tenant's schema (switching to it when the connection serves another) and the
    public billing tables: 2 queries, plus one per limit.
    """
    plan_limits = _plan_limits(tenant.pk)
    spec = kind_spec(tenant.get_tenant_type())
    rows = [(p.name, p.label, p.unit) for p in _PLATFORM]
    rows += [(limit.name, limit.label, COUNT) for limit in (spec.limits if spec is not None else ())]

    def read() -> list[LimitUsage]:
        return [
            LimitUsage(
                name=name,
                label=label,
                allowed=_allowed(name, plan_limits),
                usage=_in_unit(name, _raw_usage(tenant, name)),
                unit=unit,
            )
            for name, label, unit in rows
        ]

    if current_schema() == tenant.schema_name:
        return read()
    with in_tenant(tenant):
        return read()
