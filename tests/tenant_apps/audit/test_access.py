"""``audit/access.py``: the site's admins read the whole audit log, nobody else any of it."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django_tenants.utils import tenant_context

from shared_apps.tenancy.models import Tenant
from tenant_apps.accounts.models import User
from tenant_apps.audit.access import audit_entries_visible_to, can_read_audit_log
from tenant_apps.audit.services import audit_record
from tests.fixture_types import MakeUser


def test_admins_read_every_entry_and_nobody_else_reads_any(alpha: Tenant, make_user: MakeUser) -> None:
    # given: an entry about a support member, written by them
    member = make_user(alpha, "audit-access@alpha.test", roles=["support"])
    with tenant_context(alpha):
        admin = User.objects.get(email="admin@alpha.test")
        entry = audit_record(actor=member, verb="test.done", target=member)
        # when / then
        assert can_read_audit_log(admin) is True
        assert entry in audit_entries_visible_to(admin)
        for reader in (member, AnonymousUser(), None):
            assert can_read_audit_log(reader) is False
            assert not audit_entries_visible_to(reader).exists()
