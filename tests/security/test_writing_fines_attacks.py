"""Attacks on the writing fines app: another writer's fine (IDOR), another site's ids (golf's on
hotel), mass assignment of a fine's status, amounts and people and of an appeal's decision, and
bodies of the wrong shape.

The site is ``golf`` with the people of ``make_writing``. The victim: will's fine, whose reason
carries ``SECRET``. Attackers: client ``cleo``, writer ``wren`` (not its writer), editor ``eddie``
and anonymous (``sue``, support, may read every fine). Reading answers exactly as a nonexistent id
does, never the secret; nothing changes.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django_tenants.utils import tenant_context

from shared_apps.tenancy.models import Tenant
from tenant_apps.writing.fines.models import Fine, FineAppeal
from tests.api import error_code
from tests.factories import FineFactory
from tests.fixture_types import ClientFor, Login
from tests.tenant_apps.writing.conftest import Writing, make_writing

SECRET = "golf-fine-secret-5e1d"
MISSING_INT = 987_654_321
ATTACKERS: list[str | None] = ["cleo", "wren", "eddie", None]
FINES = "/api/v1/fines/"

#: (method, path with {fine}, body): every endpoint taking a fine's id.
ENDPOINTS: list[tuple[str, str, dict[str, Any] | None]] = [
    ("get", "/api/v1/fines/{fine}/", None),
    ("post", "/api/v1/fines/{fine}/appeal/", {"explanation": "x"}),
    ("post", "/api/v1/fines/{fine}/accept/", {}),
    ("post", "/api/v1/fines/{fine}/reject/", {"note": "x"}),
]


@pytest.fixture
def writing(golf: Tenant, client_for: ClientFor, login: Login) -> Writing:
    return make_writing(golf, client_for, login)


@pytest.fixture
def victim(writing: Writing) -> Fine:
    with tenant_context(writing.tenant):
        return FineFactory(writer=writing.will, reason=f"Plagiarism {SECRET}", appealed=True)


def _unchanged(writing: Writing, fine: Fine) -> None:
    with tenant_context(writing.tenant):
        found = Fine.objects.get(pk=fine.pk)
        assert (found.status, found.amount, found.writer_id) == (fine.status, fine.amount, fine.writer_id)
        assert FineAppeal.objects.get(fine=found).status == "pending"


@pytest.mark.parametrize("who", ATTACKERS)
@pytest.mark.parametrize(("method", "path", "body"), ENDPOINTS)
def test_another_writers_fine_answers_like_a_missing_one(
    writing: Writing, victim: Fine, who: str | None, method: str, path: str, body: dict[str, Any] | None
) -> None:
    client = writing.client(who)

    def send(pk: int) -> Any:
        url = path.format(fine=pk)
        return getattr(client, method)(url, body, format="json") if body is not None else client.get(url)

    real, missing = send(victim.pk), send(MISSING_INT)
    assert real.status_code == missing.status_code, real.content
    assert error_code(real) == error_code(missing)
    assert SECRET not in real.content.decode()
    _unchanged(writing, victim)


def test_golfs_fine_ids_answer_not_found_on_hotel(
    writing: Writing, victim: Fine, hotel: Tenant, client_for: ClientFor, login: Login
) -> None:
    other = make_writing(hotel, client_for, login)
    for method, path, body in ENDPOINTS:
        for who in ("admin", "will"):
            url = path.format(fine=victim.pk)
            client = other.client(who)
            response = getattr(client, method)(url, body, format="json") if body is not None else client.get(url)
            assert response.status_code in (403, 404), (who, url, response.content)
            assert SECRET not in response.content.decode()
    _unchanged(writing, victim)


def test_an_issue_body_cannot_set_the_status_the_deduction_or_the_issuer(writing: Writing) -> None:
    body = {
        "writer": writing.wren.pk,
        "amount": "4.00",
        "reason": "Plagiarism.",
        "status": "reversed",
        "deducted": "4.00",
        "currency": "EUR",
        "issued_by": writing.wren.pk,
        "kind": "late_delivery",
        "rule_key": "late:1",
        "hours_late": 99,
    }
    response = writing.client("admin").post(FINES, body, format="json")
    assert response.status_code == 201, response.content
    with tenant_context(writing.tenant):
        fine = Fine.objects.get(pk=response.json()["id"])
        assert (fine.status, fine.deducted, fine.currency) == ("outstanding", Decimal("0.00"), "USD")
        assert (fine.issued_by_id, fine.kind, fine.rule_key, fine.hours_late) == (writing.admin.pk, "manual", "", None)


def test_an_appeal_body_cannot_decide_it(writing: Writing) -> None:
    with tenant_context(writing.tenant):
        fine = FineFactory(writer=writing.wren)
    body = {"explanation": "Not me.", "status": "accepted", "decided_by": writing.wren.pk, "note": "ok"}
    response = writing.client("wren").post(f"{FINES}{fine.pk}/appeal/", body, format="json")
    assert response.status_code == 201, response.content
    with tenant_context(writing.tenant):
        appeal = FineAppeal.objects.get(fine=fine)
        assert (appeal.status, appeal.decided_by_id, appeal.note) == ("pending", None, "")
        assert Fine.objects.get(pk=fine.pk).status == "outstanding"


@pytest.mark.parametrize(
    "body",
    [
        {"writer": "wren", "amount": "1.00", "reason": "x"},
        {"writer": 1, "amount": "1e309", "reason": "x"},
        {"writer": 1, "amount": "1.00", "reason": 5},
        {"writer": 1, "amount": "1.00", "reason": "x", "order": "WO-1"},
        {"writer": [1], "amount": "1.00", "reason": "x"},
        {"writer": 1, "amount": "1.001", "reason": "x"},
        {"writer": 1, "amount": "99999999999.00", "reason": "x"},
    ],
)
def test_bodies_of_the_wrong_shape_answer_400(writing: Writing, body: dict[str, Any]) -> None:
    response = writing.client("admin").post(FINES, body, format="json")
    assert response.status_code == 400, response.content
    error_code(response)
