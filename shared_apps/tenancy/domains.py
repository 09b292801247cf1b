"""Custom domains: a tenant adds a host name, proves it with a DNS TXT record, and the name routes to it.

Life of one name (``CustomDomain``, public schema)::

    add ──► pending ──verify (TXT seen)──► verified ◄──re-check──► flagged
                │                            │  (record gone: still routes, admins notified)
                └─────────── delete ◄────────┘

* ``custom_domain_add`` normalises the name (``validators.normalize_domain``), refuses one another
  tenant holds verified (409 ``domain_taken``), one this tenant added already (409
  ``domain_already_added``), and more than the tenant's plan allows (403 ``plan_limit_reached``:
  ``billing.limits``; ``CUSTOM_DOMAINS_MAX`` when the plan sets none). Several tenants may hold one
  name pending.
* ``custom_domain_verify`` asks DNS for ``_saas-challenge.<domain>`` (``dns.txt_records``, outside
  any transaction), then, holding the name (``locks.domain_name_lock``), records what it found
  and, when the token is there and no other tenant holds the name, marks it verified and creates
  the routing ``Domain`` row in the same transaction. Otherwise 409 ``domain_not_verified`` (with
  ``details.found``) or ``domain_taken``.
* ``custom_domain_make_primary`` / ``platform_host_make_primary`` move ``Domain.is_primary`` (links
  in e-mails, ``saas.db.tenant.site_url``); ``custom_domain_delete`` removes the routing row and,
  when it was primary, makes the platform host primary again.
* ``custom_domains_recheck`` (daily, ``tasks.custom_domains_recheck_task``) flags a routed name
  whose record is gone and notifies the tenant's admins; a flagged one whose record is back
  returns to verified.

Every change calls ``hosts.forget_hosts`` for the name and the tenant's schema (its primary host),
so every process routes by it within ``TENANT_CACHE_CHECK_SECONDS``.

Lock order: the tenant row (``locks.tenant_lock``: the plan's domain count and the primary domain), then the name
(``locks.domain_name_lock``), then the custom domain row (``locks.custom_domain_lock``).
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from saas.errors import Conflict, ErrorCode
from shared_apps.billing.limits import CUSTOM_DOMAINS, tenant_slot
from shared_apps.tenancy import dns, locks, selectors
from shared_apps.tenancy.access import access_custom_domain
from shared_apps.tenancy.hosts import forget_hosts, tenant_host
from shared_apps.tenancy.models import ROUTED_STATUSES, CustomDomain, CustomDomainStatus, Domain, Tenant
from shared_apps.tenancy.validators import normalize_domain

logger = logging.getLogger(__name__)

#: The label the TXT record is published under: ``_saas-challenge.<domain>``.
CHALLENGE_LABEL = "_saas-challenge"


def challenge_name(domain: str) -> str:
    """The DNS name whose TXT record proves ``domain``: ``_saas-challenge.<domain>``."""
    return f"{CHALLENGE_LABEL}.{domain}"


def _forget(tenant: Tenant, *names: str) -> None:
    forget_hosts([*names, tenant_host(tenant.schema_name)], schema_names=[tenant.schema_name])


def custom_domain_add(*, tenant: Tenant, domain: str) -> CustomDomain:
    """Add ``domain`` to ``tenant`` as pending, with a fresh random verification token.

    Raises ``ApplicationError`` 400 ``invalid_domain`` (see ``normalize_domain``); ``Conflict``
    409 ``domain_taken`` (another tenant holds it verified, or it is another tenant's platform
    host), ``domain_already_added`` (this tenant has it); ``PermissionDenied`` 403
    ``plan_limit_reached`` (the tenant holds what its plan allows, ``CUSTOM_DOMAINS_MAX`` when the
    plan sets no ``custom_domains``: ``shared_apps.billing.limits``).
    """
    name = normalize_domain(domain)
    with transaction.atomic():
        locks.tenant_lock(tenant.pk)
        holder = selectors.domain_holder(name=name)
        if (holder is not None and holder.tenant_id != tenant.pk) or Domain.objects.filter(domain=name).exclude(
            tenant_id=tenant.pk
        ).exists():
            raise Conflict(f"{name} is in use by another site.", code=ErrorCode.DOMAIN_TAKEN)
        held = selectors.custom_domain_names(tenant=tenant)
        if name in held:
            raise Conflict(f"{name} is added to this site already.", code=ErrorCode.DOMAIN_ALREADY_ADDED)
        # the plan's cap, on the names just read under the tenant's row lock
        tenant_slot(tenant=tenant, limit=CUSTOM_DOMAINS, counted=len(held))
        try:
            with transaction.atomic():
                return CustomDomain.objects.create(
                    tenant=tenant, domain=name, verification_token=secrets.token_urlsafe(32)
                )
        except IntegrityError:  # the same name added twice at once: the tenant's row lock makes this rare
            raise Conflict(f"{name} is added to this site already.", code=ErrorCode.DOMAIN_ALREADY_ADDED) from None


@dataclass(frozen=True)
class _Outcome:
    domain: CustomDomain
    error: Conflict | None


def custom_domain_verify(*, tenant: Tenant, domain_id: int) -> CustomDomain:
    """Look the TXT record of ``tenant``'s custom domain ``domain_id`` up and, if it carries the
    token, mark the domain verified and route it (a ``Domain`` row) in one transaction.

    What the lookup saw is stored (``found``, ``last_checked_at``) either way. Verifying a
    verified or flagged domain checks it again (a flagged one whose record is back is verified).

    Raises ``NotFound`` (404: not this tenant's); ``Conflict`` 409 ``domain_not_verified``
    (``details.found``: ``{"txt": [...], "error": ...}``, ``details.expected``: the record), or
    ``domain_taken`` (another tenant verified the name first).
    """
    custom = access_custom_domain(tenant=tenant, domain_id=domain_id)
    answer = dns.txt_records(challenge_name(custom.domain))  # network I/O: before any lock
    outcome = _record_verification(tenant=tenant, domain_id=custom.pk, answer=answer)
    if outcome.error is not None:
        raise outcome.error
    return outcome.domain


def _record_verification(*, tenant: Tenant, domain_id: int, answer: dns.TxtAnswer) -> _Outcome:
    with transaction.atomic():
        # the name first: another tenant verifying it waits here, then finds it taken
        name = access_custom_domain(tenant=tenant, domain_id=domain_id).domain
        locks.domain_name_lock(name)
        custom = locks.custom_domain_lock(domain_id)
        now = timezone.now()
        custom.found = answer.as_dict()
        custom.last_checked_at = now
        fields = ["found", "last_checked_at"]
        error: Conflict | None = None
        holder = selectors.domain_holder(name=name)
        if custom.verification_token not in answer.txt:
            expected = {"type": "TXT", "name": challenge_name(name), "value": custom.verification_token}
            error = Conflict(
                f"The TXT record {challenge_name(name)} does not carry this domain's token"
                + (f" ({answer.error})." if answer.error else f"; found {answer.txt}."),
                code=ErrorCode.DOMAIN_NOT_VERIFIED,
                details={"found": answer.as_dict(), "expected": expected},
            )
            if custom.status == CustomDomainStatus.VERIFIED:
                custom.status = CustomDomainStatus.FLAGGED
                fields.append("status")
        elif holder is not None and holder.pk != custom.pk:
            error = Conflict(f"{name} is verified by another site.", code=ErrorCode.DOMAIN_TAKEN)
        elif custom.status != CustomDomainStatus.VERIFIED:
            if custom.status == CustomDomainStatus.PENDING:
                custom.verified_at = now
                fields.append("verified_at")
                Domain.objects.create(domain=name, tenant=tenant, is_primary=False)
            custom.status = CustomDomainStatus.VERIFIED
            fields.append("status")
            _forget(tenant, name)
        custom.save(update_fields=fields)
    return _Outcome(custom, error)


def custom_domain_delete(*, tenant: Tenant, domain_id: int) -> None:
    """Remove ``tenant``'s custom domain ``domain_id`` and its routing; when it was the primary
    domain, the platform host (``<slug>.<PLATFORM_DOMAIN>``) becomes primary again.

    Raises ``NotFound`` (404: not this tenant's).
    """
    with transaction.atomic():
        locks.tenant_lock(tenant.pk)
        name = access_custom_domain(tenant=tenant, domain_id=domain_id).domain
        locks.domain_name_lock(name)
        custom = locks.custom_domain_lock(domain_id)
        if custom.status in ROUTED_STATUSES:
            routed = Domain.objects.filter(domain=name, tenant_id=tenant.pk).first()
            if routed is not None:
                was_primary = routed.is_primary
                routed.delete()
                if was_primary:
                    Domain.objects.filter(domain=tenant_host(tenant.schema_name), tenant_id=tenant.pk).update(
                        is_primary=True
                    )
        custom.delete()
        _forget(tenant, name)


def custom_domain_make_primary(*, tenant: Tenant, domain_id: int) -> CustomDomain:
    """Make ``tenant``'s verified (or flagged) custom domain ``domain_id`` its primary domain:
    links the platform hands out (``site_url``) name it from now on.

    Raises ``NotFound`` (404); ``Conflict`` 409 ``domain_not_verified`` (a pending domain).
    """
    with transaction.atomic():
        locks.tenant_lock(tenant.pk)
        custom = access_custom_domain(tenant=tenant, domain_id=domain_id)
        if custom.status not in ROUTED_STATUSES:
            raise Conflict(f"{custom.domain} is not verified yet; verify it first.", code=ErrorCode.DOMAIN_NOT_VERIFIED)
        _set_primary(tenant, custom.domain)
    return custom


def platform_host_make_primary(*, tenant: Tenant) -> str:
    """Make the tenant's platform host (``<slug>.<PLATFORM_DOMAIN>``) primary again; returns it."""
    host = tenant_host(tenant.schema_name)
    with transaction.atomic():
        locks.tenant_lock(tenant.pk)
        _set_primary(tenant, host)
    return host


def _set_primary(tenant: Tenant, host: str) -> None:
    Domain.objects.filter(tenant_id=tenant.pk).exclude(domain=host).update(is_primary=False)
    Domain.objects.filter(tenant_id=tenant.pk, domain=host).update(is_primary=True)
    _forget(tenant, host)


def primary_domains(*, tenant: Tenant) -> set[str]:
    """The tenant's primary host name(s) (one, normally), as stored in ``Domain``."""
    return set(Domain.objects.filter(tenant_id=tenant.pk, is_primary=True).values_list("domain", flat=True))


@dataclass
class RecheckReport:
    """What one re-check run did: names checked, newly flagged, and back to verified."""

    checked: int = 0
    flagged: int = 0
    restored: int = 0


def custom_domains_recheck() -> RecheckReport:
    """Check the TXT record of every verified or flagged custom domain again (the daily task).

    A verified domain whose record no longer carries its token becomes ``flagged`` (it still
    routes; taking a site offline for a DNS hiccup would be worse) and the tenant's admins get a
    notification ``custom_domain.flagged``; a flagged one whose record is back becomes verified
    again. Each domain is its own transaction; a failure of one is logged and the run goes on.
    """
    report = RecheckReport()
    for custom in list(selectors.routed_custom_domains()):
        answer = dns.txt_records(challenge_name(custom.domain))
        try:
            change = _record_recheck(custom.pk, answer)
        except Exception:
            logger.exception("re-check of custom domain %s failed", custom.domain)
            continue
        report.checked += 1
        report.flagged += change == CustomDomainStatus.FLAGGED
        report.restored += change == CustomDomainStatus.VERIFIED
    return report


def _record_recheck(domain_id: int, answer: dns.TxtAnswer) -> str | None:
    with transaction.atomic():
        name = CustomDomain.objects.filter(pk=domain_id).values_list("domain", flat=True).first()
        if name is None:
            return None  # deleted meanwhile
        locks.domain_name_lock(name)
        custom = locks.custom_domain_lock(domain_id)
        if custom.status not in ROUTED_STATUSES:
            return None
        custom.found = answer.as_dict()
        custom.last_checked_at = timezone.now()
        present = custom.verification_token in answer.txt
        change: str | None = None
        if present and custom.status == CustomDomainStatus.FLAGGED:
            change = CustomDomainStatus.VERIFIED
        elif not present and custom.status == CustomDomainStatus.VERIFIED:
            change = CustomDomainStatus.FLAGGED
        if change is not None:
            custom.status = change
        custom.save(update_fields=["found", "last_checked_at", "status"])
        if change == CustomDomainStatus.FLAGGED:
            _notify_admins_flagged(custom)
    return change


def _notify_admins_flagged(custom: CustomDomain) -> None:
    from saas.db.tenant import in_tenant
    from tenant_apps.accounts.selectors import users_with_roles
    from tenant_apps.kinds import ADMIN
    from tenant_apps.notifications.services import notify

    with in_tenant(custom.tenant):
        for admin in users_with_roles(ADMIN):
            notify(
                recipient=admin,
                verb="custom_domain.flagged",
                extra_data={
                    "domain": custom.domain,
                    "record": challenge_name(custom.domain),
                    "found": custom.found,
                    "message": (
                        f"The TXT record {challenge_name(custom.domain)} no longer carries the verification "
                        f"token. {custom.domain} still works; restore the record to keep it."
                    ),
                },
            )
