"""The writing demo (``make run`` seeds ``writing.localhost`` with it): every state a visitor should see."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.conf import settings
from django_tenants.utils import tenant_context

from shared_apps.tenancy.models import Tenant
from tenant_apps.wallet.models import LedgerEntry, LedgerEntryKind
from tenant_apps.writing.demo import BEFORE_ORDERS, PART_TWO, seed_demo
from tenant_apps.writing.files.models import OrderFile
from tenant_apps.writing.messages.models import OrderMessage
from tenant_apps.writing.orders.models import Order, OrderStatus
from tenant_apps.writing.wallets.models import PayoutRequest
from tenant_apps.writing.writers.models import WriterProfile
from tests.fixture_types import MakeUser


def test_the_writing_demo_shows_every_state_and_a_second_run_adds_nothing(golf: Tenant, make_user: MakeUser) -> None:
    # given the per-role users setup_demo makes
    for role in ("client", "writer", "editor", "support"):
        make_user(golf, f"{role}@golf.{settings.PLATFORM_DOMAIN}", roles=[role])
    with tenant_context(golf):
        # when it runs twice
        first = seed_demo(password="demo-pass-1234")
        counts = _counts()
        second = seed_demo(password="demo-pass-1234")
        # then the second run changed nothing
        assert _counts() == counts
        assert first == second
        # orders in every status, one of them late, by two clients, with three writers
        assert set(Order.objects.values_list("status", flat=True)) == set(OrderStatus.values)
        assert [o.topic for o in Order.objects.all() if o.is_late] == ["A history of the printing press"]
        assert Order.objects.values("client").distinct().count() == 2
        assert Order.objects.exclude(writer=None).values("writer").distinct().count() == 3
        # wallets with a history: top-ups, payments, the writers' earnings
        kinds = set(LedgerEntry.objects.values_list("kind", flat=True))
        assert {LedgerEntryKind.TOP_UP, LedgerEntryKind.PAYMENT, LedgerEntryKind.EARNING} <= kinds
        # files at each step: briefs, drafts, finals; threads with one masked phone number
        assert set(OrderFile.objects.values_list("category", flat=True)) == {"attachment", "draft", "final"}
        assert not OrderFile.objects.filter(category="final", order__status="in_progress").exists()
        masked = OrderMessage.objects.filter(masked=True)
        assert masked.exists() and all("555" not in m.body for m in masked)
        # a payout paid, another waiting
        assert sorted(PayoutRequest.objects.values_list("status", flat=True)) == ["paid", "requested"]
        completed = Order.objects.filter(status=OrderStatus.COMPLETED)
        assert all(o.earning > 0 and o.rating for o in completed) and completed.count() >= 2  # fines add one
        # writers of three levels; the disputed order partly refunded to its client's wallet
        assert set(WriterProfile.objects.values_list("level__slug", flat=True)) >= {"advanced", "expert"}
        disputed = Order.objects.get(status=OrderStatus.DISPUTED)
        assert LedgerEntry.objects.filter(reference__startswith=f"order:{disputed.pk}:refund:", kind="refund").exists()
        # the growth features each have their demo rows (each app's test_demo checks which)
        for app in (*BEFORE_ORDERS, *PART_TWO):
            models = apps.get_app_config(f"writing_{app}").get_models()
            assert any(model._default_manager.exists() for model in models), app


def _counts() -> dict[str, Any]:
    return {
        "orders": Order.objects.count(),
        "ledger": LedgerEntry.objects.count(),
        "files": OrderFile.objects.count(),
        "messages": OrderMessage.objects.count(),
    }
