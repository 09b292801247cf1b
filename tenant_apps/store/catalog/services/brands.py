"""Brands: sellers whose rank unlocks them propose brands; admins approve or reject them.

A brand is ``pending`` until an admin decides, once: ``brand_approve`` or ``brand_reject`` (with a
reason), each under the brand's row lock, so of two admins deciding at once one wins and the
other gets 409 ``invalid_status_transition``. The owner is notified (``brand_approved``,
``brand_rejected``) with ``extra_data`` ``{brand, name, reason?}``.
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from saas.db.slugs import unique_slug
from saas.errors import Conflict, ErrorCode
from tenant_apps.audit.services import audit_record
from tenant_apps.notifications.services import notify
from tenant_apps.store.catalog.access import can_manage_catalog, can_sell, ensure_brands_unlocked
from tenant_apps.store.catalog.locks import brand_lock
from tenant_apps.store.catalog.models import Brand, BrandStatus
from tenant_apps.store.catalog.services._common import clean_text, require

NAME_MAX_LENGTH = 120
REASON_MAX_LENGTH = 2000


def _name_taken() -> Conflict:
    return Conflict("A brand with this name exists.", code=ErrorCode.BRAND_NAME_TAKEN, details={"name": ["Taken."]})


def brand_create(*, actor: Any, name: str, description: str = "") -> Brand:
    """Propose a brand (a seller whose rank unlocks brands): ``pending`` until an admin decides.

    Names are unique in the site, case-insensitively. Raises ``permission_denied`` (403: not a
    seller), ``rank_too_low`` (403), ``validation_error`` (400), ``brand_name_taken`` (409).
    """
    require(can_sell(actor))
    ensure_brands_unlocked(actor)
    name = clean_text(name, field="name", max_length=NAME_MAX_LENGTH)
    description = clean_text(description, field="description", required=False, max_length=5000)
    if Brand.objects.filter(name__iexact=name).exists():
        raise _name_taken()
    try:
        with transaction.atomic():
            brand = Brand.objects.create(
                name=name,
                slug=unique_slug(Brand.objects.all(), name, fallback="brand", max_length=140),
                description=description,
                owner=actor,
            )
            audit_record(actor=actor, verb="brand.created", target=brand, changes={"name": name})
    except IntegrityError:  # the same name (or slug) committed meanwhile
        raise _name_taken() from None
    return brand


def _decide(*, actor: Any, brand: Brand, status: str, reason: str = "") -> Brand:
    require(can_manage_catalog(actor))
    with transaction.atomic():
        brand = brand_lock(brand.pk)
        if brand.status != BrandStatus.PENDING:
            raise Conflict(f"This brand is already {brand.status}.", code=ErrorCode.INVALID_STATUS_TRANSITION)
        brand.status = status
        brand.rejection_reason = reason
        brand.decided_by = actor
        brand.decided_at = timezone.now()
        brand.save(update_fields=["status", "rejection_reason", "decided_by", "decided_at"])
        audit_record(actor=actor, verb=f"brand.{status}", target=brand, changes={"reason": reason} if reason else {})
        extra: dict[str, Any] = {"brand": brand.pk, "name": brand.name}
        if reason:
            extra["reason"] = reason
        notify(recipient=brand.owner, verb=f"brand_{status}", target=brand, extra_data=extra)
    return brand


def brand_approve(*, actor: Any, brand: Brand) -> Brand:
    """Approve a pending brand (admin) and notify its owner (``brand_approved``).

    Raises ``permission_denied`` (403), ``invalid_status_transition`` (409: already decided).
    """
    return _decide(actor=actor, brand=brand, status=BrandStatus.APPROVED)


def brand_reject(*, actor: Any, brand: Brand, reason: str) -> Brand:
    """Reject a pending brand with ``reason`` (admin) and notify its owner (``brand_rejected``).

    Raises ``permission_denied`` (403), ``validation_error`` (400: no reason),
    ``invalid_status_transition`` (409: already decided).
    """
    reason = clean_text(reason, field="reason", max_length=REASON_MAX_LENGTH)
    return _decide(actor=actor, brand=brand, status=BrandStatus.REJECTED, reason=reason)
