"""Locust scenarios of the load suite (``bench/load/run.py`` starts the server and runs them).

Each user class is one scenario, run on its own for a fixed time so scenarios can be compared:

* ``PlatformProfile`` / ``TenantProfile``: the same view (``GET /api/v1/auth/user/``, an
  authenticated read of one row) on the platform host and on the tenants' hosts. Their ratio is
  the price of tenant routing.
* ``<Kind>Browse``: what a signed-in visitor of that kind reads (the site, the kind's own lists,
  tickets, notifications, invoices, the wallet).
* ``Login``: password logins spread over every tenant.
* ``<Kind>Write``: a ticket opened, answered by the customer, notifications marked read.

Tenants, users and their access tokens come from the JSON file named by ``LOAD_FIXTURE``, written
by ``run.py``. Requests go to the server address Locust is given (``--host``) with the tenant's
``Host`` header, as a load balancer in front of the pods would send them.
"""

from __future__ import annotations

import json
import os
import random
from pathlib import Path
from typing import Any, ClassVar

from locust import FastHttpUser, events, task

_FIXTURE: dict[str, Any] = json.loads(Path(os.environ["LOAD_FIXTURE"]).read_text(encoding="utf-8"))

#: The lists a signed-in customer of each kind reads, beyond the shared ones.
KIND_LISTS: dict[str, tuple[str, ...]] = {
    "school": ("/api/v1/bootcamps/", "/api/v1/courses/", "/api/v1/products/"),
    "store": (),
    "writing": (),
    "rental": (),
}
SHARED_LISTS = ("/api/v1/tickets/", "/api/v1/notifications/", "/api/v1/invoices/", "/api/v1/wallet/")


#: Responses by status class, written to ``LOAD_STATUS_FILE`` when Locust quits.
_status_classes: dict[str, int] = {}


@events.request.add_listener
def _count_status(response: Any = None, **_: Any) -> None:
    status = getattr(response, "status_code", 0) or 0
    key = f"{status // 100}xx" if status else "no_response"
    _status_classes[key] = _status_classes.get(key, 0) + 1


@events.quitting.add_listener
def _write_status(**_: Any) -> None:
    if path := os.environ.get("LOAD_STATUS_FILE"):
        with open(path, "w", encoding="utf-8") as handle:
            json.dump(_status_classes, handle)


def _tenants(kind: str | None = None) -> list[dict[str, Any]]:
    return [t for t in _FIXTURE["tenants"] if kind is None or t["kind"] == kind]


class _SiteUser(FastHttpUser):
    """A client of one site, chosen at random among the fixture's tenants of ``kind`` (all kinds when
    ``None``), signed in as that site's first role (the customer)."""

    abstract = True
    kind: ClassVar[str | None] = None

    def on_start(self) -> None:
        self.site = random.choice(_tenants(self.kind))
        self.headers = {"Host": self.site["host"], "Authorization": f"Bearer {self.site['customer_token']}"}

    def get(self, path: str, name: str | None = None) -> None:
        self.client.get(path, headers=self.headers, name=name or path)


class PlatformProfile(FastHttpUser):
    """Staff reading their own profile on the platform host."""

    @task
    def profile(self) -> None:
        platform = _FIXTURE["platform"]
        headers = {"Host": platform["host"], "Authorization": f"Bearer {platform['staff_token']}"}
        self.client.get("/api/v1/auth/user/", headers=headers, name="/api/v1/auth/user/")


class TenantProfile(_SiteUser):
    """A customer reading their own profile on their site's host (any kind)."""

    @task
    def profile(self) -> None:
        self.site = random.choice(_tenants())  # spread over every tenant, as real traffic is
        headers = {"Host": self.site["host"], "Authorization": f"Bearer {self.site['customer_token']}"}
        self.client.get("/api/v1/auth/user/", headers=headers, name="/api/v1/auth/user/")


class Login(FastHttpUser):
    """Password logins on random sites."""

    @task
    def login(self) -> None:
        site = random.choice(_tenants())
        self.client.post(
            "/api/v1/auth/login/",
            json={"email": site["customer_email"], "password": _FIXTURE["password"]},
            headers={"Host": site["host"]},
            name="/api/v1/auth/login/",
        )


class _Browse(_SiteUser):
    abstract = True

    @task
    def browse(self) -> None:
        self.get("/api/v1/site/")
        for path in (*KIND_LISTS[str(self.kind)], *SHARED_LISTS):
            self.get(path)


class _Write(_SiteUser):
    abstract = True

    @task
    def write(self) -> None:
        response = self.client.post(
            "/api/v1/tickets/",
            json={"subject": "Load test", "body": "Opened by the load suite."},
            headers=self.headers,
            name="/api/v1/tickets/ [POST]",
        )
        if response.status_code == 201:
            ticket = response.json()["id"]
            self.client.post(
                f"/api/v1/tickets/{ticket}/messages/",
                json={"body": "More details."},
                headers=self.headers,
                name="/api/v1/tickets/{id}/messages/ [POST]",
            )
        read_all = "/api/v1/notifications/read-all/"
        self.client.post(read_all, headers=self.headers, name=read_all)


class SchoolBrowse(_Browse):
    kind = "school"


class StoreBrowse(_Browse):
    kind = "store"


class WritingBrowse(_Browse):
    kind = "writing"


class RentalBrowse(_Browse):
    kind = "rental"


class SchoolWrite(_Write):
    kind = "school"


class StoreWrite(_Write):
    kind = "store"


class WritingWrite(_Write):
    kind = "writing"


class RentalWrite(_Write):
    kind = "rental"
