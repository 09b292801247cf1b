"""Support tickets, their messages and attachments, made by ``tickets.services``."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import factory
from django.db import models

from tenant_apps.tickets.models import Ticket, TicketAttachment, TicketMessage, TicketPriority, TicketStatus
from tenant_apps.tickets.services import ticket_assign, ticket_close, ticket_create, ticket_reply
from tests.factories.accounts import UserFactory
from tests.factories.base import ServiceFactory, site_admin
from tests.factories.files import StoredFileFactory


class TicketFactory(ServiceFactory[Ticket]):
    """A ticket opened by ``created_by`` through ``ticket_create``: subject cleaned, the first message
    ``body`` (with ``attachment_ids``, files the creator uploaded), the creator's object permissions,
    the audit row, and support staff notified. ``target``: a model instance of a registered ticket
    target the creator may link (refused otherwise, as the API would).

    ``assignee``: assigned by the site's admin (``ticket_assign``). ``status``: ``answered`` (the
    admin, support staff on every kind, replies) or ``closed`` (the creator closes it).

    Traits: ``answered``, ``closed``.
    """

    class Meta:
        model = Ticket

    class Params:
        answered = factory.Trait(status=TicketStatus.ANSWERED)
        closed = factory.Trait(status=TicketStatus.CLOSED)

    created_by = factory.SubFactory(UserFactory)
    subject = factory.Sequence(lambda n: f"Question {n}")
    body = "Please help."
    priority = TicketPriority.NORMAL
    target: models.Model | None = None
    attachment_ids: Iterable[Any] = ()
    assignee = None
    status = TicketStatus.OPEN

    @classmethod
    def _create(cls, model_class: type[Ticket], *args: Any, **kwargs: Any) -> Ticket:
        target, assignee, status = kwargs.pop("target"), kwargs.pop("assignee"), kwargs.pop("status")
        if target is not None:
            kwargs.update(target_type=target._meta.label_lower, target_id=str(target.pk))
        ticket = ticket_create(**kwargs)
        if assignee is not None:
            ticket_assign(actor=site_admin(), ticket_id=ticket.pk, assignee_id=assignee.pk)
        if status == TicketStatus.ANSWERED:
            ticket_reply(actor=site_admin(), ticket_id=ticket.pk, body="We are looking into it.")
        elif status == TicketStatus.CLOSED:
            ticket_close(actor=ticket.created_by, ticket_id=ticket.pk)
        elif status != TicketStatus.OPEN:
            raise ValueError(f"TicketFactory: unknown status {status!r}")
        ticket.refresh_from_db()
        return ticket


class TicketMessageFactory(ServiceFactory[TicketMessage]):
    """A reply by ``author`` (default: the ticket's creator) added by ``ticket_reply``: only someone
    who may change the ticket, never on a closed one; the ticket's status moves and the other party
    is notified."""

    class Meta:
        model = TicketMessage

    ticket = factory.SubFactory(TicketFactory)
    author = factory.SelfAttribute("ticket.created_by")
    body = factory.Sequence(lambda n: f"Reply {n}")
    attachment_ids: Iterable[Any] = ()

    @classmethod
    def _create(cls, model_class: type[TicketMessage], *args: Any, **kwargs: Any) -> TicketMessage:
        ticket, author = kwargs.pop("ticket"), kwargs.pop("author")
        return ticket_reply(actor=author, ticket_id=ticket.pk, **kwargs)


class TicketAttachmentFactory(ServiceFactory[TicketAttachment]):
    """``file`` (default: a PDF ``author`` uploads) attached to a new reply of ``author`` (default: the
    ticket's creator) through ``ticket_reply``, which refuses a file the author did not upload."""

    class Meta:
        model = TicketAttachment

    ticket = factory.SubFactory(TicketFactory)
    author = factory.SelfAttribute("ticket.created_by")
    file = factory.SubFactory(StoredFileFactory, uploaded_by=factory.SelfAttribute("..author"))

    @classmethod
    def _create(
        cls, model_class: type[TicketAttachment], *, ticket: Ticket, author: Any, file: Any
    ) -> TicketAttachment:
        message = ticket_reply(actor=author, ticket_id=ticket.pk, body="", attachment_ids=[file.pk])
        return message.attachments.get()
