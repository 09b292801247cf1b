"""Request and response shapes of the products, lessons and groups API.

Money is a string with two decimals (``"49.00"``) in the product's ``currency``. A product's
``lessons`` always list every lesson's ``id``, ``order`` and ``title``; ``video_url`` is ``null``
unless the requester may watch them (``access: "full"``), otherwise ``access`` is ``"outline"``.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from saas.api.fields import AsciiDecimalField
from saas.api.schema import NamedChoiceField
from tenant_apps.accounts.models import User
from tenant_apps.payments.models import InvoiceStatus
from tenant_apps.school.lessons.models import (
    Author,
    GroupMembership,
    Lesson,
    Product,
    ProductPurchase,
    PurchaseStatus,
    StudyGroup,
)
from tenant_apps.school.lessons.services import MAX_GROUP_SIZE, MAX_GROUPS_PER_BATCH

FULL, OUTLINE = "full", "outline"


# --- Authors --------------------------------------------------------------------------------------


class AuthorSerializer(serializers.ModelSerializer):
    """An author of ``/api/v1/authors/``: ``{id, name, bio, created_at}``."""

    class Meta:
        model = Author
        fields = ("id", "name", "bio", "created_at")
        read_only_fields = fields


class AuthorWriteSerializer(serializers.Serializer):
    """Input of ``POST /api/v1/authors/`` and ``PATCH /api/v1/authors/{id}/`` (admin): ``{name, bio?}``."""

    name = serializers.CharField(max_length=200)
    bio = serializers.CharField(required=False, allow_blank=True, default="")


class ProductAuthorSerializer(serializers.ModelSerializer):
    """A product's author: ``{id, name}``."""

    class Meta:
        model = Author
        fields = ("id", "name")
        read_only_fields = fields


# --- Purchases ------------------------------------------------------------------------------------


class ProductSummarySerializer(serializers.ModelSerializer):
    """The product of a purchase or a group seat: ``{id, title, slug}``."""

    class Meta:
        model = Product
        fields = ("id", "title", "slug")
        read_only_fields = fields


class StudyGroupSummarySerializer(serializers.ModelSerializer):
    """A purchase's group: ``{id, number, name}``."""

    class Meta:
        model = StudyGroup
        fields = ("id", "number", "name")
        read_only_fields = fields


def purchase_status(purchase: ProductPurchase) -> str:
    """The purchase's status as shown: a pending purchase whose invoice was cancelled is ``cancelled``."""
    if purchase.status == PurchaseStatus.PENDING and purchase.invoice.status == InvoiceStatus.CANCELLED:
        return str(PurchaseStatus.CANCELLED)
    return str(purchase.status)


class ProductPurchaseSerializer(serializers.ModelSerializer):
    """A purchase with its payment state.

    ``status``: ``pending`` until the invoice is paid in full, then ``paid``; ``cancelled`` when its
    invoice was cancelled. ``invoice`` is the id of the invoice to pay through ``/api/v1/invoices/``;
    ``invoice_status``, ``total``, ``amount_paid`` (money strings) and ``due_date`` come from it.
    ``group`` is the student's group once paid, else ``null``.
    """

    product = ProductSummarySerializer(read_only=True)
    status = serializers.SerializerMethodField()
    invoice_number = serializers.CharField(source="invoice.number", read_only=True)
    invoice_status = NamedChoiceField(
        source="invoice.status",
        choices=InvoiceStatus.choices,
        read_only=True,
        component_name="PurchaseInvoiceStatusEnum",
    )
    currency = serializers.CharField(source="invoice.currency", read_only=True)
    total = AsciiDecimalField(source="invoice.total", max_digits=12, decimal_places=2, read_only=True)
    amount_paid = AsciiDecimalField(source="invoice.amount_paid", max_digits=12, decimal_places=2, read_only=True)
    due_date = serializers.DateField(source="invoice.due_date", read_only=True)
    group = serializers.SerializerMethodField()

    class Meta:
        model = ProductPurchase
        fields = (
            "id",
            "product",
            "status",
            "invoice",
            "invoice_number",
            "invoice_status",
            "currency",
            "total",
            "amount_paid",
            "due_date",
            "group",
            "created_at",
            "paid_at",
        )
        read_only_fields = fields

    @extend_schema_field(NamedChoiceField(choices=PurchaseStatus.choices, component_name="PurchaseStatusEnum"))
    def get_status(self, purchase: ProductPurchase) -> str:
        return purchase_status(purchase)

    @extend_schema_field(StudyGroupSummarySerializer(allow_null=True))
    def get_group(self, purchase: ProductPurchase) -> dict[str, Any] | None:
        if purchase.status != PurchaseStatus.PAID:
            return None
        memberships = getattr(purchase.product, "own_memberships", None)
        if memberships is None:
            memberships = list(
                GroupMembership.objects.filter(
                    product_id=purchase.product_id, student_id=purchase.student_id
                ).select_related("group")
            )
        if not memberships:
            return None
        return StudyGroupSummarySerializer(memberships[0].group).data  # type: ignore[return-value]


# --- Products and lessons -------------------------------------------------------------------------


class ProductLessonSerializer(serializers.ModelSerializer):
    """A lesson in a product: ``video_url`` is ``null`` in the outline."""

    video_url = serializers.SerializerMethodField()

    class Meta:
        model = Lesson
        fields = ("id", "order", "title", "video_url")
        read_only_fields = fields

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_video_url(self, lesson: Lesson) -> str | None:
        return lesson.video_url if self.context.get("full") else None


class ProductSerializer(serializers.ModelSerializer):
    """A product with its outline, or its full lessons for paid buyers and staff.

    Context: ``full_access`` (callable: product -> bool) and ``purchases`` (product id -> the
    requester's live purchase), from the view.
    """

    author = ProductAuthorSerializer(read_only=True)
    lesson_count = serializers.SerializerMethodField()
    access = serializers.SerializerMethodField()
    lessons = serializers.SerializerMethodField()
    purchase = serializers.SerializerMethodField()

    class Meta:
        model = Product
        fields = (
            "id",
            "title",
            "slug",
            "description",
            "author",
            "price",
            "currency",
            "is_published",
            "groups_per_batch",
            "max_group_size",
            "lesson_count",
            "access",
            "lessons",
            "purchase",
            "created_at",
            "updated_at",
        )
        read_only_fields = fields

    def _full(self, product: Product) -> bool:
        full_access = self.context.get("full_access")
        return bool(full_access and full_access(product))

    def get_lesson_count(self, product: Product) -> int:
        # the selectors prefetch the lessons: counting them then runs no query
        return int(product.lessons.count())

    @extend_schema_field(
        NamedChoiceField(choices=[(FULL, "Full lessons"), (OUTLINE, "Outline")], component_name="ProductAccessEnum")
    )
    def get_access(self, product: Product) -> str:
        return FULL if self._full(product) else OUTLINE

    @extend_schema_field(ProductLessonSerializer(many=True))
    def get_lessons(self, product: Product) -> list[dict[str, Any]]:
        lessons = sorted(product.lessons.all(), key=lambda lesson: lesson.order)
        return ProductLessonSerializer(
            lessons,
            many=True,  # type: ignore[return-value]
            context={"full": self._full(product)},
        ).data

    @extend_schema_field(ProductPurchaseSerializer(allow_null=True))
    def get_purchase(self, product: Product) -> dict[str, Any] | None:
        purchase = (self.context.get("purchases") or {}).get(product.pk)
        return ProductPurchaseSerializer(purchase).data if purchase is not None else None  # type: ignore[return-value]


class ProductWriteSerializer(serializers.Serializer):
    """A product as admins write it; on ``PATCH`` every field is optional."""

    title = serializers.CharField(max_length=200)
    slug = serializers.SlugField(
        max_length=200, required=False, allow_blank=True, help_text="Default: made from the title."
    )
    description = serializers.CharField(required=False, allow_blank=True, default="")
    author = serializers.PrimaryKeyRelatedField(queryset=Author.objects.all())
    price = AsciiDecimalField(max_digits=12, decimal_places=2, help_text="Major units of the currency, above zero.")
    currency = serializers.CharField(min_length=3, max_length=3, help_text="ISO 4217, e.g. USD.")
    is_published = serializers.BooleanField(required=False, default=False)
    groups_per_batch = serializers.IntegerField(
        min_value=1,
        max_value=MAX_GROUPS_PER_BATCH,
        required=False,
        help_text="Groups created at once when all are full (default 3).",
    )
    max_group_size = serializers.IntegerField(
        min_value=1,
        max_value=MAX_GROUP_SIZE,
        required=False,
        help_text="Capacity of groups created from now on (default 2).",
    )


class LessonSerializer(serializers.ModelSerializer):
    """A lesson with its video URL (paid buyers, staff)."""

    class Meta:
        model = Lesson
        fields = ("id", "product", "order", "title", "video_url", "created_at")
        read_only_fields = fields


class LessonWriteSerializer(serializers.Serializer):
    """A lesson as admins write it; ``order`` defaults to after the last lesson."""

    title = serializers.CharField(max_length=200)
    video_url = serializers.URLField(max_length=500)
    order = serializers.IntegerField(min_value=1, max_value=2**31 - 1, required=False)


# --- Groups ---------------------------------------------------------------------------------------


class GroupMemberSerializer(serializers.ModelSerializer):
    """A member of a study group (staff view): the student's ``{id, email, full_name}`` and ``joined_at``."""

    id = serializers.IntegerField(source="student.id", read_only=True)
    email = serializers.EmailField(source="student.email", read_only=True)
    full_name = serializers.CharField(source="student.full_name", read_only=True)

    class Meta:
        model = GroupMembership
        fields = ("id", "email", "full_name", "joined_at")
        read_only_fields = fields


class StudyGroupSerializer(serializers.ModelSerializer):
    """A group of a product with its members (staff)."""

    members = GroupMemberSerializer(source="memberships", many=True, read_only=True)

    class Meta:
        model = StudyGroup
        fields = ("id", "product", "number", "name", "capacity", "member_count", "members", "created_at")
        read_only_fields = fields


class MyStudyGroupSerializer(serializers.ModelSerializer):
    """A student's own seat: the group, its product and how full it is (not who else is in it)."""

    id = serializers.IntegerField(source="group.id", read_only=True)
    number = serializers.IntegerField(source="group.number", read_only=True)
    name = serializers.CharField(source="group.name", read_only=True)
    capacity = serializers.IntegerField(source="group.capacity", read_only=True)
    member_count = serializers.IntegerField(source="group.member_count", read_only=True)
    product = ProductSummarySerializer(read_only=True)

    class Meta:
        model = GroupMembership
        fields = ("id", "number", "name", "product", "capacity", "member_count", "joined_at")
        read_only_fields = fields


class GroupMoveSerializer(serializers.Serializer):
    """Input of ``POST /api/v1/groups/{id}/move/``: ``{student, to_group}``."""

    student = serializers.PrimaryKeyRelatedField(queryset=User.objects.all(), help_text="The student's user id.")
    to_group = serializers.PrimaryKeyRelatedField(
        queryset=StudyGroup.objects.all(), help_text="A group of the same product with a free seat."
    )


class GroupMoveResultSerializer(serializers.Serializer):
    """Output of ``POST /api/v1/groups/{id}/move/``: ``{student, from_group, to_group}``, both groups as they
    are after the move."""

    student = serializers.IntegerField()
    from_group = StudyGroupSerializer()
    to_group = StudyGroupSerializer()
