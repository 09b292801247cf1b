"""Users of a tenant site, made by ``accounts.services.user_create``."""

from __future__ import annotations

from typing import Any

import factory

from tenant_apps.accounts.models import User
from tenant_apps.accounts.roles import ADMIN
from tenant_apps.accounts.services import user_create
from tests.conftest import PASSWORD
from tests.factories.base import ServiceFactory


class UserFactory(ServiceFactory[User]):
    """A user of the current site, made by ``user_create``: e-mail in canonical form, unique e-mail
    and phone, the roles (``roles=None``: the kind's default role, what a sign-up gets; an unknown
    role is refused) and the ``user.created`` audit row. The password is ``PASSWORD``.

    Traits: ``admin`` (the ``admin`` role), ``inactive``.
    """

    class Meta:
        model = User

    class Params:
        admin = factory.Trait(roles=[ADMIN])
        inactive = factory.Trait(is_active=False)

    email = factory.Sequence(lambda n: f"user{n}@factory.test")
    password: str | None = PASSWORD
    full_name = ""
    phone = ""
    roles: list[str] | None = None
    is_active = True
    actor = None

    @classmethod
    def _create(cls, model_class: type[User], *args: Any, **kwargs: Any) -> User:
        return user_create(**kwargs)
