"""Demo data for ``manage.py setup_demo``: an author, two products with lessons, paid students in groups.

Call inside a school tenant's context, after its demo users exist::

    from tenant_apps.school.lessons.demo import seed_demo

    with tenant_context(tenant):
        made = seed_demo(password=password)

What it makes (idempotent: a second call finds everything and changes nothing):

* the author "Ada Lovelace" and two published products (3 groups per batch, at most 2 per group,
  as in seed 004): "Python from zero" (49.00 USD, 4 lessons) and "Django in depth" (99.00 USD,
  3 lessons);
* students ``student2@`` to ``student8@<schema>.<PLATFORM_DOMAIN>`` (password ``password``);
* paid purchases, each through the real flow: order (invoice), bank-transfer payment with a
  receipt, approval by the site's financial user (or an admin). "Python from zero" is paid by the
  demo student ``student@...`` and ``student2``-``student5`` (groups #1 and #2 full, #3 with one);
  "Django in depth" by ``student6``-``student8`` (#1 full, #2 with one, #3 empty). The demo student
  has **not** ordered "Django in depth": the README walk-through orders and pays it, and the
  student lands in "Django in depth #2", the fullest group with room.

The invoice e-mails (issued and paid, each with its PDF) of the seeding are not sent: demo
addresses are not mailboxes, and the console backend would print every PDF.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test.utils import override_settings

from saas.db.tenant import current_schema
from tenant_apps.accounts.models import User
from tenant_apps.accounts.roles import ADMIN
from tenant_apps.accounts.services import user_create
from tenant_apps.files.services import file_store
from tenant_apps.payments.access import finance_roles
from tenant_apps.payments.models import Payment, PaymentMethod, PaymentStatus
from tenant_apps.payments.services import payment_approve, payment_offline_submit
from tenant_apps.school.kind import STUDENT
from tenant_apps.school.lessons.models import (
    LIVE_PURCHASE_STATUSES,
    Author,
    Lesson,
    Product,
    ProductPurchase,
    PurchaseStatus,
)
from tenant_apps.school.lessons.services import (
    author_create,
    lesson_create,
    product_create,
    product_purchase_create,
)

AUTHOR = {"name": "Ada Lovelace", "bio": "Writes programs for engines that do not exist yet."}
PRODUCTS: list[dict[str, Any]] = [
    {
        "slug": "python-from-zero",
        "title": "Python from zero",
        "price": "49.00",
        "currency": "USD",
        "description": "Variables to classes in four short videos.",
        "lessons": ["Installing Python", "Variables and types", "Functions", "Classes"],
        "buyers": ["student", "student2", "student3", "student4", "student5"],
    },
    {
        "slug": "django-in-depth",
        "title": "Django in depth",
        "price": "99.00",
        "currency": "USD",
        "description": "Models, views and the ORM, for people who know Python.",
        "lessons": ["Models and migrations", "Views and URLs", "The ORM in depth"],
        "buyers": ["student6", "student7", "student8"],
    },
]
#: A tiny but real PDF (files are typed by their content).
RECEIPT_PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def _email(local: str) -> str:
    return f"{local}@{current_schema()}.{settings.PLATFORM_DOMAIN}"


def _first_user_with(*roles: str) -> User | None:
    for role in roles:
        user = User.objects.filter(groups__name=role, is_active=True).order_by("pk").first()
        if user is not None:
            return user
    return None


def _student(local: str, password: str) -> tuple[User, bool]:
    existing = User.objects.filter(email=_email(local)).first()
    if existing is not None:
        return existing, False
    number = local.removeprefix("student") or "1"
    return user_create(
        email=_email(local), password=password, roles=[STUDENT], full_name=f"Demo Student {number}"
    ), True


def _product(spec: dict[str, Any], *, author: Author, admin: User) -> Product:
    product = Product.objects.filter(slug=spec["slug"]).first()
    if product is None:
        product = product_create(
            actor=admin,
            title=spec["title"],
            slug=spec["slug"],
            author=author,
            price=spec["price"],
            currency=spec["currency"],
            description=spec["description"],
            is_published=True,
            groups_per_batch=3,
            max_group_size=2,
        )
    for order, title in enumerate(spec["lessons"], start=1):
        if not Lesson.objects.filter(product=product, order=order).exists():
            lesson_create(
                actor=admin,
                product=product,
                title=title,
                order=order,
                video_url=f"https://videos.example.com/{spec['slug']}/{order}",
            )
    return product


def _pay(*, student: User, product: Product, approver: User) -> ProductPurchase:
    """``student``'s paid purchase of ``product``: ordered, paid by bank transfer, approved."""
    purchase = ProductPurchase.objects.filter(
        student=student, product=product, status__in=LIVE_PURCHASE_STATUSES
    ).first()
    if purchase is None:
        purchase = product_purchase_create(student=student, product=product, send_email=False)
    if purchase.status == PurchaseStatus.PAID:
        return purchase
    invoice = purchase.invoice
    payment = Payment.objects.filter(
        invoice=invoice, method=PaymentMethod.OFFLINE, status=PaymentStatus.PENDING
    ).first()
    if payment is None:
        receipt = file_store(
            upload=SimpleUploadedFile("demo-receipt.pdf", RECEIPT_PDF, "application/pdf"), uploaded_by=student
        )
        payment = payment_offline_submit(
            invoice=invoice,
            payer=student,
            amount=invoice.total - invoice.amount_paid,
            tracking_code=f"DEMO-{invoice.number}",
            receipt=receipt,
        )
    payment_approve(payment=payment, actor=approver)
    purchase.refresh_from_db()
    return purchase


def seed_demo(*, password: str) -> dict[str, Any]:
    """Create (or find) the lessons demo data in the current school schema; see the module docstring.

    ``password``: of the demo students it creates (existing users keep theirs). Needs an active
    admin (the site owner) to edit the catalogue. Returns what exists afterwards, for printing::

        {"author": "Ada Lovelace",
         "students_created": ["student2@school.localhost", ...],
         "demo_student": {"email": "student@school.localhost", "paid": ["python-from-zero"],
                          "unpaid": ["django-in-depth"]},
         "products": [{"id": 1, "slug": "python-from-zero", "title": "Python from zero", "price": "49.00",
                       "currency": "USD", "lessons": 4,
                       "groups": [{"name": "Python from zero #1", "members": ["student@...", ...]}, ...]},
                      ...]}
    """
    admin = _first_user_with(ADMIN)
    if admin is None:
        raise RuntimeError("seed_demo needs an active admin in this schema (the site owner).")
    approver = _first_user_with(*finance_roles()) or admin
    created: list[str] = []
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
        author = Author.objects.filter(name=AUTHOR["name"]).first() or author_create(actor=admin, **AUTHOR)
        products = []
        for spec in PRODUCTS:
            product = _product(spec, author=author, admin=admin)
            for local in spec["buyers"]:
                student, is_new = _student(local, password)
                if is_new:
                    created.append(student.email)
                _pay(student=student, product=product, approver=approver)
            products.append(product)
    demo_student = User.objects.filter(email=_email("student")).first()
    paid = set(
        ProductPurchase.objects.filter(student=demo_student, status=PurchaseStatus.PAID).values_list(
            "product__slug", flat=True
        )
    )
    return {
        "author": author.name,
        "students_created": created,
        "demo_student": {
            "email": _email("student"),
            "paid": [p.slug for p in products if p.slug in paid],
            "unpaid": [p.slug for p in products if p.slug not in paid],
        },
        "products": [
            {
                "id": product.pk,
                "slug": product.slug,
                "title": product.title,
                "price": str(product.price),
                "currency": product.currency,
                "lessons": product.lessons.count(),
                "groups": [
                    {
                        "name": group.name,
                        "members": [
                            m.student.email
                            for m in group.memberships.select_related("student").order_by("joined_at", "id")
                        ],
                    }
                    for group in product.groups.order_by("number")
                ],
            }
            for product in products
        ],
    }
