"""List endpoints at scale: p50/p99 latency and statements per request, per list and role.

    .venv/bin/python bench/lists.py [--rows 100000] [--repeat 100] [--budget 30] [--label after]
                                    [--reuse] [--only tickets] [--explain]

Runs against its own database, ``saas_bench_lists`` (with ``DATABASE_URL`` set, the same server
with that database name; else the embedded server), which it drops and creates again, unless
``--reuse`` finds it seeded already: then it applies this checkout's migrations to the site's
schema (timed) and measures. Seeding with one checkout and measuring with the next compares the
two on the same rows, and times the next one's migrations on them.

It provisions one school site and fills it in bulk (COPY), skewed as real sites are (a fifth of
the students make most of the tickets and invoices; support staff are told of every new ticket):

* ``--rows`` (100k) tickets with 1-8 messages each and their django-guardian permissions,
  invoices (with a line, most with a payment), notifications, bootcamp enrolments, audit entries;
* 20k students, 30 teachers, 5 support and 3 finance users, the admin; 400 bootcamps, 300
  products with 8 lessons each and some purchases, a wallet per user and ``--rows``/2 top-ups.

Then it requests each list (``CASES``) as every role that may see it, through Django's test
client (the whole middleware stack, in-process; the database connection is kept between requests,
as a pool would keep it): ``--repeat`` timed requests after a warm-up, fewer (at least 20) when
they take more than ``--budget`` seconds. Each request's statements are recorded
(``execute_wrapper``): their number, the time spent in SQL and in the pagination's ``COUNT(*)``.
``--explain`` prints ``EXPLAIN ANALYZE`` of each list's statements. Figures go to stdout as a
Markdown table and to ``bench/results/lists[-<label>].json``.

Runs against any checkout (the code before and after a change): a ticket's stored
``message_count`` is filled in only if the model has that field.
"""

from __future__ import annotations

import argparse
import collections
import functools
import itertools
import json
import math
import os
import random
import statistics
import sys
import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DATABASE = "saas_bench_lists"
SLUG = "bench-lists"
SEED = 20240601

STUDENTS = 20_000
TEACHERS = 30
SUPPORT = 5
FINANCE = 3
BOOTCAMPS = 400
AUTHORS = 30
PRODUCTS = 300
LESSONS_PER_PRODUCT = 8
PURCHASES = 4_000


def _configure_database(*, reuse: bool) -> None:
    """Point Django at ``saas_bench_lists``; drop and create it unless ``reuse`` (and it exists)."""
    url = os.environ.get("DATABASE_URL", "")
    if url:
        base, _, _name = url.rpartition("/")
        os.environ["DATABASE_URL"] = f"{base}/{DATABASE}"
        import psycopg

        with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE]).fetchone()
            if exists and not reuse:
                conn.execute(f"DROP DATABASE {DATABASE} WITH (FORCE)")
                exists = None
            if not exists:
                conn.execute(f"CREATE DATABASE {DATABASE}")
    else:
        os.environ["EMBEDDED_PG_DATABASE"] = DATABASE
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "saas.settings.local")
    os.environ.setdefault("DJANGO_DEBUG", "0")
    os.environ.setdefault("EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")


# --------------------------------------------------------------------------------------------
# Seeding
# --------------------------------------------------------------------------------------------


class Seeder:
    """Bulk rows for one tenant schema: ids are handed out here, rows are COPYed, sequences moved on."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.next_ids: dict[type, int] = {}
        self.now = datetime.now().astimezone()
        self._cumulative: dict[int, list[float]] = {}

    def ids(self, model: type, n: int) -> list[int]:
        """``n`` fresh primary keys of ``model`` (after the rows it has already)."""
        start = self.next_ids.get(model)
        if start is None:
            start = (model._default_manager.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1  # type: ignore[attr-defined]
        self.next_ids[model] = start + n
        return list(range(start, start + n))

    def copy(self, model: Any, objs: Iterable[Any]) -> int:
        """COPY ``objs`` (unsaved instances with their ``pk`` set) into ``model``'s table."""
        from django.db import connection

        fields = list(model._meta.concrete_fields)
        quote = connection.ops.quote_name
        columns = ", ".join(quote(f.column) for f in fields)
        # built before the COPY starts: a query while it runs would wait for the COPY forever
        rows = [[_copy_value(f, getattr(obj, f.attname)) for f in fields] for obj in objs]
        with (
            connection.cursor() as cursor,
            cursor.cursor.copy(f"COPY {quote(model._meta.db_table)} ({columns}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(row)
        if model._meta.pk.get_internal_type() in {"AutoField", "BigAutoField"}:
            with connection.cursor() as cursor:
                table = model._meta.db_table
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence(%s, %s), (SELECT max({quote(model._meta.pk.column)}) "
                    f"FROM {quote(table)}))",
                    [table, model._meta.pk.column],
                )
        return len(rows)

    def moment(self, *, days: int = 730) -> datetime:
        """A time in the last ``days`` days, more of them recent (activity grows)."""
        return self.now - timedelta(microseconds=int((self.rng.random() ** 1.6) * days * 86400e6))

    def skewed(self, people: Sequence[int], k: int) -> list[int]:
        """``k`` picks from ``people``, heavy at the start (Zipf-like: a few do most)."""
        cumulative = self._cumulative.get(id(people))
        if cumulative is None:
            cumulative = list(itertools.accumulate(1 / (rank + 1) ** 0.8 for rank in range(len(people))))
            self._cumulative[id(people)] = cumulative
        return self.rng.choices(people, cum_weights=cumulative, k=k)


def _copy_value(field: Any, value: Any) -> Any:
    """What COPY writes for ``value`` of ``field``: JSON as text, everything else prepared by the field."""
    if value is None:
        return None
    if field.get_internal_type() == "JSONField":
        return json.dumps(value)
    return field.get_prep_value(value)


def seed(rows: int, rng: random.Random) -> dict[str, Any]:
    """Provision the school site and fill it; returns the people and ids the requests need."""
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group, Permission
    from django.contrib.contenttypes.models import ContentType
    from django.core.management import call_command
    from django.db.models import Count
    from django_tenants.utils import tenant_context

    from shared_apps.tenancy.services import tenant_provision
    from shared_apps.tenancy.templates import ensure_template

    call_command("migrate_schemas", shared=True, verbosity=0)
    ensure_template("school")
    tenant = tenant_provision(
        kind="school", slug=SLUG, name="Bench School", owner_email="admin@bench.test", owner_password=PASSWORD
    )
    with tenant_context(tenant):
        from tenant_apps.accounts.models import User
        from tenant_apps.audit.models import AuditLogEntry
        from tenant_apps.files.models import StoredFile
        from tenant_apps.notifications.models import Notification
        from tenant_apps.payments.models import Invoice, InvoiceCounter, InvoiceLine, Payment
        from tenant_apps.school.lessons.models import Author, Lesson, Product, ProductPurchase
        from tenant_apps.school.programs.models import Bootcamp, BootcampEnrolment
        from tenant_apps.tickets.models import Ticket, TicketMessage, TicketUserObjectPermission
        from tenant_apps.wallet.models import LedgerEntry, Wallet

        s = Seeder(rng)
        started = time.perf_counter()
        password = make_password(PASSWORD)
        admin = User.objects.get(email="admin@bench.test")

        # people ------------------------------------------------------------------------------
        roles = {"student": STUDENTS, "teacher": TEACHERS, "support": SUPPORT, "financial": FINANCE}
        people: dict[str, list[int]] = {}
        users = []
        memberships = []
        groups = {g.name: g.pk for g in Group.objects.all()}
        through = User.groups.through
        for role, n in roles.items():
            ids = s.ids(User, n)
            people[role] = ids
            for i, pk in enumerate(ids):
                users.append(
                    User(
                        pk=pk,
                        email=f"{role}{i}@bench.test",
                        full_name=f"{role.title()} {i}",
                        password=password,
                        date_joined=s.moment(),
                    )
                )
        s.copy(User, users)
        membership_ids = s.ids(through, len(users))
        for pk, user in zip(membership_ids, users, strict=True):
            role = user.email.split("@")[0].rstrip("0123456789")
            memberships.append(through(pk=pk, user_id=user.pk, group_id=groups[role]))
        s.copy(through, memberships)
        students = people["student"][:]
        rng.shuffle(students)  # who is heavy is random, not the first ids
        staff = [admin.pk, *people["support"]]
        wallet_of = dict(zip((u.pk for u in users), s.ids(Wallet, len(users)), strict=True))
        top_ups = s.skewed(students, rows // 2)  # a ledger entry each; the balances add them up
        balances = {owner: Decimal(10) * n for owner, n in collections.Counter(top_ups).items()}
        s.copy(
            Wallet,
            (
                Wallet(
                    pk=wallet_of[u.pk],
                    user_id=u.pk,
                    currency="USD",
                    balance=balances.get(u.pk, Decimal(0)),
                    created_at=s.now,
                    updated_at=s.now,
                )
                for u in users
            ),
        )
        running: dict[int, Decimal] = {}
        entries = []
        for pk, owner in zip(s.ids(LedgerEntry, len(top_ups)), top_ups, strict=True):
            running[owner] = running.get(owner, Decimal(0)) + 10
            entries.append(
                LedgerEntry(
                    pk=pk,
                    wallet_id=wallet_of[owner],
                    kind="top_up",
                    balance_delta=Decimal(10),
                    held_delta=Decimal(0),
                    balance_after=running[owner],
                    held_after=Decimal(0),
                    created_at=s.now,
                )
            )
        s.copy(LedgerEntry, entries)
        del entries

        # bootcamps and enrolments ------------------------------------------------------------
        statuses = ["draft", "registration_open", "in_progress", "completed", "cancelled"]
        camps = []
        for pk in s.ids(Bootcamp, BOOTCAMPS):
            start = (s.now - timedelta(days=rng.randint(-120, 700))).date()
            camps.append(
                Bootcamp(
                    pk=pk,
                    title=f"Bootcamp {pk}",
                    slug=f"bootcamp-{pk}",
                    description="Learn things.",
                    start_date=start,
                    end_date=start + timedelta(days=rng.randint(7, 90)),
                    capacity=rng.randint(50, 400),
                    price=Decimal(rng.choice([0, 100, 250, 990])),
                    currency="USD",
                    status=rng.choices(statuses, weights=[5, 25, 20, 45, 5])[0],
                    created_at=s.moment(),
                    updated_at=s.now,
                )
            )
        s.copy(Bootcamp, camps)
        teach = Bootcamp.teachers.through
        pairs = {(c.pk, t) for c in camps for t in rng.sample(people["teacher"], rng.randint(1, 2))}
        s.copy(
            teach,
            (
                teach(pk=pk, bootcamp_id=c, user_id=t)
                for pk, (c, t) in zip(s.ids(teach, len(pairs)), sorted(pairs), strict=True)
            ),
        )
        enrolment_statuses = ["approved", "waitlisted", "requested", "rejected", "withdrawn", "cancelled"]
        taken: set[tuple[int, int]] = set()
        enrolments = []
        camp_ids = [c.pk for c in camps]
        for pk in s.ids(BootcampEnrolment, rows):
            while True:
                key = (rng.choice(camp_ids), s.skewed(students, 1)[0] if rng.random() < 0.5 else rng.choice(students))
                if key not in taken:
                    taken.add(key)
                    break
            status = rng.choices(enrolment_statuses, weights=[55, 8, 10, 10, 10, 7])[0]
            requested = s.moment()
            decided = status in {"approved", "rejected", "cancelled"}
            enrolments.append(
                BootcampEnrolment(
                    pk=pk,
                    program_id=key[0],
                    student_id=key[1],
                    status=status,
                    requested_at=requested,
                    waitlisted_at=requested + timedelta(hours=1) if status == "waitlisted" else None,
                    decided_at=requested + timedelta(days=1) if decided else None,
                    decided_by_id=rng.choice(staff) if decided else None,
                    updated_at=requested + timedelta(days=1),
                )
            )
        s.copy(BootcampEnrolment, enrolments)
        del enrolments, taken

        # tickets, messages, permissions ------------------------------------------------------
        ticket_type = ContentType.objects.get_for_model(Ticket)
        bootcamp_type = ContentType.objects.get_for_model(Bootcamp)
        view = Permission.objects.get(content_type=ticket_type, codename="view_ticket").pk
        change = Permission.objects.get(content_type=ticket_type, codename="change_ticket").pk
        assignees = people["support"] * 7 + people["teacher"]
        tickets = []
        for pk, creator in zip(s.ids(Ticket, rows), s.skewed(students, rows), strict=True):
            status = rng.choices(["open", "answered", "closed"], weights=[15, 25, 60])[0]
            created = s.moment()
            updated = created + (s.now - created) * rng.random() ** 4  # mostly soon after it was opened
            target = rng.random() < 0.2
            tickets.append(
                Ticket(
                    pk=pk,
                    subject=f"Question {pk}",
                    status=status,
                    priority=rng.choices(["low", "normal", "high", "urgent"], weights=[10, 70, 15, 5])[0],
                    created_by_id=creator,
                    assignee_id=rng.choice(assignees) if rng.random() < 0.6 else None,
                    target_type_id=bootcamp_type.pk if target else None,
                    target_id=str(rng.choice(camp_ids)) if target else "",
                    created_at=created,
                    updated_at=updated,
                    closed_at=updated if status == "closed" else None,
                )
            )
        s.copy(Ticket, tickets)

        def messages(tickets: list[Any]) -> Iterable[Any]:
            for ticket in tickets:
                n = min(8, 1 + int(rng.expovariate(0.5)))
                for j in range(n):
                    author = ticket.created_by_id if j % 2 == 0 or ticket.assignee_id is None else ticket.assignee_id
                    yield ticket.pk, author, ticket.created_at + (ticket.updated_at - ticket.created_at) * j / n

        message_rows = list(messages(tickets))
        s.copy(
            TicketMessage,
            (
                TicketMessage(pk=pk, ticket_id=t, author_id=a, body="Some words about it.", created_at=at)
                for pk, (t, a, at) in zip(s.ids(TicketMessage, len(message_rows)), message_rows, strict=True)
            ),
        )
        if any(f.name == "message_count" for f in Ticket._meta.get_fields()):
            from django.db import connection

            with connection.cursor() as cursor:
                cursor.execute(
                    "UPDATE tickets_ticket t SET message_count = m.n FROM (SELECT ticket_id, count(*) AS n "
                    "FROM tickets_ticketmessage GROUP BY ticket_id) m WHERE m.ticket_id = t.id"
                )
        grants = {(t.created_by_id, t.pk) for t in tickets} | {(t.assignee_id, t.pk) for t in tickets if t.assignee_id}
        perm_rows = [(u, t, p) for u, t in sorted(grants) for p in (view, change)]
        s.copy(
            TicketUserObjectPermission,
            (
                TicketUserObjectPermission(pk=pk, user_id=u, content_object_id=t, permission_id=p)
                for pk, (u, t, p) in zip(s.ids(TicketUserObjectPermission, len(perm_rows)), perm_rows, strict=True)
            ),
        )
        del message_rows, perm_rows, grants

        # invoices, lines, payments, purchases ------------------------------------------------
        invoices = []
        for pk, customer in zip(s.ids(Invoice, rows), s.skewed(students, rows), strict=True):
            status = rng.choices(["paid", "unpaid", "partially_paid", "cancelled"], weights=[60, 20, 8, 12])[0]
            issued = s.moment()
            total = Decimal(rng.choice([50, 120, 250, 490, 990, 1500]))
            paid = {"paid": total, "partially_paid": (total / 2).quantize(Decimal("0.01"))}.get(status, Decimal("0.00"))
            invoices.append(
                Invoice(
                    pk=pk,
                    number=f"INV-{pk:06d}",
                    customer_id=customer,
                    currency="USD",
                    total=total,
                    amount_paid=paid,
                    status=status,
                    due_date=(issued + timedelta(days=14)).date(),
                    issued_at=issued,
                    paid_at=issued + timedelta(days=3) if status == "paid" else None,
                    cancelled_at=issued + timedelta(days=5) if status == "cancelled" else None,
                    cancel_reason="Issued by mistake." if status == "cancelled" else "",
                    created_by_id=rng.choice([admin.pk, *people["financial"]]),
                )
            )
        s.copy(Invoice, invoices)
        InvoiceCounter.objects.update_or_create(key="invoice", defaults={"value": len(invoices)})
        s.copy(
            InvoiceLine,
            (
                InvoiceLine(
                    pk=pk,
                    invoice_id=inv.pk,
                    position=1,
                    description="Tuition",
                    quantity=Decimal(1),
                    unit_price=inv.total,
                    amount=inv.total,
                )
                for pk, inv in zip(s.ids(InvoiceLine, len(invoices)), invoices, strict=True)
            ),
        )
        payments = []
        receipts = []
        for inv in invoices:
            if inv.status in {"paid", "partially_paid"}:
                payments.append(("stripe", "approved", inv, inv.amount_paid))
            elif inv.status == "unpaid" and rng.random() < 0.3:
                payments.append(("offline", rng.choice(["pending", "pending", "rejected"]), inv, inv.total))
        payment_objs = []
        for pk, (method, status, inv, amount) in zip(s.ids(Payment, len(payments)), payments, strict=True):
            receipt = None
            if method == "offline":
                receipt = StoredFile(
                    id=uuid.UUID(int=rng.getrandbits(128)),
                    file=f"{SLUG}/receipts/{pk}.pdf",
                    original_name="receipt.pdf",
                    content_type="application/pdf",
                    size=12345,
                    uploaded_by_id=inv.customer_id,
                    created_at=inv.issued_at,
                )
                receipts.append(receipt)
            payment_objs.append(
                Payment(
                    pk=pk,
                    invoice_id=inv.pk,
                    payer_id=inv.customer_id,
                    amount=amount,
                    method=method,
                    status=status,
                    tracking_code=f"TRK{pk:08d}" if method == "offline" else "",
                    receipt_id=receipt.pk if receipt else None,
                    reason="Unreadable receipt." if status == "rejected" else "",
                    decided_by_id=people["financial"][0] if status != "pending" and method == "offline" else None,
                    decided_at=inv.issued_at + timedelta(days=2) if status != "pending" else None,
                    stripe_payment_intent_id=f"pi_{pk:010d}" if method == "stripe" else None,
                    created_at=inv.issued_at + timedelta(days=1),
                )
            )
        s.copy(StoredFile, receipts)
        s.copy(Payment, payment_objs)
        del payments, payment_objs, receipts

        authors = [Author(pk=pk, name=f"Author {pk}", created_at=s.moment()) for pk in s.ids(Author, AUTHORS)]
        s.copy(Author, authors)
        products = [
            Product(
                pk=pk,
                title=f"Course {rng.randint(0, 10**6):06d}",
                slug=f"course-{pk}",
                description="Videos.",
                author_id=rng.choice(authors).pk,
                price=Decimal(rng.choice([20, 49, 99])),
                currency="USD",
                is_published=rng.random() < 0.8,
                created_at=s.moment(),
                updated_at=s.now,
            )
            for pk in s.ids(Product, PRODUCTS)
        ]
        s.copy(Product, products)
        lesson_rows = [(p.pk, order) for p in products for order in range(1, LESSONS_PER_PRODUCT + 1)]
        s.copy(
            Lesson,
            (
                Lesson(
                    pk=pk,
                    product_id=p,
                    title=f"Lesson {o}",
                    video_url=f"https://video.test/{p}/{o}",
                    order=o,
                    created_at=s.now,
                )
                for pk, (p, o) in zip(s.ids(Lesson, len(lesson_rows)), lesson_rows, strict=True)
            ),
        )
        bought: set[tuple[int, int]] = set()
        purchases = []
        for inv in rng.sample(invoices, min(PURCHASES, len(invoices) // 2)):
            key = (inv.customer_id, rng.choice(products).pk)
            if key in bought:
                continue
            bought.add(key)
            status = {"paid": "paid", "cancelled": "cancelled"}.get(inv.status, "pending")
            purchases.append((key, inv, status))
        s.copy(
            ProductPurchase,
            (
                ProductPurchase(
                    pk=pk,
                    student_id=key[0],
                    product_id=key[1],
                    invoice_id=inv.pk,
                    status=status,
                    created_at=inv.issued_at,
                    paid_at=inv.paid_at if status == "paid" else None,
                )
                for pk, (key, inv, status) in zip(s.ids(ProductPurchase, len(purchases)), purchases, strict=True)
            ),
        )
        del invoices

        # notifications and audit -------------------------------------------------------------
        verbs = ["ticket.created", "ticket.replied", "ticket.assigned", "ticket.closed"]
        ticket_ids = [t.pk for t in tickets]

        def notifications() -> Iterable[Any]:
            for pk in s.ids(Notification, rows):
                to_staff = rng.random() < 0.5
                recipient = rng.choice(staff) if to_staff else s.skewed(students, 1)[0]
                ticket = rng.choice(ticket_ids)
                yield Notification(
                    pk=pk,
                    recipient_id=recipient,
                    verb=verbs[0] if to_staff else rng.choice(verbs[1:]),
                    content_type_id=ticket_type.pk,
                    object_id=str(ticket),
                    extra_data={"ticket_id": ticket},
                    read=rng.random() < 0.75,
                    created_at=s.moment(),
                )

        s.copy(Notification, notifications())
        actors = [*staff, *people["teacher"], *students[:2000]]

        def audit_entries() -> Iterable[Any]:
            for pk in s.ids(AuditLogEntry, rows):
                actor = rng.choice(actors)
                ticket = rng.choice(ticket_ids)
                yield AuditLogEntry(
                    pk=pk,
                    created_at=s.moment(),
                    actor_id=actor,
                    actor_repr=f"user{actor}@bench.test",
                    verb=rng.choice([*verbs, "invoice.created", "enrolment.approved"]),
                    target_type_id=ticket_type.pk,
                    target_id=str(ticket),
                    target_repr=f"#{ticket}",
                    changes={"status": ["open", "answered"]},
                    ip="10.0.0.1",
                )

        s.copy(AuditLogEntry, audit_entries())
        del tickets

        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
        print(f"seeded in {time.perf_counter() - started:.0f} s", file=sys.stderr)

        heavy_student = (
            Ticket.objects.values("created_by_id").order_by().annotate(n=Count("id")).order_by("-n")[0]["created_by_id"]
        )
        busy_teacher = (
            Ticket.objects.filter(assignee_id__in=people["teacher"])
            .values("assignee_id")
            .order_by()
            .annotate(n=Count("id"))
            .order_by("-n")[0]["assignee_id"]
        )
        return {
            "admin": admin.pk,
            "support": people["support"][0],
            "financial": people["financial"][0],
            "teacher": busy_teacher,
            "student": heavy_student,
        }


PASSWORD = "bench-password-0123456789"


# --------------------------------------------------------------------------------------------
# Requests
# --------------------------------------------------------------------------------------------

#: (name, URL, roles that may see it). ``{support}`` etc. are replaced by those users' ids.
CASES: list[tuple[str, str, tuple[str, ...]]] = [
    ("tickets", "/api/v1/tickets/", ("admin", "support", "teacher", "student")),
    ("tickets open", "/api/v1/tickets/?status=open", ("support",)),
    ("tickets open+answered", "/api/v1/tickets/?status=open&status=answered", ("support",)),
    ("tickets unassigned", "/api/v1/tickets/?unassigned=true", ("support",)),
    ("tickets assigned to me", "/api/v1/tickets/?assignee={support}", ("support",)),
    ("tickets urgent", "/api/v1/tickets/?priority=urgent", ("support",)),
    ("invoices", "/api/v1/invoices/", ("admin", "financial", "student")),
    ("invoices unpaid", "/api/v1/invoices/?status=unpaid", ("financial",)),
    ("invoices of a customer", "/api/v1/invoices/?customer={student}", ("financial",)),
    ("invoices overdue", "/api/v1/invoices/?overdue=true", ("financial",)),
    ("payments", "/api/v1/payments/", ("admin", "financial", "student")),
    ("payments pending", "/api/v1/payments/?status=pending", ("financial",)),
    ("notifications", "/api/v1/notifications/", ("admin", "support", "student")),
    ("notifications unread", "/api/v1/notifications/?read=false", ("support", "student")),
    ("audit-log", "/api/v1/audit-log/", ("admin",)),
    ("audit-log by actor", "/api/v1/audit-log/?actor={support}", ("admin",)),
    ("audit-log by verb", "/api/v1/audit-log/?verb=ticket.closed", ("admin",)),
    ("users", "/api/v1/users/", ("admin",)),
    ("users students", "/api/v1/users/?role=student", ("admin",)),
    ("wallets", "/api/v1/wallets/", ("admin",)),
    ("wallet ledger", "/api/v1/wallet/ledger/", ("student",)),
    ("bootcamps", "/api/v1/bootcamps/", ("anonymous", "admin", "student")),
    ("bootcamp-enrolments", "/api/v1/bootcamp-enrolments/", ("admin", "support", "student")),
    ("bootcamp-enrolments waitlisted", "/api/v1/bootcamp-enrolments/?status=waitlisted", ("support",)),
    ("products", "/api/v1/products/", ("admin", "student")),
    ("products mine", "/api/v1/products/mine/", ("student",)),
    ("authors", "/api/v1/authors/", ("admin",)),
]


def _percentile(ordered: list[float], q: float) -> float:
    """The ``q`` quantile (0..1) of ``ordered`` samples, nearest rank."""
    return ordered[min(len(ordered) - 1, max(0, math.ceil(q * len(ordered)) - 1))]


class StatementLog:
    """A ``connection.execute_wrapper``: the SQL and duration (ms) of each statement of one request."""

    def __init__(self) -> None:
        self.statements: list[tuple[str, float]] = []

    def __call__(self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.statements.append((sql, (time.perf_counter() - started) * 1000))


def measure(
    get: Callable[[], Any], *, repeat: int, budget: float, warmup: int = 3, explain: bool = False
) -> dict[str, Any]:
    """Time ``repeat`` calls of ``get`` after ``warmup`` (fewer, but at least 20, if they take more
    than ``budget`` seconds), with each call's statements.

    Returns p50/p99/max wall time (ms), the median time spent in SQL and in the pagination's
    ``COUNT(*)``, the statements per request (the most any call ran; ``statements_min`` the least)
    and the list's ``count``. With ``explain``, prints ``EXPLAIN ANALYZE`` of the last call's
    ``SELECT``s.
    """
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(warmup):
        response = get()
        assert response.status_code == 200, response.content[:500]
    wall, sql, counts, statements = [], [], [], []
    deadline = time.perf_counter() + budget
    for i in range(repeat):
        if i >= 20 and time.perf_counter() > deadline:
            break
        log = StatementLog()
        with connection.execute_wrapper(log):
            started = time.perf_counter()
            response = get()
            wall.append((time.perf_counter() - started) * 1000)
        sql.append(sum(ms for _, ms in log.statements))
        counts += [ms for text, ms in log.statements if text.upper().startswith("SELECT COUNT(")]
        statements.append(len(log.statements))
    if explain:
        with CaptureQueriesContext(connection) as queries:
            get()
        with connection.cursor() as cursor:
            for query in queries.captured_queries:
                if query["sql"].startswith("SELECT"):
                    cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) {query['sql']}")
                    plan = "\n    ".join(row[0] for row in cursor.fetchall())
                    print(f"  {query['sql'][:300]}\n    {plan}", file=sys.stderr)
    ordered = sorted(wall)
    return {
        "n": len(wall),
        "p50_ms": statistics.median(wall),
        "p99_ms": _percentile(ordered, 0.99),
        "max_ms": ordered[-1],
        "sql_p50_ms": statistics.median(sql),
        "count_p50_ms": statistics.median(counts) if counts else None,
        "statements": max(statements),
        "statements_min": min(statements),
        "rows": response.json().get("count"),
    }


def run_requests(
    people: dict[str, int], *, repeat: int, budget: float, only: str | None, explain: bool = False
) -> list[dict[str, Any]]:
    """Every case as every role of it; the results, in order."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections
    from django.test import Client
    from django_tenants.utils import tenant_context

    from shared_apps.tenancy.models import Tenant
    from tenant_apps.accounts.models import User
    from tenant_apps.accounts.tokens import token_pair

    tenant = Tenant.objects.get(schema_name=SLUG)
    host = tenant.domains.get(is_primary=True).domain
    with tenant_context(tenant):
        tokens = {role: token_pair(User.objects.get(pk=pk))["access"] for role, pk in people.items()}
    clients = {role: Client(HTTP_HOST=host, HTTP_AUTHORIZATION=f"Bearer {token}") for role, token in tokens.items()}
    clients["anonymous"] = Client(HTTP_HOST=host)
    # keep the connection between requests (as a pool would): the figures are the requests' own
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    results = []
    for name, url_template, roles in CASES:
        if only and only not in name:
            continue
        url = url_template.format(**people)
        for role in roles:
            client = clients[role]
            figures = measure(functools.partial(client.get, url), repeat=repeat, budget=budget, explain=explain)
            row = {"list": name, "url": url, "role": role, **figures}
            results.append(row)
            print(_row(row), flush=True)
    return results


HEADER = (
    "| list | role | count | n | p50 ms | p99 ms | SQL p50 ms | COUNT(*) p50 ms | statements |\n"
    "|---|---|---:|---:|---:|---:|---:|---:|---:|"
)


def _row(r: dict[str, Any]) -> str:
    count_ms = f"{r['count_ms']:.1f}" if r.get("count_ms") is not None else "-"
    count_ms = f"{r['count_p50_ms']:.1f}" if r.get("count_p50_ms") is not None else count_ms
    rows = r["rows"] if r["rows"] is not None else "-"
    statements = str(r["statements"])
    if r.get("statements_min", r["statements"]) != r["statements"]:
        statements = f"{r['statements_min']}-{r['statements']}"
    sql = f"{r['sql_p50_ms']:.1f}" if r.get("sql_p50_ms") is not None else "-"
    return (
        f"| {r['list']} | {r['role']} | {rows} | {r.get('n', '-')} | {r['p50_ms']:.1f} | {r['p99_ms']:.1f} | "
        f"{sql} | {count_ms} | {statements} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=100_000, help="tickets, invoices, notifications, enrolments")
    parser.add_argument("--repeat", type=int, default=100, help="timed requests per list and role")
    parser.add_argument("--budget", type=float, default=30, help="seconds per list and role (at least 20 requests)")
    parser.add_argument("--label", default="", help="suffix of the results file (before, after)")
    parser.add_argument("--reuse", action="store_true", help="keep the seeded database of a previous run")
    parser.add_argument("--only", default=None, help="run only the lists whose name contains this")
    parser.add_argument("--explain", action="store_true", help="print EXPLAIN ANALYZE of each list's statements")
    args = parser.parse_args()

    _configure_database(reuse=args.reuse)
    import django

    django.setup()
    import logging

    logging.disable(logging.WARNING)

    from saas.db.tenant import tenant_connection
    from shared_apps.tenancy.models import Tenant

    people_file = ROOT / "bench" / "results" / "lists-people.json"
    reused = False
    if args.reuse:
        try:
            reused = Tenant.objects.filter(schema_name=SLUG).exists() and people_file.exists()
        except Exception:  # a fresh database has no tables yet
            reused = False
    if reused:
        people = json.loads(people_file.read_text())
        from django.core.management import call_command

        started = time.perf_counter()  # the data stays; the schema catches up with this checkout
        call_command("migrate_schemas", schema_name=SLUG, verbosity=0)
        print(f"migrated {SLUG} in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    else:
        people = seed(args.rows, random.Random(SEED))
        people_file.parent.mkdir(exist_ok=True)
        people_file.write_text(json.dumps(people))

    print(f"PostgreSQL {tenant_connection().pg_version}, {args.rows} rows per large list, {args.repeat} requests each")
    print(HEADER)
    results = run_requests(people, repeat=args.repeat, budget=args.budget, only=args.only, explain=args.explain)
    out = ROOT / "bench" / "results" / (f"lists-{args.label}.json" if args.label else "lists.json")
    out.write_text(
        json.dumps(
            {
                "server_version": tenant_connection().pg_version,
                "rows": args.rows,
                "repeat": args.repeat,
                "results": results,
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
