"""Two sites verifying one name at the same moment, and one site adding two names at once with
one slot left under its cap (committed rows, threads with their own connections:
tests/concurrency.py).

The cap (the plan's ``custom_domains``, here ``CUSTOM_DOMAINS_MAX`` as alpha has no plan; counted by
``shared_apps.billing.limits`` through ``selectors.custom_domain_names``): under ``locks.tenant_lock``
the second add waits for the first's commit, then counts two domains and is refused (403
``plan_limit_reached``); without it both count one and both are added, three under a cap of two.

The name:

alpha and beta both added ``race.example.com`` (pending, allowed) and both tokens are published.
Under ``locks.domain_name_lock`` B waits for A's commit, then finds the name held by alpha: 409
``domain_taken``. Without the lock (the negative control) both see the name free, and B's
routing row then runs into the unique index alpha's just took: an ``IntegrityError``, which a
client would see as a 500.

The interleaving is staged with events, not pauses: A reads who holds the name and waits for B
to have read it too. Under the lock B cannot read until A commits, so A's wait runs out (``WAIT``
seconds) and A goes on alone; without it B reads at once. Everything is removed afterwards.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.db import IntegrityError, connections

from saas.errors import Conflict, PermissionDenied
from shared_apps.tenancy import locks, selectors
from shared_apps.tenancy.domains import challenge_name, custom_domain_add, custom_domain_verify
from shared_apps.tenancy.models import CustomDomain, Domain, Tenant
from tests.concurrency import TIMEOUT, in_thread
from tests.dns_stub import DnsStub

NAME = "race.example.com"
#: How long A waits for B's read (reached only under the lock, where B cannot read yet).
WAIT = 1.0


def _remove() -> None:
    CustomDomain.objects.filter(domain=NAME).delete()
    Domain.objects.filter(domain=NAME).delete()


@pytest.fixture
def pending_twice(alpha: Tenant, beta: Tenant, dns_stub: DnsStub) -> Iterator[dict[str, CustomDomain]]:
    """alpha's and beta's pending ``NAME``, committed, both tokens published; removed afterwards."""
    in_thread(_remove)

    def make() -> dict[str, CustomDomain]:
        return {t.schema_name: custom_domain_add(tenant=t, domain=NAME) for t in (alpha, beta)}

    made: dict[str, CustomDomain] = in_thread(make)
    dns_stub.set_txt(challenge_name(NAME), *(c.verification_token for c in made.values()))
    try:
        yield made
    finally:
        in_thread(_remove)


def _staged(a_read: threading.Event, b_read: threading.Event) -> Callable[..., Any]:
    read = selectors.domain_holder

    def staged_read(*, name: str) -> CustomDomain | None:
        holder = read(name=name)
        if threading.current_thread().name == "A":
            a_read.set()
            b_read.wait(WAIT)
        else:
            b_read.set()
        return holder

    return staged_read


def _verify_a_then_b(alpha: Tenant, beta: Tenant, made: dict[str, CustomDomain], a_read: threading.Event) -> list[Any]:
    results: list[Any] = [None, None]

    def verify(index: int, tenant: Tenant) -> None:
        try:
            results[index] = custom_domain_verify(tenant=tenant, domain_id=made[tenant.schema_name].pk)
        except Exception as exc:  # recorded for the assertions
            results[index] = exc
        finally:
            connections.close_all()

    a = threading.Thread(target=verify, args=(0, alpha), name="A")
    b = threading.Thread(target=verify, args=(1, beta), name="B")
    a.start()
    assert a_read.wait(TIMEOUT), "A never read the holder"
    b.start()
    for thread in (a, b):
        thread.join(TIMEOUT)
    assert not a.is_alive() and not b.is_alive(), "a racing thread hung"
    return results


def _routes_to() -> list[str]:
    def read() -> list[str]:
        return list(Domain.objects.filter(domain=NAME).values_list("tenant__schema_name", flat=True))

    return list(in_thread(read))


def test_two_sites_verifying_one_name_at_once_one_gets_it_the_other_409(
    alpha: Tenant, beta: Tenant, pending_twice: dict[str, CustomDomain], monkeypatch: pytest.MonkeyPatch
) -> None:
    # given: A holding the name while B asks for it
    a_read, b_read = threading.Event(), threading.Event()
    monkeypatch.setattr(selectors, "domain_holder", _staged(a_read, b_read))
    # when
    results = _verify_a_then_b(alpha, beta, pending_twice, a_read)
    # then: alpha's verified, beta refused with domain_taken; the name routes to alpha only
    assert isinstance(results[0], CustomDomain) and results[0].status == "verified", results
    assert isinstance(results[1], Conflict) and results[1].code == "domain_taken", results
    assert _routes_to() == ["alpha"]


def test_without_the_name_lock_the_second_verification_fails_on_the_unique_index(
    alpha: Tenant, beta: Tenant, pending_twice: dict[str, CustomDomain], monkeypatch: pytest.MonkeyPatch
) -> None:
    # given: the name lock taken away, the same staging
    a_read, b_read = threading.Event(), threading.Event()
    monkeypatch.setattr(selectors, "domain_holder", _staged(a_read, b_read))
    monkeypatch.setattr(locks, "domain_name_lock", lambda name: None)
    # when
    results = _verify_a_then_b(alpha, beta, pending_twice, a_read)
    # then: both read the name free; the second write hits the index: a server error, not a 409
    assert sum(isinstance(r, CustomDomain) for r in results) == 1, results
    assert sum(isinstance(r, IntegrityError) for r in results) == 1, results
    assert len(_routes_to()) == 1


# --------------------------------------------------------------------------------------------
# The cap: two domains added at once when one slot is left
# --------------------------------------------------------------------------------------------


def _remove_capped() -> None:
    CustomDomain.objects.filter(domain__endswith=".cap.example.com").delete()


@pytest.fixture
def one_slot_left(alpha: Tenant, settings: Any) -> Iterator[Tenant]:
    """alpha holding one committed domain under a cap of 2; removed afterwards."""
    settings.CUSTOM_DOMAINS_MAX = 2
    in_thread(_remove_capped)
    in_thread(lambda: custom_domain_add(tenant=alpha, domain="first.cap.example.com"))
    try:
        yield alpha
    finally:
        in_thread(_remove_capped)


def _staged_names(a_read: threading.Event, b_read: threading.Event) -> Callable[..., Any]:
    read = selectors.custom_domain_names

    def staged_read(*, tenant: Tenant) -> list[str]:
        names = read(tenant=tenant)
        if threading.current_thread().name == "A":
            a_read.set()
            b_read.wait(WAIT)
        else:
            b_read.set()
        return names

    return staged_read


def _add_a_then_b(alpha: Tenant, a_read: threading.Event) -> list[Any]:
    results: list[Any] = [None, None]

    def run(index: int, name: str) -> None:
        try:
            results[index] = custom_domain_add(tenant=alpha, domain=name)
        except Exception as exc:  # recorded for the assertions
            results[index] = exc
        finally:
            connections.close_all()

    a = threading.Thread(target=run, args=(0, "a.cap.example.com"), name="A")
    b = threading.Thread(target=run, args=(1, "b.cap.example.com"), name="B")
    a.start()
    assert a_read.wait(TIMEOUT), "A never read the names"
    b.start()
    for thread in (a, b):
        thread.join(TIMEOUT)
    assert not a.is_alive() and not b.is_alive(), "a racing thread hung"
    return results


def _count(alpha: Tenant) -> int:
    return int(in_thread(lambda: CustomDomain.objects.filter(tenant=alpha).count()))


def test_two_domains_added_at_once_with_one_slot_left_one_is_refused(
    one_slot_left: Tenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    a_read, b_read = threading.Event(), threading.Event()
    monkeypatch.setattr(selectors, "custom_domain_names", _staged_names(a_read, b_read))
    # when
    results = _add_a_then_b(one_slot_left, a_read)
    # then
    assert isinstance(results[0], CustomDomain), results
    assert isinstance(results[1], PermissionDenied) and results[1].code == "plan_limit_reached", results
    assert _count(one_slot_left) == 2


def test_without_the_tenant_lock_both_are_added_past_the_cap(
    one_slot_left: Tenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    a_read, b_read = threading.Event(), threading.Event()
    monkeypatch.setattr(selectors, "custom_domain_names", _staged_names(a_read, b_read))
    monkeypatch.setattr(locks, "tenant_lock", lambda pk: None)
    # when
    results = _add_a_then_b(one_slot_left, a_read)
    # then: the negative control: both read one domain, both added: three under a cap of two
    assert all(isinstance(r, CustomDomain) for r in results), results
    assert _count(one_slot_left) == 3
