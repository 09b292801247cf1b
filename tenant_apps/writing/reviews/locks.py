"""Row locks of the writing reviews app (see ``docs/architecture.md``, "Locks in one order").

* ``review_lock``: one review row (an order review or a website review), taken alone by
  moderation: two admins publishing (or one publishing, one hiding) the same review at once
  queue up, and the second sees the first's status (a repeated move is refused, 409), so the
  client and the writer are told once (``tests/tenant_apps/writing/reviews/test_moderation_race.py``).
* Writing a review locks nothing: the unique ``order`` (one review per order) and ``client`` (one
  website review per client) decide between two at once (409 ``already_reviewed``).
"""

from __future__ import annotations

from typing import TypeVar

from tenant_apps.writing.reviews.models import ReviewBase

R = TypeVar("R", bound=ReviewBase)


def review_lock(model: type[R], pk: int) -> R:
    """The review ``pk`` of ``model`` (``OrderReview`` or ``WebsiteReview``), locked until the
    transaction ends (call inside ``transaction.atomic``). Raises ``model.DoesNotExist``."""
    return model._default_manager.select_for_update(no_key=True, of=("self",)).get(pk=pk)
