"""Two admins moving one draft post at the same moment, on committed rows from threads with
their own connections (as concurrent requests are): one publishes it, the other schedules it for
tomorrow.

Under the post's lock (``locks.post_lock``) the scheduler waits for the publisher to commit,
then finds the post live and is refused (409 ``invalid_status_transition``): the post stays
published, as the admin who published it was told. The scheduler is started only once the
publisher holds the lock and has checked its move (an event), so the order is fixed.

Without the lock (the lock replaced by a plain read), the interleaving it forbids is staged with
events: both admins check the move against the draft they read, the publisher commits, then the
scheduler writes. Both get a 200, and the post the first admin was told is published is hidden
until tomorrow. The beat job against an admin unpublishing a due scheduled post: the job locks due posts with
``SKIP LOCKED`` (``locks.due_posts_lock``), so the post the admin holds is left alone and stays a
draft. Without it (a plain read of the due ids), the job reads the post as due, the admin's
unpublish commits, and the job's ``UPDATE`` marks the draft published: the table's check
constraint (a published post has a ``publish_at``) refuses it, and the whole run fails, every
other due post of the batch with it.

Everything committed is deleted afterwards.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.db import IntegrityError
from django.utils import timezone
from django_tenants.utils import tenant_context

from saas.errors import Conflict
from shared_apps.tenancy.models import Tenant
from tenant_apps.writing.cms import services
from tenant_apps.writing.cms.models import BlogPost
from tests.concurrency import in_thread, race
from tests.factories import BlogPostFactory
from tests.factories.base import at, site_admin

WAIT = 30


def _committed_post(golf: Tenant, **fields: Any) -> Iterator[BlogPost]:
    """A committed post of golf; it and its audit rows are deleted after the test."""
    from tenant_apps.audit.models import AuditLogEntry

    def make() -> BlogPost:
        with tenant_context(golf):
            return BlogPostFactory(title="Race post", **fields)

    post = in_thread(make)

    def clean() -> None:
        with tenant_context(golf):
            AuditLogEntry.objects.filter(target_id=str(post.pk), verb__startswith="writing.blog_post").delete()
            BlogPost.objects.filter(pk=post.pk).delete()

    try:
        yield post
    finally:
        in_thread(clean)


@pytest.fixture
def draft(golf: Tenant) -> Iterator[BlogPost]:
    """A committed draft post of golf (deleted after the test)."""
    yield from _committed_post(golf)


@pytest.fixture
def due_soon(golf: Tenant) -> Iterator[BlogPost]:
    """A committed post of golf scheduled an hour from now (deleted after the test)."""
    yield from _committed_post(golf, status="scheduled", publish_at=timezone.now() + timedelta(hours=1))


def _publish(post: BlogPost) -> Callable[[], Any]:
    return lambda: services.post_publish(actor=site_admin(), post=post)


def _schedule(post: BlogPost) -> Callable[[], Any]:
    tomorrow = timezone.now() + timedelta(days=1)
    return lambda: services.post_schedule(actor=site_admin(), post=post, publish_at=tomorrow)


def _stored(golf: Tenant, post: BlogPost) -> str:
    def read() -> str:
        with tenant_context(golf):
            return BlogPost.objects.get(pk=post.pk).status

    return str(in_thread(read))


def test_publishing_and_scheduling_at_once_leave_the_post_published_and_refuse_the_schedule(
    golf: Tenant, draft: BlogPost, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given: the publisher holds the lock and has checked its move before the scheduler starts
    publisher_checked = threading.Event()
    real = services.check_move

    def check(post: BlogPost, to: str) -> None:
        real(post, to)
        if to == "published":
            publisher_checked.set()

    def scheduler() -> Any:
        assert publisher_checked.wait(WAIT), "the publisher did not check its move"
        return _schedule(draft)()

    monkeypatch.setattr(services, "check_move", check)
    # when
    outcomes = race([_publish(draft), scheduler], tenant=golf)
    # then: the publish stands, the schedule is refused
    assert isinstance(outcomes[0], BlogPost) and outcomes[0].status == "published", outcomes
    assert isinstance(outcomes[1], Conflict) and outcomes[1].code == "invalid_status_transition", outcomes
    assert _stored(golf, draft) == "published"


def test_without_the_lock_the_schedule_silently_hides_the_post_just_published(
    golf: Tenant, draft: BlogPost, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given: the lock replaced by a plain read; both check the draft, the publisher commits, then
    # the scheduler writes
    publisher_checked, scheduler_checked, publisher_committed = threading.Event(), threading.Event(), threading.Event()
    real = services.check_move

    def check(post: BlogPost, to: str) -> None:
        real(post, to)
        if to == "published":
            publisher_checked.set()
            assert scheduler_checked.wait(WAIT), "the scheduler did not check its move"
        else:
            scheduler_checked.set()
            assert publisher_committed.wait(WAIT), "the publisher did not commit"

    def publisher() -> Any:
        try:
            return _publish(draft)()
        finally:
            publisher_committed.set()

    def scheduler() -> Any:
        assert publisher_checked.wait(WAIT), "the publisher did not check its move"
        return _schedule(draft)()

    monkeypatch.setattr(services, "check_move", check)
    monkeypatch.setattr(services, "post_lock", lambda pk: BlogPost.objects.get(pk=pk))
    # when
    outcomes = race([publisher, scheduler], tenant=golf)
    # then: both were told they succeeded, and the post is hidden again
    assert all(isinstance(o, BlogPost) for o in outcomes), outcomes
    assert [o.status for o in outcomes] == ["published", "scheduled"]
    assert _stored(golf, draft) == "scheduled"


def _unpublish(post: BlogPost) -> Callable[[], Any]:
    return lambda: services.post_unpublish(actor=site_admin(), post=post)


def test_the_publish_job_skips_a_due_post_an_admin_is_unpublishing(
    golf: Tenant, due_soon: BlogPost, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given: the admin holds the post's lock until the job has run, two hours on
    admin_locked, job_done = threading.Event(), threading.Event()
    real = services.check_move

    def check(post: BlogPost, to: str) -> None:
        real(post, to)
        admin_locked.set()
        assert job_done.wait(WAIT), "the job did not finish"

    def job() -> Any:
        assert admin_locked.wait(WAIT), "the admin did not lock the post"
        try:
            return services.posts_publish_due()
        finally:
            job_done.set()

    monkeypatch.setattr(services, "check_move", check)
    # when
    with at(timezone.now() + timedelta(hours=2)):
        outcomes = race([_unpublish(due_soon), job], tenant=golf)
    # then: the job left it to the admin; it is a draft
    assert outcomes[1] == [], outcomes
    assert isinstance(outcomes[0], BlogPost) and outcomes[0].status == "draft", outcomes
    assert _stored(golf, due_soon) == "draft"


def test_without_skipping_locked_posts_the_job_crashes_on_the_post_just_unpublished(
    golf: Tenant, due_soon: BlogPost, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given: the job's read of the due posts made plain; it reads before the admin commits and
    # writes after
    job_read, admin_committed = threading.Event(), threading.Event()
    real = services.check_move

    def check(post: BlogPost, to: str) -> None:
        real(post, to)
        assert job_read.wait(WAIT), "the job did not read"

    def unlocked_due(now: Any) -> list[int]:
        ids = list(BlogPost.objects.filter(status="scheduled", publish_at__lte=now).values_list("pk", flat=True))
        job_read.set()
        assert admin_committed.wait(WAIT), "the admin did not commit"
        return ids

    def admin() -> Any:
        try:
            return _unpublish(due_soon)()
        finally:
            admin_committed.set()

    monkeypatch.setattr(services, "check_move", check)
    monkeypatch.setattr(services, "due_posts_lock", unlocked_due)
    # when
    with at(timezone.now() + timedelta(hours=2)):
        outcomes = race([admin, services.posts_publish_due], tenant=golf)
    # then: the admin's unpublish stands, and the job's run crashes on the database's constraint
    assert isinstance(outcomes[0], BlogPost) and outcomes[0].status == "draft", outcomes
    assert isinstance(outcomes[1], IntegrityError), outcomes
    assert _stored(golf, due_soon) == "draft"
