"""The referrals demo (``referrals/demo.py``): codes for the demo clients, client2 referred by
client, the reward landing when client2's order completes; a second run adds nothing."""

from __future__ import annotations

from typing import Any

from django_tenants.utils import tenant_context

from tenant_apps.writing.referrals.demo import seed
from tenant_apps.writing.referrals.models import Referral, ReferralCode
from tests.factories import UserFactory
from tests.tenant_apps.writing.conftest import Writing
from tests.tenant_apps.writing.orders.conftest import make_order
from tests.tenant_apps.writing.referrals.conftest import REWARD, balance


def _people(writing: Writing) -> dict[str, Any]:
    with tenant_context(writing.tenant):
        writer3 = UserFactory(roles=["writer"])
    return {
        "admin": writing.admin,
        "client": writing.cleo,
        "client2": writing.carl,
        "writer": writing.wren,
        "writer2": writing.will,
        "writer3": writer3,
        "editor": writing.eddie,
        "support": writing.sue,
    }


def _counts() -> tuple[int, int]:
    return ReferralCode.objects.count(), Referral.objects.count()


def test_the_demo_refers_client2_and_her_completed_order_lands_the_reward(writing: Writing) -> None:
    people = _people(writing)
    with tenant_context(writing.tenant):
        # when it runs twice
        seed(people)
        counts = _counts()
        seed(people)
        # then: two codes, one pending referral; the second run added nothing
        assert _counts() == counts == (2, 1)
        assert Referral.objects.get().referrer_id == writing.cleo.pk
    # and client2's order completing (the demo's orders come next) lands the reward
    make_order(writing, "completed", client=writing.carl)
    assert balance(writing, writing.cleo) == REWARD
    with tenant_context(writing.tenant):
        assert Referral.objects.get().status == "rewarded"
        seed(people)
        assert _counts() == (2, 1)


def test_the_demo_leaves_client2_unreferred_once_her_order_completed(writing: Writing) -> None:
    make_order(writing, "completed", client=writing.carl)
    with tenant_context(writing.tenant):
        seed(_people(writing))
        assert _counts() == (2, 0)
