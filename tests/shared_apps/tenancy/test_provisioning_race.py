"""Two requests provisioning the same slug at the same moment: one wins, the other gets 409."""

from __future__ import annotations

import threading

from django.db import connection, connections

from saas.api.errors import ApplicationError
from shared_apps.tenancy import services
from shared_apps.tenancy.models import Tenant


def _in_thread(target, results, index, barrier):
    try:
        barrier.wait(timeout=10)
        results[index] = target()
    except Exception as exc:  # recorded for the assertions
        results[index] = exc
    finally:
        connections.close_all()


def test_concurrent_provisioning_of_one_slug_gives_one_tenant_and_one_conflict(session_tenants, db):
    # given: two threads, each with its own database connection, committing for real
    barrier = threading.Barrier(2)
    results: list[object] = [None, None]

    def provision():
        return services.tenant_provision(kind="rental", slug="race", name="Race", owner_email="o@race.test")

    threads = [threading.Thread(target=_in_thread, args=(provision, results, i, barrier)) for i in range(2)]
    try:
        # when
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        # then
        winners = [r for r in results if isinstance(r, Tenant)]
        losers = [r for r in results if isinstance(r, ApplicationError)]
        assert len(winners) == 1, results
        assert len(losers) == 1, results
        assert (losers[0].code, losers[0].status_code) == ("slug_taken", 409)
    finally:
        # clean up the committed tenant from another connection (this test's is in a transaction)
        def drop():
            for tenant in Tenant.objects.filter(schema_name="race"):
                services.tenant_drop(tenant=tenant, confirm_slug="race")

        cleaner = threading.Thread(target=_in_thread, args=(drop, [None], 0, threading.Barrier(1)))
        cleaner.start()
        cleaner.join(timeout=60)
        connection.set_schema_to_public()
