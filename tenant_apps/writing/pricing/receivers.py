"""Signal receivers of the writing pricing app: an option's change drops the cached dropdowns."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from tenant_apps.writing.pricing.dropdowns import forget_dropdown_options
from tenant_apps.writing.pricing.models import OrderOption


@receiver(post_save, sender=OrderOption, dispatch_uid="writing_pricing.option_saved")
@receiver(post_delete, sender=OrderOption, dispatch_uid="writing_pricing.option_deleted")
def option_changed(sender: Any, **kwargs: Any) -> None:
    """Drop the cached dropdowns once the change is committed (a request in between may have
    cached the old list again)."""
    transaction.on_commit(forget_dropdown_options, robust=True)
