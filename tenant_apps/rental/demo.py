"""Demo data of a ``rental`` site for ``manage.py setup_demo`` (``make run``).

* **Amenities** (wifi, kitchen, pool, parking, air conditioning, washer) and the site's settings.
* **Hosts** ``host@`` (the demo's host) and ``host2@`` with six properties in four countries,
  each with a photo, one unpublished, one with nights blocked by its host.
* **Bookings in every state across the calendar**, by ``guest@`` and ``guest2@``: a stay that
  ended (``completed``, the host credited), one under way and two ahead (``confirmed``), one
  waiting for payment (``pending``), one whose hold ran out (``expired``) and two ``cancelled``
  (one while unpaid, one refunded under its policy). Confirmed stays are paid by an approved bank
  transfer (a card payment needs Stripe's webhook, which the walk-through shows).
* **Inquiries in every state and severity**, from guests and a visitor, some assigned to
  ``customer-service@``, with messages.

Past stays cannot be booked (a check-in in the past is refused), so the ended and current ones are
booked ahead and then moved back in time, as on a site that has run for months; the pending hold
that ran out is likewise moved back before the expiry runs. Every step is idempotent: a second
``make run`` keeps what the first one made. The e-mails the seeding would send (invoices, answers)
go to a local outbox: demo addresses are not mailboxes, and the console would print every PDF.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any
from unittest import mock

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone

from saas.db.tenant import current_schema

AMENITIES = ("Wifi", "Kitchen", "Pool", "Parking", "Air conditioning", "Washer")

PROPERTIES: list[dict[str, Any]] = [
    {
        "host": "host",
        "title": "Sunny loft in Alfama",
        "description": "A bright loft under the castle, five minutes from the river.",
        "address": "Rua de São Miguel 12",
        "city": "Lisbon",
        "country": "PT",
        "latitude": "38.711200",
        "longitude": "-9.129900",
        "nightly_price": "95.00",
        "cleaning_fee": "30.00",
        "max_guests": 3,
        "bedrooms": 1,
        "amenities": ["wifi", "kitchen", "washer"],
        "minimum_nights": 2,
        "cancellation_policy": "flexible",
    },
    {
        "host": "host",
        "title": "Riverside flat in Porto",
        "description": "Two bedrooms over the Douro, with a view of the bridges.",
        "address": "Cais da Ribeira 40",
        "city": "Porto",
        "country": "PT",
        "latitude": "41.140600",
        "longitude": "-8.612800",
        "nightly_price": "120.00",
        "cleaning_fee": "40.00",
        "max_guests": 4,
        "bedrooms": 2,
        "amenities": ["wifi", "kitchen", "air-conditioning"],
        "minimum_nights": 1,
        "cancellation_policy": "moderate",
    },
    {
        "host": "host",
        "title": "Villa with pool near Seville",
        "description": "A white villa among olive trees, with a pool and parking.",
        "address": "Camino de la Vega 3",
        "city": "Seville",
        "country": "ES",
        "latitude": "37.388600",
        "longitude": "-5.982300",
        "nightly_price": "260.00",
        "cleaning_fee": "80.00",
        "max_guests": 8,
        "bedrooms": 4,
        "amenities": ["wifi", "kitchen", "pool", "parking", "air-conditioning"],
        "minimum_nights": 3,
        "cancellation_policy": "strict",
    },
    {
        "host": "host2",
        "title": "Canal house in Amsterdam",
        "description": "A narrow 17th-century house on the Prinsengracht.",
        "address": "Prinsengracht 263",
        "city": "Amsterdam",
        "country": "NL",
        "latitude": "52.375200",
        "longitude": "4.883900",
        "nightly_price": "180.00",
        "cleaning_fee": "50.00",
        "max_guests": 4,
        "bedrooms": 2,
        "amenities": ["wifi", "kitchen", "washer"],
        "minimum_nights": 2,
        "cancellation_policy": "moderate",
    },
    {
        "host": "host2",
        "title": "Studio by the Canal Saint-Martin",
        "description": "A quiet studio for two in the 10th arrondissement.",
        "address": "Quai de Valmy 90",
        "city": "Paris",
        "country": "FR",
        "latitude": "48.872500",
        "longitude": "2.363900",
        "nightly_price": "110.00",
        "cleaning_fee": "25.00",
        "max_guests": 2,
        "bedrooms": 1,
        "amenities": ["wifi", "kitchen"],
        "minimum_nights": 1,
        "cancellation_policy": "flexible",
    },
    {
        "host": "host2",
        "title": "Chalet in Chamonix (opening soon)",
        "description": "Not listed yet: the host is finishing the photos.",
        "address": "Route des Praz 5",
        "city": "Chamonix",
        "country": "FR",
        "latitude": "45.936800",
        "longitude": "6.872800",
        "nightly_price": "300.00",
        "cleaning_fee": "90.00",
        "max_guests": 6,
        "bedrooms": 3,
        "amenities": ["wifi", "parking"],
        "minimum_nights": 3,
        "cancellation_policy": "strict",
        "status": "unpublished",
    },
]

INQUIRIES: list[dict[str, Any]] = [
    {
        "key": "wifi",
        "author": "guest",
        "subject": "Is the wifi fast enough for video calls?",
        "severity": "low",
        "status": "new",
        "property": "Sunny loft in Alfama",
    },
    {
        "key": "parking",
        "author": None,
        "email": "visitor@example.com",
        "name": "Vera Visitor",
        "subject": "Can I park a van at the villa?",
        "severity": "medium",
        "status": "new",
        "property": "Villa with pool near Seville",
    },
    {
        "key": "late",
        "author": "guest2",
        "subject": "We arrive after midnight",
        "severity": "medium",
        "status": "assigned",
        "property": "Riverside flat in Porto",
    },
    {
        "key": "heating",
        "author": "guest",
        "subject": "The heating does not work",
        "severity": "urgent",
        "status": "in_progress",
        "booking": "current",
        "answer": "A technician is on the way; he will call you.",
    },
    {
        "key": "refund",
        "author": "guest2",
        "subject": "When will my refund arrive?",
        "severity": "high",
        "status": "resolved",
        "booking": "refunded",
        "answer": "The refund was sent to your card today.",
    },
    {
        "key": "invoice",
        "author": "guest",
        "subject": "Please send the invoice again",
        "severity": "low",
        "status": "closed",
        "booking": "completed",
        "answer": "Sent again: it is attached to our e-mail.",
    },
]


def _email(local: str) -> str:
    return f"{local}@{current_schema()}.{settings.PLATFORM_DOMAIN}"


def _user(local: str, *, password: str, role: str, full_name: str) -> Any:
    """The demo user ``<local>@<site>``, created with ``role`` when missing."""
    from tenant_apps.accounts.models import User
    from tenant_apps.accounts.services import user_create

    return User.objects.filter(email=_email(local)).first() or user_create(
        email=_email(local), password=password, roles=[role], full_name=full_name
    )


def _png(title: str, n: int) -> SimpleUploadedFile:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (640, 420), ((n * 53) % 256, (n * 97) % 256, 200))
    ImageDraw.Draw(image).text((24, 24), title, fill=(255, 255, 255))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return SimpleUploadedFile(f"property-{n}.png", out.getvalue(), content_type="image/png")


def _properties(admin: Any, hosts: dict[str, Any]) -> dict[str, Any]:
    from tenant_apps.rental.properties.models import Amenity, Property
    from tenant_apps.rental.properties.services import (
        amenity_create,
        blocked_period_create,
        property_create,
        property_photo_add,
    )

    for name in AMENITIES:
        if not Amenity.objects.filter(name=name).exists():
            amenity_create(actor=admin, name=name)
    made: dict[str, Any] = {}
    for n, spec in enumerate(PROPERTIES, start=1):
        row = {k: v for k, v in spec.items() if k not in {"host", "amenities"}}
        host = hosts[spec["host"]]
        prop = Property.objects.filter(title=row["title"]).first()
        if prop is None:
            prop = property_create(
                actor=host,
                currency=settings.DEFAULT_CURRENCY,  # a host's share is credited to their wallet, in this currency
                amenities=list(Amenity.objects.filter(slug__in=spec["amenities"])),
                **row,
            )
            property_photo_add(actor=host, prop=prop, upload=_png(prop.title, n), caption=prop.title)
        made[prop.title] = prop
    villa = made["Villa with pool near Seville"]
    if not villa.blocked_periods.exists():
        start = timezone.localdate() + timedelta(days=40)
        blocked_period_create(
            actor=villa.host, prop=villa, start=start, end=start + timedelta(days=7), summary="Family"
        )
    return made


#: A minimal PDF: the "bank receipt" of the demo's transfers (the files policy sniffs its type).
RECEIPT_PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@contextmanager
def _as_of(moment: datetime) -> Iterator[None]:
    """Run the services as if it were ``moment``: how the demo books stays that are already over."""
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield


def _pay_by_transfer(booking: Any, approver: Any) -> None:
    """Pay ``booking``'s invoice by an approved bank transfer: ``invoice_paid`` confirms it."""
    from tenant_apps.files.services import file_store
    from tenant_apps.payments.services import payment_approve, payment_offline_submit

    invoice = booking.invoice
    receipt = file_store(
        upload=SimpleUploadedFile("demo-receipt.pdf", RECEIPT_PDF, "application/pdf"), uploaded_by=booking.guest
    )
    payment = payment_offline_submit(
        invoice=invoice,
        payer=booking.guest,
        amount=invoice.total - invoice.amount_paid,
        tracking_code=f"DEMO-{booking.number}",
        receipt=receipt,
    )
    payment_approve(payment=payment, actor=approver)


def _bookings(props: dict[str, Any], guests: dict[str, Any], admin: Any) -> dict[str, Any]:
    """The demo's bookings by key (see the module docstring); made once, when the site has none."""
    from tenant_apps.rental.bookings.models import Booking
    from tenant_apps.rental.bookings.services import booking_cancel, booking_complete, booking_create, booking_expire

    if Booking.objects.exists():
        return {}
    now, today = timezone.now(), timezone.localdate()

    def book(prop: str, guest: str, start_in: int, nights: int, *, booked_days_ago: int = 0) -> Any:
        moment = now - timedelta(days=booked_days_ago)
        with _as_of(moment):
            return booking_create(
                guest=guests[guest],
                property=props[prop],
                check_in=today + timedelta(days=start_in),
                check_out=today + timedelta(days=start_in + nights),
                guests=2,
            )

    made: dict[str, Any] = {}
    # a stay that ended last week: booked a month ago, paid, completed (the host is credited)
    made["completed"] = book("Riverside flat in Porto", "guest", -20, 4, booked_days_ago=30)
    with _as_of(now - timedelta(days=29)):
        _pay_by_transfer(made["completed"], admin)
    booking_complete(booking_id=made["completed"].pk)
    # a stay under way, and two ahead, paid
    made["current"] = book("Sunny loft in Alfama", "guest", -2, 5, booked_days_ago=10)
    with _as_of(now - timedelta(days=10)):
        _pay_by_transfer(made["current"], admin)
    made["confirmed"] = book("Canal house in Amsterdam", "guest2", 14, 4)
    _pay_by_transfer(made["confirmed"], admin)
    made["villa"] = book("Villa with pool near Seville", "guest", 60, 5)
    _pay_by_transfer(made["villa"], admin)
    # waiting for payment (its hold runs out unless paid: the walk-through pays one by card)
    made["pending"] = book("Studio by the Canal Saint-Martin", "guest", 21, 3)
    # a hold that ran out: booked two hours ago, expired now
    made["expired"] = book("Studio by the Canal Saint-Martin", "guest2", 30, 2)
    Booking.objects.filter(pk=made["expired"].pk).update(expires_at=now - timedelta(minutes=1))
    booking_expire(booking_id=made["expired"].pk)
    # cancelled while unpaid, and cancelled after paying (refunded in full: more than 5 days ahead)
    made["cancelled"] = book("Riverside flat in Porto", "guest2", 10, 2)
    booking_cancel(booking=made["cancelled"], actor=guests["guest2"], reason="Changed our plans.")
    made["refunded"] = book("Canal house in Amsterdam", "guest2", 40, 4)
    _pay_by_transfer(made["refunded"], admin)
    booking_cancel(booking=made["refunded"], actor=guests["guest2"], reason="A family emergency.")
    return {key: Booking.objects.get(pk=booking.pk) for key, booking in made.items()}


def _inquiries(props: dict[str, Any], bookings: dict[str, Any], people: dict[str, Any]) -> None:
    """The demo's inquiries, one per state and severity (made once, when the site has none)."""
    from tenant_apps.rental.inquiries.models import Inquiry
    from tenant_apps.rental.inquiries.services import (
        inquiry_assign,
        inquiry_message_add,
        inquiry_open,
        inquiry_set_status,
    )

    if Inquiry.objects.exists():
        return
    admin, agent = people["admin"], people["agent"]
    path = {"new": [], "assigned": [], "in_progress": ["in_progress"], "resolved": ["in_progress", "resolved"]}
    path["closed"] = [*path["resolved"], "closed"]
    for spec in INQUIRIES:
        booking = bookings.get(spec.get("booking", ""))
        prop = props.get(spec.get("property", ""))
        inquiry = inquiry_open(
            author=people[spec["author"]] if spec["author"] else None,
            email=spec.get("email", ""),
            name=spec.get("name", ""),
            subject=spec["subject"],
            message=f"{spec['subject']}. Thank you!",
            severity=spec["severity"],
            property_id=prop.pk if prop is not None and booking is None else None,
            booking_id=booking.pk if booking is not None else None,
        )
        if spec["status"] == "new":
            continue
        inquiry_assign(actor=admin, inquiry_id=inquiry.pk, agent_id=agent.pk)
        for step in path[spec["status"]]:
            inquiry_set_status(actor=agent, inquiry_id=inquiry.pk, status=step)
            if step == "in_progress" and spec.get("answer"):
                inquiry_message_add(actor=agent, inquiry_id=inquiry.pk, body=spec["answer"])


def seed_demo(*, password: str) -> dict[str, Any]:
    """Create (or find) the rental demo data in the current schema; see the module docstring.

    ``password``: of the demo users it creates (``host2@``, ``guest2@``); the per-role users
    (``guest@``, ``host@``, ``customer-service@``, ``admin@``) come from ``setup_demo``. Returns
    what exists afterwards, for printing.
    """
    from tenant_apps.accounts.models import User
    from tenant_apps.kinds import ADMIN
    from tenant_apps.rental.bookings.models import Booking
    from tenant_apps.rental.inquiries.models import Inquiry
    from tenant_apps.rental.kind import CUSTOMER_SERVICE, GUEST, HOST

    admin = User.objects.filter(groups__name=ADMIN, is_active=True).order_by("pk").first()
    if admin is None:
        raise RuntimeError("The rental demo needs an active admin (the site owner).")
    people = {
        "admin": admin,
        "host": User.objects.get(email=_email("host")),
        "host2": _user("host2", password=password, role=HOST, full_name="Demo Second Host"),
        "guest": User.objects.get(email=_email("guest")),
        "guest2": _user("guest2", password=password, role=GUEST, full_name="Demo Second Guest"),
        "agent": User.objects.get(email=_email(CUSTOMER_SERVICE.replace("_", "-"))),
    }
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"), transaction.atomic():
        props = _properties(admin, people)
        bookings = _bookings(props, people, admin)
        _inquiries(props, bookings, people)
    return {
        "properties": [f"{p.pk}: {p.title} ({p.city}, {p.status})" for p in props.values()],
        "bookings": [
            f"{b.number} {b.status:<9} {b.check_in}..{b.check_out} {b.property.title}"
            for b in Booking.objects.select_related("property").order_by("check_in")
        ],
        "inquiries": [f"#{i.pk} {i.status:<11} {i.severity:<6} {i.subject}" for i in Inquiry.objects.order_by("pk")],
    }
