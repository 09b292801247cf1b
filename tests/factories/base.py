"""What every factory shares: the typed base class, the site's admin, and ``create_in``.

Factories write in the **current** schema, like the services they call. A test outside a tenant
(the public schema) wraps them::

    with tenant_context(alpha):
        ann = UserFactory(email="ann@alpha.test", roles=["student"])

or calls ``create_in(alpha, UserFactory, email="ann@alpha.test")``.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar
from unittest import mock

import factory
from django.utils import timezone
from django_tenants.utils import tenant_context
from factory.django import DjangoModelFactory

T = TypeVar("T")


class ModelFactory(DjangoModelFactory[T]):
    """A ``DjangoModelFactory`` that mypy understands: ``SomeFactory(...)`` is typed as the model it
    creates (``UserFactory()`` is a ``User``), like ``SomeFactory.create(...)``.

    Only for models whose rules live in the model itself (``DomainFactory``); everything else is a
    ``ServiceFactory``.
    """

    class Meta:
        abstract = True
        skip_postgeneration_save = True

    if TYPE_CHECKING:
        # factory_boy's metaclass makes ``SomeFactory(...)`` call ``create``; tell mypy so.
        def __new__(cls, *args: Any, **kwargs: Any) -> T: ...  # type: ignore[misc]


class ServiceFactory(ModelFactory[T]):
    """A factory whose rows are written by the app's services, never by ``Model.objects.create``.

    Subclasses override ``_create`` to call the service, so its checks, derived fields, audit rows
    and locks apply: a factory cannot build a row the product could not. Declarations named after
    a field the services derive (``status``, ``amount_paid``, ``balance``, ``read``) are reached
    through the services too, along the allowed transitions. ``build()`` is refused: an unsaved
    row would skip those rules.
    """

    class Meta:
        abstract = True

    @classmethod
    def _build(cls, model_class: type[T], *args: Any, **kwargs: Any) -> NoReturn:
        raise factory.errors.FactoryError(
            f"{cls.__name__} only creates rows, through the services: use {cls.__name__}() or .create()."
        )


def create_in(tenant: Any, factory_class: type[DjangoModelFactory[T]], **fields: Any) -> T:
    """``factory_class.create(**fields)`` in ``tenant``'s schema."""
    with tenant_context(tenant):
        return factory_class.create(**fields)


def at(moment: datetime) -> Any:
    """A context in which ``django.utils.timezone.now()`` is ``moment`` (the site's clock moved)."""
    return mock.patch("django.utils.timezone.now", return_value=moment)


def in_days(days: int) -> date:
    """The site's date ``days`` from today (a due date, a program's start)."""
    return timezone.localdate() + timedelta(days=days)


def site_admin() -> Any:
    """The current site's first active admin (the owner of a session tenant): the default actor of
    factories whose service needs one."""
    from tenant_apps.accounts.models import User
    from tenant_apps.accounts.roles import ADMIN

    admin = User.objects.filter(groups__name=ADMIN, is_active=True).order_by("pk").first()
    if admin is None:
        raise LookupError("This schema has no active admin: pass the actor explicitly.")
    return admin
