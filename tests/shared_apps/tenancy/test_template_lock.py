"""Migrations of one template are serialised across processes by an advisory lock."""

from __future__ import annotations

import threading

from shared_apps.tenancy.models import Tenant
from shared_apps.tenancy.templates import template_lock
from tests.concurrency import in_thread


def test_a_second_process_waits_for_the_first_to_finish_with_a_template(
    session_tenants: dict[str, Tenant], db: None
) -> None:
    # given: one "process" holds school's template lock
    holding, release, order = threading.Event(), threading.Event(), []

    def first() -> None:
        with template_lock("school"):
            order.append("first in")
            holding.set()
            release.wait(30)
            order.append("first out")

    def second() -> None:
        holding.wait(30)
        with template_lock("school"):
            order.append("second in")

    def other_kind() -> None:
        holding.wait(30)
        with template_lock("store"):  # another kind's template is not blocked
            order.append("store in")

    threads = [threading.Thread(target=lambda f=f: in_thread(f)) for f in (first, second, other_kind)]
    for thread in threads:
        thread.start()
    holding.wait(30)
    threads[2].join(30)
    # when the first one finishes
    assert "second in" not in order
    release.set()
    for thread in threads:
        thread.join(30)
    # then the second got in only after it
    assert order.index("second in") > order.index("first out")
    assert order.index("store in") < order.index("first out")
