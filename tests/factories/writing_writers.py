"""Writer levels and profiles, made by ``writing.writers.services``.

``WriterLevelFactory()`` adds a level (a 60 % share, 6.00 a page; not the default) as the site's
admin; ``WriterProfileFactory(user=..., level=...)`` gives a writer (default: a new one) a level
(default: a new one) as the site's admin (``writer_set_level``, which creates the profile).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import factory

from tenant_apps.writing.writers import services
from tenant_apps.writing.writers.models import WriterLevel, WriterProfile
from tests.factories.accounts import UserFactory
from tests.factories.base import ServiceFactory, site_admin


class WriterLevelFactory(ServiceFactory[WriterLevel]):
    """A writer level added by the site's admin (``writer_level_create``)."""

    class Meta:
        model = WriterLevel

    name = factory.Sequence(lambda n: f"Level {n}")
    share_percent = Decimal("60.00")
    per_page_amount = Decimal("6.00")
    is_default = False

    @classmethod
    def _create(cls, model_class: type[WriterLevel], *args: Any, **kwargs: Any) -> WriterLevel:
        return services.writer_level_create(actor=site_admin(), **kwargs)


class WriterProfileFactory(ServiceFactory[WriterProfile]):
    """A writer's profile with ``level``, set by the site's admin (``writer_set_level``)."""

    class Meta:
        model = WriterProfile

    user = factory.SubFactory(UserFactory, roles=["writer"])
    level = factory.SubFactory(WriterLevelFactory)

    @classmethod
    def _create(cls, model_class: type[WriterProfile], *args: Any, **kwargs: Any) -> WriterProfile:
        return services.writer_set_level(actor=site_admin(), writer=kwargs["user"], level=kwargs["level"])
