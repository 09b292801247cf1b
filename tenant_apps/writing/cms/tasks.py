"""Periodic work of the writing CMS app, run per site: ``CELERY_BEAT_SCHEDULE`` in
``saas/settings/base.py`` (``"kinds": ["writing"]``) sends it to every writing site.

Readers never wait for it: a scheduled post is public from its ``publish_at`` on
(``access.public_post_q``); the task only makes the stored status say ``published``.
"""

from __future__ import annotations

import logging

from celery import shared_task

from saas.db.tenant import current_kind, current_schema

logger = logging.getLogger(__name__)


@shared_task(acks_late=True)
def blog_posts_publish_due_task() -> list[int]:
    """Mark the current writing site's due scheduled posts published (``services.posts_publish_due``);
    returns their ids, ``[]`` in a site of another kind."""
    from tenant_apps.writing.kind import KIND

    if current_kind() != KIND.name:
        return []
    from tenant_apps.writing.cms.services import posts_publish_due

    done = posts_publish_due()
    if done:
        logger.info("published %d scheduled posts in %s", len(done), current_schema())
    return done
