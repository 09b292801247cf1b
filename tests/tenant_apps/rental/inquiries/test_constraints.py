"""The database keeps an inquiry's agent in step with its status, whatever writes it: a new inquiry
has no agent, one being worked has one, a closed one may have none (an admin closed it unassigned)."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from tenant_apps.rental.inquiries.models import Inquiry
from tests.tenant_apps.rental.conftest import Rental
from tests.tenant_apps.rental.inquiries.conftest import in_rental


@pytest.mark.parametrize(
    ("status", "with_agent", "allowed"),
    [
        ("new", False, True),
        ("new", True, False),
        ("assigned", False, False),
        ("in_progress", False, False),
        ("resolved", False, False),
        ("assigned", True, True),
        ("closed", False, True),
        ("closed", True, True),
    ],
)
def test_the_agent_matches_the_status(rental: Rental, status: str, with_agent: bool, allowed: bool) -> None:
    def write() -> None:
        Inquiry.objects.create(
            subject="x",
            message="y",
            email="v@example.test",
            status=status,
            assigned_to=rental.cora if with_agent else None,
        )

    def attempt() -> None:
        if allowed:
            write()
        else:
            with pytest.raises(IntegrityError), transaction.atomic():
                write()

    in_rental(rental, attempt)
