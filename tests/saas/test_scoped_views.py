"""Lists cannot forget their scope: every generic view of ours gets its objects from
``visible_queryset()``, and overriding ``get_queryset`` is refused when the class is defined."""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from django.conf import settings
from django.db.models import QuerySet
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework import generics, mixins, viewsets

from saas.api.views import VisibleQuerysetMixin
from tenant_apps.accounts.models import User

OWN_PACKAGES = ("saas.", "shared_apps.", "tenant_apps.")
#: Views that read objects (lists, details, changes); POST-only action views have no queryset.
OBJECT_VIEWS = (
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
)


def _view_classes(patterns: Sequence[URLPattern | URLResolver]) -> set[type]:
    found: set[type] = set()
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            found |= _view_classes(pattern.url_patterns)
        elif isinstance(pattern, URLPattern):
            view = getattr(pattern.callback, "cls", None) or getattr(pattern.callback, "view_class", None)
            if isinstance(view, type):
                found.add(view)
    return found


@pytest.mark.parametrize("urlconf", [str(t["URLCONF"]) for t in settings.TENANT_TYPES.values()])
def test_every_object_view_of_ours_is_scoped(urlconf: str) -> None:
    views = _view_classes(get_resolver(urlconf).url_patterns)
    generic = {v for v in views if issubclass(v, OBJECT_VIEWS) and v.__module__.startswith(OWN_PACKAGES)}
    assert generic  # the walk found views
    assert {v.__qualname__ for v in generic if not issubclass(v, VisibleQuerysetMixin)} == set()


def test_overriding_get_queryset_is_refused_when_the_class_is_defined() -> None:
    with pytest.raises(TypeError, match="visible_queryset"):

        class Careless(VisibleQuerysetMixin, generics.ListAPIView):
            def get_queryset(self) -> QuerySet[User]:
                return User.objects.none()


def test_a_view_without_a_scope_fails_loudly() -> None:
    class Unscoped(VisibleQuerysetMixin, generics.ListAPIView):
        pass

    with pytest.raises(NotImplementedError, match="visible_queryset"):
        Unscoped().get_queryset()
