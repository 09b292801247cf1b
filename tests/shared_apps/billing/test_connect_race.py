"""Two admins starting Stripe Connect onboarding at the same moment make one Stripe account
(committed rows, threads with their own connections: tests/concurrency.py).

Under ``locks.account_lock`` the second waits for the first's commit, then finds the account id
stored and only asks for a link: one ``POST /v1/accounts``. Without the lock (the negative control,
the racers meeting at a barrier after their read) both read no account and both create one: two
calls (Stripe's idempotency key would hand both the same account, but the site would still have
asked twice and, with a key that ever changed, kept whichever id committed last). Stripe's answers
are recorded responses (``tests/stripe_connect.py``). The billing account is put back afterwards.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
import responses
from pytest_django import Settings

from shared_apps.billing import connect
from shared_apps.billing.locks import account_lock
from shared_apps.billing.models import BillingAccount
from shared_apps.tenancy.models import Tenant
from tests.concurrency import after_read, in_thread, race
from tests.stripe_connect import API, fixture, recorded_stripe

CONNECT_FIELDS = ("connect_account_id", "connect_charges_enabled", "connect_details_submitted")


@pytest.fixture
def stripe_api(settings: Settings) -> Iterator[responses.RequestsMock]:
    yield from recorded_stripe(settings)


@pytest.fixture
def committed_account(alpha: Tenant) -> Iterator[int]:
    """alpha's billing account committed without a Connect account; put back as it was afterwards."""

    def prepare() -> tuple[bool, dict[str, Any]]:
        account, created = BillingAccount.objects.get_or_create(tenant_id=alpha.pk)
        before = {field: getattr(account, field) for field in CONNECT_FIELDS}
        BillingAccount.objects.filter(pk=account.pk).update(
            connect_account_id="", connect_charges_enabled=False, connect_details_submitted=False
        )
        return created, before

    created, before = in_thread(prepare)

    def restore() -> None:
        if created:
            BillingAccount.objects.filter(tenant_id=alpha.pk).delete()
        else:
            BillingAccount.objects.filter(tenant_id=alpha.pk).update(**before)

    try:
        yield alpha.pk
    finally:
        in_thread(restore)


def _lock(*, locking: bool) -> Callable[[int], BillingAccount]:
    pause = after_read(locking=locking)

    def take(tenant_id: int) -> BillingAccount:
        account = account_lock(tenant_id) if locking else BillingAccount.objects.get(tenant_id=tenant_id)
        pause()
        return account

    return take


@pytest.mark.parametrize("locking", [True, False], ids=["with-lock", "negative-control-without-lock"])
def test_two_admins_starting_onboarding_at_once_create_one_stripe_account(
    alpha: Tenant,
    committed_account: int,
    stripe_api: responses.RequestsMock,
    monkeypatch: pytest.MonkeyPatch,
    locking: bool,
) -> None:
    # given
    stripe_api.add(responses.POST, f"{API}/v1/accounts", json=fixture("account"))
    stripe_api.add(responses.POST, f"{API}/v1/account_links", json=fixture("account_link"))
    monkeypatch.setattr(connect, "account_lock", _lock(locking=locking))
    # when
    results = race([lambda: connect.connect_onboarding_start(tenant=alpha, actor=None)] * 2)
    # then
    assert results == [fixture("account_link")["url"]] * 2
    creates = [call for call in stripe_api.calls if call.request.url == f"{API}/v1/accounts"]
    assert len(creates) == (1 if locking else 2)
    stored = in_thread(lambda: BillingAccount.objects.get(tenant_id=alpha.pk).connect_account_id)
    assert stored == "acct_1QconnectAlpha01"
