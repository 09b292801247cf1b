"""Authors, products with lessons, purchases and study-group seats (school kind), made by
``school.lessons.services`` (seats by paying: the ``invoice_paid`` signal places the student)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import factory

from tenant_apps.school.lessons.models import (
    Author,
    GroupMembership,
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
from tests.factories.accounts import UserFactory
from tests.factories.base import ServiceFactory, site_admin
from tests.factories.payments import PaymentFactory


def video_url(product: Product, order: int) -> str:
    """Where the factories say lesson ``order`` of ``product`` is."""
    return f"https://videos.example.com/{product.slug}/{order}"


class AuthorFactory(ServiceFactory[Author]):
    """An author made by ``author_create`` as ``actor`` (default: the site's admin; only catalog
    editors may), audited."""

    class Meta:
        model = Author

    actor = factory.LazyFunction(site_admin)
    name = factory.Sequence(lambda n: f"Author {n}")
    bio = ""

    @classmethod
    def _create(cls, model_class: type[Author], *args: Any, **kwargs: Any) -> Author:
        return author_create(**kwargs)


class ProductFactory(ServiceFactory[Product]):
    """A product made by ``product_create`` as ``actor`` (default: the site's admin): slug made
    unique from the title, price checked in the currency's step, audited; then ``lessons`` lessons
    ("Lesson 1", ...) added by ``lesson_create``. Default: unpublished, 100.00 USD, no lessons.

    Traits: ``published`` (on sale).
    """

    class Meta:
        model = Product

    class Params:
        published = factory.Trait(is_published=True)

    actor = factory.LazyFunction(site_admin)
    title = factory.Sequence(lambda n: f"Product {n}")
    author = factory.SubFactory(AuthorFactory, actor=factory.SelfAttribute("..actor"))
    price: Decimal | str = "100.00"
    currency = "USD"
    description = ""
    slug = ""
    is_published = False
    groups_per_batch: int | None = None
    max_group_size: int | None = None
    lessons = 0

    @classmethod
    def _create(cls, model_class: type[Product], *args: Any, **kwargs: Any) -> Product:
        lessons = kwargs.pop("lessons")
        product = product_create(**kwargs)
        for order in range(1, lessons + 1):
            lesson_create(
                actor=kwargs["actor"],
                product=product,
                title=f"Lesson {order}",
                order=order,
                video_url=video_url(product, order),
            )
        return product


class LessonFactory(ServiceFactory[Lesson]):
    """A lesson added to ``product`` by ``lesson_create`` as ``actor`` (default: the site's admin);
    ``order=None`` puts it after the last one, a taken order is refused."""

    class Meta:
        model = Lesson

    actor = factory.LazyFunction(site_admin)
    product = factory.SubFactory(ProductFactory, actor=factory.SelfAttribute("..actor"))
    title = factory.Sequence(lambda n: f"Lesson {n}")
    video_url = factory.Sequence(lambda n: f"https://videos.example.com/lesson-{n}")
    order: int | None = None

    @classmethod
    def _create(cls, model_class: type[Lesson], *args: Any, **kwargs: Any) -> Lesson:
        return lesson_create(**kwargs)


class ProductPurchaseFactory(ServiceFactory[ProductPurchase]):
    """``student``'s order of ``product`` (default: a new published product), made by
    ``product_purchase_create``: only students, only products on sale, one live purchase per
    student and product; billed by a new invoice for the price (not e-mailed unless
    ``send_email=True``).

    ``status="paid"``: the invoice is paid in full by an approved bank transfer
    (``PaymentFactory``), and the services mark the purchase paid and seat the student in a study
    group, in the payment's transaction.

    Traits: ``paid``.
    """

    class Meta:
        model = ProductPurchase

    class Params:
        paid = factory.Trait(status=PurchaseStatus.PAID)

    student = factory.SubFactory(UserFactory, roles=["student"])
    product = factory.SubFactory(ProductFactory, published=True)
    send_email = False
    status = PurchaseStatus.PENDING

    @classmethod
    def _create(cls, model_class: type[ProductPurchase], *args: Any, **kwargs: Any) -> ProductPurchase:
        status = kwargs.pop("status")
        purchase = product_purchase_create(**kwargs)
        if status == PurchaseStatus.PAID:
            PaymentFactory.create(invoice=purchase.invoice, payer=purchase.student, approved=True)
            purchase.refresh_from_db()
        elif status != PurchaseStatus.PENDING:
            raise ValueError(f"ProductPurchaseFactory: unknown status {status!r}")
        return purchase


class GroupMembershipFactory(ServiceFactory[GroupMembership]):
    """``student``'s seat in a study group of ``product``: there is no other way to one than paying,
    so this is a paid ``ProductPurchaseFactory`` and the membership the services made for it
    (groups are created in batches as the product's rules say)."""

    class Meta:
        model = GroupMembership

    student = factory.SubFactory(UserFactory, roles=["student"])
    product = factory.SubFactory(ProductFactory, published=True)

    @classmethod
    def _create(cls, model_class: type[GroupMembership], *, student: Any, product: Product) -> GroupMembership:
        ProductPurchaseFactory.create(student=student, product=product, paid=True)
        return GroupMembership.objects.select_related("group").get(student=student, product=product)
