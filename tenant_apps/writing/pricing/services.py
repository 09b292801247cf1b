"""Writes of the writing pricing app (admin): order options, page rates, extra services and the
pricing settings. Every function is keyword-only, atomic and audited; each checks the actor's
role itself (``access.can_manage_pricing``) as well as the views.

Rules (issue "writing part 1", item 1):

* an option's ``slug`` is unique within its group, an extra service's across the site: a taken
  one answers 400 ``validation_error`` naming ``slug`` (also when two admins race: the unique
  index decides and the loser gets the same 400);
* options are never deleted, only retired (``is_active=False``): orders and page rates keep
  naming them; a retired option is not offered (``GET /order-options/``) nor quoted;
* a page rate is one band of one academic level, unique per (level, ``deadline_hours_max``);
  money passes ``saas.money.check_amount`` in the site's pricing currency, checked under the
  pricing settings' row lock (``locks.pricing_settings_lock``, taken alone), so that a price and a
  currency switch never pass their checks against each other's old state.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.text import slugify

from saas.errors import ApplicationError, ErrorCode, PermissionDenied
from saas.money import check_amount, normalize_currency
from tenant_apps.audit.diff import apply_changes
from tenant_apps.audit.services import audit_record
from tenant_apps.writing.pricing.access import can_manage_pricing
from tenant_apps.writing.pricing.locks import pricing_settings_lock
from tenant_apps.writing.pricing.models import (
    ExtraPricing,
    ExtraService,
    OptionGroup,
    OrderOption,
    PageRate,
    PricingSettings,
)

NAME_MAX_LENGTH = 120
DESCRIPTION_MAX_LENGTH = 500
#: The longest deadline band, in hours (a year).
MAX_BAND_HOURS = 24 * 366
#: The largest page count a site may allow per order.
MAX_PAGES_LIMIT = 1000
#: The largest single-spacing factor.
MAX_SPACING_FACTOR = Decimal("10.00")
#: What ``pricing_settings_update`` changes.
SETTINGS_FIELDS = ("currency", "single_spacing_factor", "minimum_pages", "maximum_pages")


def field_error(field: str, message: str) -> ApplicationError:
    """A 400 ``validation_error`` naming ``field`` in ``details`` (the serializers' shape)."""
    return ApplicationError(message, code=ErrorCode.VALIDATION_ERROR, details={field: [message]})


def _require(actor: Any) -> None:
    if not can_manage_pricing(actor):
        raise PermissionDenied("Your role does not allow this action.")


def _text(value: Any, *, field: str, max_length: int, required: bool = True) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise field_error(field, "Not a valid string.")
    text = value.strip()
    if required and not text:
        raise field_error(field, "This field may not be blank.")
    if len(text) > max_length:
        raise field_error(field, f"At most {max_length} characters.")
    return text


def _slug(value: Any, *, name: str) -> str:
    text = _text(value, field="slug", max_length=NAME_MAX_LENGTH, required=False)
    slug = slugify(text or name)[:NAME_MAX_LENGTH]
    if not slug or slug != (text or slug):
        raise field_error("slug", "Lower-case letters, digits and hyphens, e.g. research-paper.")
    return slug


def _whole(value: Any, *, field: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise field_error(field, f"A whole number from {low} to {high}.")
    return value


def _flag(value: Any, *, field: str) -> bool:
    if not isinstance(value, bool):
        raise field_error(field, "Must be a valid boolean.")
    return value


def _save_unique(obj: Any, *, field: str, message: str) -> None:
    try:
        with transaction.atomic():
            obj.save()
    except IntegrityError:
        raise field_error(field, message) from None


# --- Settings ---------------------------------------------------------------------------------------


def pricing_settings() -> PricingSettings:
    """The site's ``PricingSettings`` (created with ``settings.DEFAULT_CURRENCY`` and the model's
    defaults when missing; safe under concurrency: a losing ``INSERT`` reads the winner's row)."""
    found = PricingSettings.objects.filter(pk=1).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            return PricingSettings.objects.create(pk=1, currency=settings.DEFAULT_CURRENCY.upper())
    except IntegrityError:
        return PricingSettings.objects.get(pk=1)


def pricing_currency() -> str:
    """The ISO 4217 code every price of the site is in."""
    return pricing_settings().currency


def _locked_currency() -> str:
    """The pricing currency, the settings row locked until the transaction ends: an amount checked
    in this currency is stored before an admin's currency switch can check the stored prices (or
    after it, and checked in the new one)."""
    pricing_settings()
    return pricing_settings_lock().currency


def pricing_settings_update(*, actor: Any, changes: dict[str, Any]) -> PricingSettings:
    """Change the pricing settings (admin): any of ``SETTINGS_FIELDS``.

    ``currency``: ISO 4217 (every stored rate and fixed extra must be exact in its step, so a
    switch to JPY with a 12.50 rate is refused); ``single_spacing_factor``: ``Decimal`` 1-10, 2
    decimals (a single-spaced page costs that many double-spaced ones); ``minimum_pages`` and
    ``maximum_pages``: 1-1000, minimum at most maximum (checked against the stored other one).
    Under the row's lock, audited (``writing.pricing_settings_updated``).

    Raises ``PermissionDenied`` (403), ``ApplicationError`` ``validation_error`` or
    ``invalid_currency`` (400, naming the field); ``TypeError`` for an unknown field.
    """
    _require(actor)
    unknown = set(changes) - set(SETTINGS_FIELDS)
    if unknown:
        raise TypeError(f"unknown pricing settings fields: {sorted(unknown)}")
    clean: dict[str, Any] = {}
    if "currency" in changes:
        if not isinstance(changes["currency"], str):
            raise field_error("currency", "An ISO 4217 code such as USD.")
        clean["currency"] = normalize_currency(changes["currency"])
    if "single_spacing_factor" in changes:
        try:
            factor = Decimal(str(changes["single_spacing_factor"]))
        except (InvalidOperation, ValueError):
            raise field_error("single_spacing_factor", "A number from 1 to 10.") from None
        if not factor.is_finite() or not 1 <= factor <= MAX_SPACING_FACTOR or factor != round(factor, 2):
            raise field_error("single_spacing_factor", "A number from 1 to 10, at most 2 decimals.")
        clean["single_spacing_factor"] = factor.quantize(Decimal("0.01"))
    for field in ("minimum_pages", "maximum_pages"):
        if field in changes:
            clean[field] = _whole(changes[field], field=field, low=1, high=MAX_PAGES_LIMIT)
    pricing_settings()  # the row exists before it is locked
    with transaction.atomic():
        row = pricing_settings_lock()
        minimum = clean.get("minimum_pages", row.minimum_pages)
        maximum = clean.get("maximum_pages", row.maximum_pages)
        if minimum > maximum:
            raise field_error("maximum_pages", "At least minimum_pages.")
        if "currency" in clean and clean["currency"] != row.currency:
            _check_prices_in(clean["currency"])
        changed = apply_changes(row, clean)
        if changed:
            row.save(update_fields=[*changed, "updated_at"])
            audit_record(actor=actor, verb="writing.pricing_settings_updated", target=row, changes=changed)
    return row


def _check_prices_in(currency: str) -> None:
    prices = [*PageRate.objects.values_list("price_per_page", flat=True)]
    prices += ExtraService.objects.filter(pricing=ExtraPricing.FIXED).values_list("amount", flat=True)
    for price in prices:
        try:
            check_amount(price, currency, field="currency")
        except ApplicationError:
            raise field_error(
                "currency", f"A stored price ({price}) is not exact in {currency}: change the prices first."
            ) from None


# --- Order options ----------------------------------------------------------------------------------


def _option_taken(option: OrderOption) -> None:
    if OrderOption.objects.exclude(pk=option.pk).filter(group=option.group, slug=option.slug).exists():
        raise field_error("slug", "An option of this group with this slug exists.")


def _next_position(rows: Any) -> int:
    return min(int(rows.aggregate(last=Max("position"))["last"] or 0) + 1, 10000)


def order_option_create(
    *, actor: Any, group: str, name: str, slug: str = "", position: int | None = None
) -> OrderOption:
    """Add a choice to the dropdown ``group`` (an ``OptionGroup`` value) (admin): ``name`` (1-120
    characters), ``slug`` (default from the name; unique within the group), ``position`` (0-10000,
    ascending; default: after the group's last). Active at once. Audited (``writing.option_created``).

    Raises ``PermissionDenied`` (403), ``ApplicationError`` ``validation_error`` (400: bad group,
    blank or long name, bad or taken slug, position out of range).
    """
    _require(actor)
    if group not in OptionGroup.values:
        raise field_error("group", f"One of {', '.join(OptionGroup.values)}.")
    name = _text(name, field="name", max_length=NAME_MAX_LENGTH)
    if position is None:
        position = _next_position(OrderOption.objects.filter(group=group))
    option = OrderOption(
        group=group,
        name=name,
        slug=_slug(slug, name=name),
        position=_whole(position, field="position", low=0, high=10000),
    )
    with transaction.atomic():
        _option_taken(option)
        _save_unique(option, field="slug", message="An option of this group with this slug exists.")
        audit_record(
            actor=actor,
            verb="writing.option_created",
            target=option,
            changes={"group": group, "name": name, "slug": option.slug},
        )
    return option


def order_option_update(*, actor: Any, option: OrderOption, **fields: Any) -> OrderOption:
    """Change an option (admin): any of ``name``, ``slug``, ``position``, ``is_active`` (``true``
    brings a retired option back). Its group never changes. Orders keep the option they name.
    Audited (``writing.option_updated``).

    Raises ``PermissionDenied`` (403), ``ApplicationError`` ``validation_error`` (400); ``TypeError``
    for an unknown field.
    """
    _require(actor)
    unknown = set(fields) - {"name", "slug", "position", "is_active"}
    if unknown:
        raise TypeError(f"unknown order option fields: {sorted(unknown)}")
    clean: dict[str, Any] = {}
    if "name" in fields:
        clean["name"] = _text(fields["name"], field="name", max_length=NAME_MAX_LENGTH)
    if "slug" in fields:
        clean["slug"] = _slug(fields["slug"], name=clean.get("name", option.name))
    if "position" in fields:
        clean["position"] = _whole(fields["position"], field="position", low=0, high=10000)
    if "is_active" in fields:
        clean["is_active"] = _flag(fields["is_active"], field="is_active")
    with transaction.atomic():
        changed = apply_changes(option, clean)
        if changed:
            _option_taken(option)
            _save_unique(option, field="slug", message="An option of this group with this slug exists.")
            audit_record(actor=actor, verb="writing.option_updated", target=option, changes=changed)
    return option


def order_option_retire(*, actor: Any, option: OrderOption) -> OrderOption:
    """Retire an option (admin): no longer offered nor quoted; orders and page rates naming it keep
    it (options are never deleted). A no-op for a retired one. Raises ``PermissionDenied`` (403)."""
    return order_option_update(actor=actor, option=option, is_active=False)


# --- Page rates -------------------------------------------------------------------------------------


def _level(value: Any) -> OrderOption:
    if not isinstance(value, OrderOption) or value.group != OptionGroup.ACADEMIC_LEVEL:
        raise field_error("academic_level", "An academic level option.")
    return value


def _rate_taken(rate: PageRate) -> None:
    others = PageRate.objects.exclude(pk=rate.pk)
    if others.filter(academic_level_id=rate.academic_level_id, deadline_hours_max=rate.deadline_hours_max).exists():
        raise field_error("deadline_hours_max", "This level has a rate for this band already.")


@transaction.atomic
def page_rate_create(
    *, actor: Any, academic_level: OrderOption, deadline_hours_max: int, price_per_page: Decimal
) -> PageRate:
    """Add a deadline band to an academic level's prices (admin): ``deadline_hours_max`` (1 to
    ``MAX_BAND_HOURS``: the band covers deadlines up to that many hours away), ``price_per_page``
    (one double-spaced page, in the pricing currency, ``check_amount``). Audited.

    Raises ``PermissionDenied`` (403), ``ApplicationError`` ``validation_error`` (400: not an
    academic level, band out of range or taken for the level) or ``invalid_amount`` (400).
    """
    _require(actor)
    rate = PageRate(
        academic_level=_level(academic_level),
        deadline_hours_max=_whole(deadline_hours_max, field="deadline_hours_max", low=1, high=MAX_BAND_HOURS),
        price_per_page=check_amount(price_per_page, _locked_currency(), field="price_per_page"),
    )
    with transaction.atomic():
        _rate_taken(rate)
        _save_unique(rate, field="deadline_hours_max", message="This level has a rate for this band already.")
        audit_record(
            actor=actor,
            verb="writing.page_rate_created",
            target=rate,
            changes={
                "academic_level": academic_level.slug,
                "deadline_hours_max": rate.deadline_hours_max,
                "price_per_page": str(rate.price_per_page),
            },
        )
    return rate


@transaction.atomic
def page_rate_update(*, actor: Any, rate: PageRate, **fields: Any) -> PageRate:
    """Change a page rate (admin): ``deadline_hours_max`` and/or ``price_per_page`` (as
    ``page_rate_create``). Orders placed keep the price they were quoted. Audited.

    Raises ``PermissionDenied`` (403), ``ApplicationError`` (400); ``TypeError`` for an unknown field.
    """
    _require(actor)
    unknown = set(fields) - {"deadline_hours_max", "price_per_page"}
    if unknown:
        raise TypeError(f"unknown page rate fields: {sorted(unknown)}")
    clean: dict[str, Any] = {}
    if "deadline_hours_max" in fields:
        clean["deadline_hours_max"] = _whole(
            fields["deadline_hours_max"], field="deadline_hours_max", low=1, high=MAX_BAND_HOURS
        )
    if "price_per_page" in fields:
        clean["price_per_page"] = check_amount(fields["price_per_page"], _locked_currency(), field="price_per_page")
    with transaction.atomic():
        changed = apply_changes(rate, clean)
        if changed:
            _rate_taken(rate)
            _save_unique(rate, field="deadline_hours_max", message="This level has a rate for this band already.")
            audit_record(actor=actor, verb="writing.page_rate_updated", target=rate, changes=changed)
    return rate


def page_rate_delete(*, actor: Any, rate: PageRate) -> None:
    """Remove a deadline band of a level (admin); quotes use the remaining bands (a level with none
    cannot be quoted). Audited. Raises ``PermissionDenied`` (403)."""
    _require(actor)
    with transaction.atomic():
        audit_record(
            actor=actor,
            verb="writing.page_rate_deleted",
            target=rate,
            changes={"deadline_hours_max": rate.deadline_hours_max, "price_per_page": str(rate.price_per_page)},
        )
        rate.delete()


# --- Extra services ---------------------------------------------------------------------------------


def _extra_amount(pricing: str, amount: Any) -> Decimal:
    if pricing == ExtraPricing.FIXED:
        return check_amount(amount, _locked_currency(), field="amount")
    try:
        percent = Decimal(str(amount))
    except (InvalidOperation, ValueError):
        raise field_error("amount", "A percentage above 0, at most 100.") from None
    if not percent.is_finite() or not 0 < percent <= 100 or percent != round(percent, 2):
        raise field_error("amount", "A percentage above 0, at most 100, with at most 2 decimals.")
    return percent.quantize(Decimal("0.01"))


@transaction.atomic
def extra_service_create(
    *,
    actor: Any,
    name: str,
    pricing: str,
    amount: Decimal,
    slug: str = "",
    description: str = "",
    position: int | None = None,
) -> ExtraService:
    """Add an extra service (admin): ``pricing`` ``fixed`` (``amount`` per order, in the pricing
    currency, ``check_amount``) or ``percent`` (``amount`` % of the pages' price, above 0, at most
    100); ``slug`` from the name by default, unique; ``position`` default after the last.
    Audited (``writing.extra_created``).

    Raises ``PermissionDenied`` (403), ``ApplicationError`` ``validation_error`` / ``invalid_amount`` (400).
    """
    _require(actor)
    if pricing not in ExtraPricing.values:
        raise field_error("pricing", "fixed or percent.")
    name = _text(name, field="name", max_length=NAME_MAX_LENGTH)
    if position is None:
        position = _next_position(ExtraService.objects.all())
    extra = ExtraService(
        name=name,
        slug=_slug(slug, name=name),
        description=_text(description, field="description", max_length=DESCRIPTION_MAX_LENGTH, required=False),
        pricing=pricing,
        amount=_extra_amount(pricing, amount),
        position=_whole(position, field="position", low=0, high=10000),
    )
    with transaction.atomic():
        if ExtraService.objects.filter(slug=extra.slug).exists():
            raise field_error("slug", "An extra service with this slug exists.")
        _save_unique(extra, field="slug", message="An extra service with this slug exists.")
        audit_record(
            actor=actor,
            verb="writing.extra_created",
            target=extra,
            changes={"slug": extra.slug, "pricing": pricing, "amount": str(extra.amount)},
        )
    return extra


@transaction.atomic
def extra_service_update(*, actor: Any, extra: ExtraService, **fields: Any) -> ExtraService:
    """Change an extra service (admin): any of ``name``, ``slug``, ``description``, ``pricing``,
    ``amount`` (checked against the resulting ``pricing``), ``position``, ``is_active`` (``false``
    retires it: no longer offered nor quoted). Audited (``writing.extra_updated``).

    Raises ``PermissionDenied`` (403), ``ApplicationError`` (400); ``TypeError`` for an unknown field.
    """
    _require(actor)
    unknown = set(fields) - {"name", "slug", "description", "pricing", "amount", "position", "is_active"}
    if unknown:
        raise TypeError(f"unknown extra service fields: {sorted(unknown)}")
    clean: dict[str, Any] = {}
    if "name" in fields:
        clean["name"] = _text(fields["name"], field="name", max_length=NAME_MAX_LENGTH)
    if "slug" in fields:
        clean["slug"] = _slug(fields["slug"], name=clean.get("name", extra.name))
    if "description" in fields:
        clean["description"] = _text(
            fields["description"], field="description", max_length=DESCRIPTION_MAX_LENGTH, required=False
        )
    if "pricing" in fields:
        if fields["pricing"] not in ExtraPricing.values:
            raise field_error("pricing", "fixed or percent.")
        clean["pricing"] = fields["pricing"]
    if "amount" in fields or "pricing" in fields:
        clean["amount"] = _extra_amount(clean.get("pricing", extra.pricing), fields.get("amount", extra.amount))
    if "position" in fields:
        clean["position"] = _whole(fields["position"], field="position", low=0, high=10000)
    if "is_active" in fields:
        clean["is_active"] = _flag(fields["is_active"], field="is_active")
    with transaction.atomic():
        changed = apply_changes(extra, clean)
        if changed:
            if ExtraService.objects.exclude(pk=extra.pk).filter(slug=extra.slug).exists():
                raise field_error("slug", "An extra service with this slug exists.")
            _save_unique(extra, field="slug", message="An extra service with this slug exists.")
            audit_record(actor=actor, verb="writing.extra_updated", target=extra, changes=changed)
    return extra
