"""Two admins publishing one pending review at the same moment, on committed rows from threads with
their own connections (as concurrent requests are): it is published once.

Under ``locks.review_lock`` the second waits for the first to commit, reads ``published`` and is
refused (409 ``invalid_status_transition``): the client and the writer are told once. A pause
after the locked read lets both start before either writes.

Without the lock (replaced by a plain read), the interleaving it forbids is staged with events:
the second admin reads the review ``pending``, then waits until the first has published it; both
publish, and the client and the writer are told twice. Everything committed is deleted afterwards.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import pytest

from saas.errors import ApplicationError
from shared_apps.tenancy.models import Tenant
from tests.concurrency import race
from tests.factories import OrderFactory, UserFactory
from tests.factories.base import site_admin

PAUSE = 0.3


def _a_pending_review() -> Any:
    from tenant_apps.writing.reviews.services import order_review_create

    client = UserFactory(email="race-review-client@golf.test", roles=["client"])
    writer = UserFactory(email="race-review-writer@golf.test", roles=["writer"])
    editor = UserFactory(email="race-review-editor@golf.test", roles=["editor"])
    order = OrderFactory(client=client, writer=writer, editor=editor, completed=True)
    return order_review_create(actor=client, order=order, rating=5, text="Great.")


def _publish(review: Any) -> Callable[[], Any]:
    def call() -> Any:
        from tenant_apps.writing.reviews.services import review_publish

        return review_publish(review=review, actor=site_admin())

    return call


def _told(review: Any) -> tuple[int, int]:
    """(``writing_review.published`` notifications of the client, ``about_you`` of the writer)."""
    from tenant_apps.notifications.models import Notification

    notes = Notification.objects.filter(object_id=str(review.pk))
    return (
        notes.filter(recipient_id=review.client_id, verb="writing_review.published").count(),
        notes.filter(recipient_id=review.writer_id, verb="writing_review.about_you").count(),
    )


def test_two_admins_publishing_at_once_publish_once(
    golf: Tenant, committed_reviews: Callable[[Callable[[], Any]], Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from tenant_apps.writing.reviews import services
    from tenant_apps.writing.reviews.locks import review_lock
    from tenant_apps.writing.reviews.models import OrderReview

    # given: a pending review; the locked read held open
    review = committed_reviews(_a_pending_review)

    def slow(model: Any, pk: int) -> Any:
        found = review_lock(model, pk)
        time.sleep(PAUSE)
        return found

    monkeypatch.setattr(services, "review_lock", slow)
    # when: two admins publish it at once
    outcomes = race([_publish(review), _publish(review)], tenant=golf)
    # then: one publishes, the other is refused; each party told once
    done = [o for o in outcomes if isinstance(o, OrderReview)]
    refused = [o for o in outcomes if isinstance(o, ApplicationError)]
    assert (len(done), len(refused)) == (1, 1), outcomes
    assert (refused[0].status_code, refused[0].code) == (409, "invalid_status_transition")
    assert committed_reviews(lambda: _told(review)) == (1, 1)


def test_without_the_lock_both_admins_publish_and_everyone_is_told_twice(
    golf: Tenant, committed_reviews: Callable[[Callable[[], Any]], Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from tenant_apps.writing.reviews import services
    from tenant_apps.writing.reviews.models import OrderReview

    # given: the lock replaced by a plain read; the second admin reads, then waits for the first's commit
    review = committed_reviews(_a_pending_review)
    second_read, first_committed = threading.Event(), threading.Event()
    second = threading.local()

    def read(model: Any, pk: int) -> Any:
        found = model._default_manager.get(pk=pk)
        if getattr(second, "is_it", False):
            second_read.set()
            assert first_committed.wait(30), "the first publication did not commit"
        return found

    def first() -> Any:
        try:
            assert second_read.wait(30), "the second admin did not read"
            return _publish(review)()
        finally:
            first_committed.set()

    def then() -> Any:
        second.is_it = True
        return _publish(review)()

    monkeypatch.setattr(services, "review_lock", read)
    # when
    outcomes = race([first, then], tenant=golf)
    # then: both "published" it; the client and the writer were told twice
    assert all(isinstance(o, OrderReview) for o in outcomes), outcomes
    assert committed_reviews(lambda: _told(review)) == (2, 2)
