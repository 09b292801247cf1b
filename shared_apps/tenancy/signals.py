"""Keep the host cache (``hosts.py``), and the content types of a changed tenant's schema, in step
with tenants and domains."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from shared_apps.tenancy.hosts import forget_hosts
from shared_apps.tenancy.models import Domain, Tenant


@receiver([post_save, post_delete], sender=Domain)
def _domain_changed(sender: type[Domain], instance: Domain, **_: Any) -> None:
    # Making a domain primary demotes the tenant's other domains with a bulk update (no signal of
    # their own): forgetting the tenant's primary host here covers them.
    schema_name = Tenant.objects.filter(pk=instance.tenant_id).values_list("schema_name", flat=True).first()
    forget_hosts([instance.domain], schema_names=[schema_name] if schema_name else [])


@receiver([post_save, post_delete], sender=Tenant)
def _tenant_changed(sender: type[Tenant], instance: Tenant, **_: Any) -> None:
    if instance.pk:
        forget_hosts(
            Domain.objects.filter(tenant_id=instance.pk).values_list("domain", flat=True),
            schema_names=[instance.schema_name],
            tenant_changed=True,
        )
