"""Tenants and their domains (public schema)."""

from __future__ import annotations

from typing import Any

import factory

from shared_apps.tenancy.models import Domain, Tenant
from shared_apps.tenancy.services import tenant_provision
from tests.conftest import PASSWORD
from tests.factories.base import ModelFactory, ServiceFactory


class TenantFactory(ServiceFactory[Tenant]):
    """A site provisioned by ``tenant_provision``, in the public schema: the row, its primary
    domain ``<slug>.localhost``, a schema cloned from the kind's template, the roles and the owner
    ``admin@<slug>.test`` (password ``PASSWORD``); slug and kind checked.

    Slow (a schema clone): prefer the session tenants. Inside a test's transaction it is rolled
    back with it (PostgreSQL's DDL is transactional); a committed one is dropped with ``tenant_drop``.
    """

    class Meta:
        model = Tenant

    kind = "store"
    slug = factory.Sequence(lambda n: f"factory{n}")
    name = factory.LazyAttribute(lambda o: o.slug.title())
    owner_email = factory.LazyAttribute(lambda o: f"admin@{o.slug}.test")
    owner_password: str | None = PASSWORD

    @classmethod
    def _create(cls, model_class: type[Tenant], *args: Any, **kwargs: Any) -> Tenant:
        return tenant_provision(**kwargs)


class DomainFactory(ModelFactory[Domain]):
    """Another host name of ``tenant`` (required), in the public schema. Saved by the model, whose
    ``save`` keeps one primary domain per tenant (a new primary demotes the old one)."""

    class Meta:
        model = Domain

    domain = factory.Sequence(lambda n: f"alias{n}.localhost")
    is_primary = False
