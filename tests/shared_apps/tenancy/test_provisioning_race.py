"""Two requests provisioning the same slug at the same moment: one wins, the other gets 409."""

from __future__ import annotations

from saas.api.errors import ApplicationError
from saas.db.tenant import tenant_connection
from shared_apps.tenancy import services
from shared_apps.tenancy.models import Tenant
from tests.concurrency import in_thread, race


def test_concurrent_provisioning_of_one_slug_gives_one_tenant_and_one_conflict(
    session_tenants: dict[str, Tenant], db: None
) -> None:
    # given: two threads, each with its own database connection, committing for real
    def provision() -> Tenant:
        return services.tenant_provision(kind="rental", slug="race", name="Race", owner_email="o@race.test")

    try:
        # when
        results = race([provision, provision])
        # then
        winners = [r for r in results if isinstance(r, Tenant)]
        losers = [r for r in results if isinstance(r, ApplicationError)]
        assert len(winners) == 1, results
        assert len(losers) == 1, results
        assert (losers[0].code, losers[0].status_code) == ("slug_taken", 409)
    finally:
        # clean up the committed tenant from another connection (this test's is in a transaction)
        def drop() -> None:
            for tenant in Tenant.objects.filter(schema_name="race"):
                services.tenant_drop(tenant=tenant, confirm_slug="race")

        in_thread(drop)
        tenant_connection().set_schema_to_public()
