"""Row locks of the writing CMS app: a blog post, taken alone (no other lock is taken with it).

Under it an admin's change of a post reads its status and its tags and categories and writes
them: publishing, unpublishing and scheduling check the move against the status they find, so two
admins at once (one publishing, one scheduling) cannot both pass against the same old status and
leave the post where neither saw it; two edits of a post's tags or categories apply one after the
other instead of merging. Tags a post names are inserted in slug order (``INSERT ... ON CONFLICT
DO NOTHING``): two posts naming the same new tags wait for each other in one order only.

Categories, tags and service pages need no lock: each edit changes one row and the unique
indexes (slugs) decide races. The beat job that marks due scheduled posts published
(``services.posts_publish_due``) locks them with ``SKIP LOCKED``: a post an admin is moving is
left to the admin.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from saas.errors import NotFound
from tenant_apps.writing.cms.models import BlogPost, PostStatus


def post_lock(pk: Any) -> BlogPost:
    """The post ``pk``, read again and locked until the transaction ends; ``NotFound`` (404) if it
    was deleted meanwhile."""
    post = BlogPost.objects.select_for_update(no_key=True, of=("self",)).filter(pk=pk).first()
    if post is None:
        raise NotFound("No such post.")
    return post


def due_posts_lock(now: datetime) -> list[int]:
    """Ids of the scheduled posts due at ``now``, locked until the transaction ends, by id; rows
    another transaction holds (an admin moving the post) are skipped, not waited for."""
    due = BlogPost.objects.filter(status=PostStatus.SCHEDULED, publish_at__lte=now).order_by("pk")
    return list(due.select_for_update(no_key=True, skip_locked=True).values_list("pk", flat=True))
