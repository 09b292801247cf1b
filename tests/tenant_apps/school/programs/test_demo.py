"""The demo data: programs of both types in every status, teachers, and students with
enrolments requested, approved with an unpaid invoice, and waitlisted; seeding twice changes
nothing."""

from __future__ import annotations

from django_tenants.utils import tenant_context

from shared_apps.tenancy.models import Tenant
from tests.conftest import PASSWORD
from tests.fixture_types import MakeUser


def test_seed_demo_makes_programs_in_every_status_and_enrolments_in_every_state(
    alpha: Tenant, make_user: MakeUser
) -> None:
    # given: the site's demo student exists already (setup_demo makes one user per role)
    from tenant_apps.school.programs.demo import seed_demo

    make_user(alpha, "student@alpha.localhost", roles=["student"])
    statuses = {"draft", "registration_open", "in_progress", "completed", "cancelled"}
    # when
    with tenant_context(alpha):
        made = seed_demo(password=PASSWORD)
    # then
    for kind in ("bootcamp", "course"):
        assert {p["status"] for p in made["programs"] if p["type"] == kind} == statuses
    assert all(p["teachers"] for p in made["programs"])
    states = {(e["status"], e["invoice_status"]) for e in made["enrolments"]}
    assert {("requested", None), ("approved", "unpaid"), ("waitlisted", None)} <= states
    assert "student@alpha.localhost" in {e["student"] for e in made["enrolments"]}
    assert {"teacher@alpha.localhost", "student2@alpha.localhost"} <= set(made["users"])


def test_seed_demo_twice_creates_nothing_new(alpha: Tenant) -> None:
    # given
    from tenant_apps.payments.models import Invoice
    from tenant_apps.school.programs.demo import seed_demo

    with tenant_context(alpha):
        first = seed_demo(password=PASSWORD)
        invoices = Invoice.objects.count()
        # when
        second = seed_demo(password=PASSWORD)
        # then
        assert second == first
        assert Invoice.objects.count() == invoices
