"""Inquiries of a rental site and their messages, made by ``rental.inquiries.services``."""

from __future__ import annotations

from typing import Any

import factory

from tenant_apps.accounts.models import User
from tenant_apps.rental.inquiries.models import Inquiry, InquiryMessage, InquirySeverity, InquiryStatus
from tenant_apps.rental.inquiries.services import (
    inquiry_assign,
    inquiry_message_add,
    inquiry_open,
    inquiry_set_status,
)
from tenant_apps.rental.kind import CUSTOMER_SERVICE
from tests.factories.accounts import UserFactory
from tests.factories.base import ServiceFactory, site_admin

#: The statuses an inquiry walks through, in order, to reach each one (``closed``: after resolved).
_WALK = (InquiryStatus.IN_PROGRESS, InquiryStatus.RESOLVED, InquiryStatus.CLOSED)


class InquiryFactory(ServiceFactory[Inquiry]):
    """An inquiry opened by ``author`` (a guest by default; ``None`` with ``email``: a visitor)
    through ``inquiry_open``: the author's object permissions, the audit row, the queue notified,
    the acknowledgement e-mailed. ``property``/``booking``: instances the author may name.

    ``status`` is reached along the transition table: ``assigned`` (the site's admin assigns
    ``agent``, by default a new customer-service user), ``in_progress`` and ``resolved`` (the agent
    moves it), ``closed`` (the agent resolves, then the admin closes).

    Traits: ``visitor``, ``assigned``, ``in_progress``, ``resolved``, ``closed``, ``low``,
    ``high``, ``urgent`` (``medium`` is the default severity).
    """

    class Meta:
        model = Inquiry

    class Params:
        visitor = factory.Trait(author=None, email=factory.Sequence(lambda n: f"visitor{n}@example.test"))
        assigned = factory.Trait(status=InquiryStatus.ASSIGNED)
        in_progress = factory.Trait(status=InquiryStatus.IN_PROGRESS)
        resolved = factory.Trait(status=InquiryStatus.RESOLVED)
        closed = factory.Trait(status=InquiryStatus.CLOSED)
        low = factory.Trait(severity=InquirySeverity.LOW)
        high = factory.Trait(severity=InquirySeverity.HIGH)
        urgent = factory.Trait(severity=InquirySeverity.URGENT)

    author = factory.SubFactory(UserFactory)
    subject = factory.Sequence(lambda n: f"Question {n}")
    message = "Is the flat quiet at night?"
    severity = InquirySeverity.MEDIUM
    email = ""
    name = ""
    property: Any = None
    booking: Any = None
    agent: User | None = None
    status = InquiryStatus.NEW

    @classmethod
    def _create(cls, model_class: type[Inquiry], *args: Any, **kwargs: Any) -> Inquiry:
        status, agent = kwargs.pop("status"), kwargs.pop("agent")
        prop, booking = kwargs.pop("property"), kwargs.pop("booking")
        if status not in InquiryStatus.values:
            raise ValueError(f"InquiryFactory: unknown status {status!r}")
        inquiry = inquiry_open(
            property_id=prop.pk if prop is not None else None,
            booking_id=booking.pk if booking is not None else None,
            **kwargs,
        )
        if status == InquiryStatus.NEW:
            return inquiry
        admin = site_admin()
        if agent is None:
            agent = UserFactory(roles=[CUSTOMER_SERVICE])
        inquiry = inquiry_assign(actor=admin, inquiry_id=inquiry.pk, agent_id=agent.pk)
        for step in _WALK[: _WALK.index(status) + 1] if status in _WALK else ():
            actor = admin if step == InquiryStatus.CLOSED else agent
            inquiry = inquiry_set_status(actor=actor, inquiry_id=inquiry.pk, status=step)
        inquiry.refresh_from_db()
        return inquiry


class InquiryMessageFactory(ServiceFactory[InquiryMessage]):
    """A message by ``author`` (default: the inquiry's author) added by ``inquiry_message_add``:
    only the author, the assigned agent or an admin, never on a closed inquiry; the other side is
    told."""

    class Meta:
        model = InquiryMessage

    inquiry = factory.SubFactory(InquiryFactory)
    author = factory.SelfAttribute("inquiry.created_by")
    body = factory.Sequence(lambda n: f"Message {n}")

    @classmethod
    def _create(cls, model_class: type[InquiryMessage], *args: Any, **kwargs: Any) -> InquiryMessage:
        inquiry, author = kwargs.pop("inquiry"), kwargs.pop("author")
        return inquiry_message_add(actor=author, inquiry_id=inquiry.pk, **kwargs)
