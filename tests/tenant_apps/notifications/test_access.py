"""``notifications/access.py``: a notification is its recipient's alone (admins included: not theirs)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django_tenants.utils import tenant_context

from saas.errors import NotFound
from shared_apps.tenancy.models import Tenant
from tenant_apps.accounts.models import User
from tenant_apps.notifications.access import access_notification, can_read_notification, notifications_visible_to
from tenant_apps.notifications.services import notify
from tests.fixture_types import MakeUser


def test_only_the_recipient_sees_a_notification(alpha: Tenant, make_user: MakeUser) -> None:
    # given: a notification to Ann
    ann = make_user(alpha, "notified-ann@alpha.test", roles=["student"])
    bob = make_user(alpha, "notified-bob@alpha.test", roles=["student"])
    with tenant_context(alpha):
        admin = User.objects.get(email="admin@alpha.test")
        notification = notify(recipient=ann, verb="test.done")
        # when / then: Ann sees and fetches it ...
        assert can_read_notification(ann, notification) is True
        assert list(notifications_visible_to(ann)) == [notification]
        assert access_notification(user=ann, pk=notification.pk) == notification
        # ... nobody else, the admin included, and an unknown id answers alike
        for other in (bob, admin, AnonymousUser()):
            assert can_read_notification(other, notification) is False
            assert notification not in notifications_visible_to(other)
            with pytest.raises(NotFound, match="Notification not found"):
                access_notification(user=other, pk=notification.pk)
        with pytest.raises(NotFound, match="Notification not found"):
            access_notification(user=ann, pk=notification.pk + 10**6)
