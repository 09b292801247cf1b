"""What every list and detail view of the API shares: a queryset that cannot forget its scope."""

from __future__ import annotations

from typing import Any


class VisibleQuerysetMixin:
    """DRF views whose objects come from ``visible_queryset()``: the objects the request's user may see.

    A view states its scope once, in ``visible_queryset`` (usually a selector that takes the user,
    e.g. ``access.tickets_visible_to(user)``); lists, detail lookups, updates and deletes all go
    through it, so an id outside it answers 404 like a missing one. Overriding ``get_queryset``
    directly is refused when the class is defined: it is how a view forgets its scope. A view that
    really must build its queryset another way names it ``dangerously_get_queryset`` (after
    PostHog's ``posthog/api/routing.py``), which reviews can find.

    Hand-written rather than a library: DRF has no such guard, and it is a few lines.
    """

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "get_queryset" in cls.__dict__:
            raise TypeError(
                f"{cls.__qualname__} overrides get_queryset(): define visible_queryset() (the objects "
                "the request's user may see), or dangerously_get_queryset() for a deliberate exception."
            )

    def visible_queryset(self) -> Any:
        """The objects the request's user may see (a ``QuerySet``)."""
        raise NotImplementedError(f"{type(self).__qualname__} must define visible_queryset()")

    def get_queryset(self) -> Any:
        dangerous = getattr(self, "dangerously_get_queryset", None)
        return dangerous() if dangerous is not None else self.visible_queryset()
