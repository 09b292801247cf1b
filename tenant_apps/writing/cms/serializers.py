"""Request and response shapes of the writing CMS API. Rich text (``body``, FAQ ``answer``) is
returned as stored: HTML already cleaned (``sanitize.py``). Dates are ISO 8601 with their offset;
amounts strings with 2 decimals (``"49.00"``)."""

from __future__ import annotations

from decimal import Decimal

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from saas.api.fields import AsciiDecimalField
from tenant_apps.files.services import file_download_url
from tenant_apps.writing.cms import services
from tenant_apps.writing.cms.models import (
    CATEGORY_NAME_MAX_LENGTH,
    EXCERPT_MAX_LENGTH,
    SEO_DESCRIPTION_MAX_LENGTH,
    SEO_TITLE_MAX_LENGTH,
    SLUG_MAX_LENGTH,
    TAG_NAME_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    BlogPost,
    Category,
    PostStatus,
    ServicePage,
    Tag,
)
from tenant_apps.writing.pricing.serializers import AwareDateTimeField

# --- Categories and tags ----------------------------------------------------------------------------


class CategorySerializer(serializers.ModelSerializer):
    """A category: ``{id, name, slug, description, position}``."""

    class Meta:
        model = Category
        fields = ("id", "name", "slug", "description", "position")
        read_only_fields = fields


class CategoryInSerializer(serializers.Serializer):
    """Input of ``POST /api/v1/blog/categories/`` (``name`` required) and ``PATCH .../{id}/``."""

    name = serializers.CharField(max_length=CATEGORY_NAME_MAX_LENGTH)
    slug = serializers.CharField(max_length=CATEGORY_NAME_MAX_LENGTH, required=False, allow_blank=True)
    description = serializers.CharField(max_length=300, required=False, allow_blank=True)
    position = serializers.IntegerField(min_value=0, max_value=services.MAX_POSITION, required=False)


class TagSerializer(serializers.ModelSerializer):
    """A tag: ``{id, name, slug}``."""

    class Meta:
        model = Tag
        fields = ("id", "name", "slug")
        read_only_fields = fields


# --- Blog posts -------------------------------------------------------------------------------------


class _CategoryRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Category
        fields = ("id", "name", "slug")
        read_only_fields = fields


class _TagRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Tag
        fields = ("name", "slug")
        read_only_fields = fields


class PostSerializer(serializers.ModelSerializer):
    """A post in a list: ``{id, title, slug, excerpt, status, publish_at, author_name,
    cover_image_url, categories: [{id, name, slug}], tags: [{name, slug}], seo_title,
    seo_description, created_at, updated_at}``. ``status`` is what readers see: a scheduled post
    whose time has come reads ``published``; ``publish_at`` is when it goes (or went) public.
    ``cover_image_url``: a signed link to the image, valid ``FILE_URL_TTL_SECONDS``, or ``null``."""

    status = serializers.SerializerMethodField()
    author_name = serializers.SerializerMethodField()
    cover_image_url = serializers.SerializerMethodField()
    categories = _CategoryRefSerializer(many=True, read_only=True)
    tags = _TagRefSerializer(many=True, read_only=True)

    class Meta:
        model = BlogPost
        fields: tuple[str, ...] = (
            "id",
            "title",
            "slug",
            "excerpt",
            "status",
            "publish_at",
            "author_name",
            "cover_image_url",
            "categories",
            "tags",
            "seo_title",
            "seo_description",
            "created_at",
            "updated_at",
        )
        read_only_fields: tuple[str, ...] = fields

    @extend_schema_field(serializers.ChoiceField(choices=PostStatus.choices))
    def get_status(self, post: BlogPost) -> str:
        return str(PostStatus.PUBLISHED if services.is_live(post) else post.status)

    def get_author_name(self, post: BlogPost) -> str:
        return post.author.full_name if post.author else ""

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_cover_image_url(self, post: BlogPost) -> str | None:
        return file_download_url(post.cover_image) if post.cover_image else None


class PostDetailSerializer(PostSerializer):
    """One post: the list's fields, and ``body`` (clean HTML) and ``cover_image`` (the stored
    file's id, for admins' edits)."""

    class Meta(PostSerializer.Meta):
        fields = (*PostSerializer.Meta.fields, "body", "cover_image")
        read_only_fields = fields


class PostInSerializer(serializers.Serializer):
    """Input of ``POST /api/v1/blog/posts/`` (``title`` required) and ``PATCH .../{slug}/``:
    ``title``, ``slug``, ``excerpt``, ``body`` (HTML, cleaned), ``cover_image`` (an uploaded
    image's id, ``null`` to remove it), ``categories`` (ids), ``tags`` (names, new ones created),
    ``seo_title`` (at most 70), ``seo_description`` (at most 160). Anything else is ignored: the
    status moves through ``publish``, ``unpublish``, ``schedule``; the author is who creates it."""

    title = serializers.CharField(max_length=TITLE_MAX_LENGTH)
    slug = serializers.CharField(max_length=SLUG_MAX_LENGTH, required=False, allow_blank=True)
    excerpt = serializers.CharField(max_length=EXCERPT_MAX_LENGTH, required=False, allow_blank=True)
    body = serializers.CharField(
        max_length=services.BODY_MAX_LENGTH, required=False, allow_blank=True, trim_whitespace=False
    )
    cover_image = serializers.UUIDField(required=False, allow_null=True)
    categories = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**63 - 1),
        max_length=services.MAX_CATEGORIES,
        required=False,
    )
    tags = serializers.ListField(
        child=serializers.CharField(max_length=TAG_NAME_MAX_LENGTH), max_length=services.MAX_TAGS, required=False
    )
    seo_title = serializers.CharField(max_length=SEO_TITLE_MAX_LENGTH, required=False, allow_blank=True)
    seo_description = serializers.CharField(max_length=SEO_DESCRIPTION_MAX_LENGTH, required=False, allow_blank=True)


class ScheduleSerializer(serializers.Serializer):
    """Input of ``POST /api/v1/blog/posts/{slug}/schedule/``: ``{publish_at}`` (aware, future)."""

    publish_at = AwareDateTimeField()


# --- Service pages ----------------------------------------------------------------------------------


class ServicePageSerializer(serializers.ModelSerializer):
    """A service page in a list: ``{id, title, slug, price_from: "49.00" | null, currency,
    is_published, position, seo_title, seo_description, updated_at}``."""

    price_from = AsciiDecimalField(max_digits=12, decimal_places=2, read_only=True, allow_null=True)

    class Meta:
        model = ServicePage
        fields: tuple[str, ...] = (
            "id",
            "title",
            "slug",
            "price_from",
            "currency",
            "is_published",
            "position",
            "seo_title",
            "seo_description",
            "updated_at",
        )
        read_only_fields: tuple[str, ...] = fields


class FaqBlockSerializer(serializers.Serializer):
    """One FAQ block: ``{question: plain text, answer: clean HTML}``."""

    question = serializers.CharField(max_length=services.FAQ_QUESTION_MAX_LENGTH)
    answer = serializers.CharField(max_length=services.FAQ_ANSWER_MAX_LENGTH)


class ServicePageDetailSerializer(ServicePageSerializer):
    """One service page: the list's fields, ``body`` (clean HTML) and ``faq`` (``[{question,
    answer}]``)."""

    faq = FaqBlockSerializer(many=True, read_only=True)

    class Meta(ServicePageSerializer.Meta):
        fields = (*ServicePageSerializer.Meta.fields, "body", "faq", "created_at")
        read_only_fields = fields


class ServicePageInSerializer(serializers.Serializer):
    """Input of ``POST /api/v1/service-pages/`` (``title`` required) and ``PATCH .../{slug}/``:
    ``title``, ``slug``, ``body``, ``price_from`` (``null``: none shown), ``currency``, ``faq``
    (``[{question, answer}]``, checked strictly by the service), ``is_published``, ``position``,
    ``seo_title``, ``seo_description``."""

    title = serializers.CharField(max_length=TITLE_MAX_LENGTH)
    slug = serializers.CharField(max_length=SLUG_MAX_LENGTH, required=False, allow_blank=True)
    body = serializers.CharField(
        max_length=services.BODY_MAX_LENGTH, required=False, allow_blank=True, trim_whitespace=False
    )
    price_from = AsciiDecimalField(
        max_digits=12, decimal_places=2, min_value=Decimal("0.01"), required=False, allow_null=True
    )
    currency = serializers.CharField(min_length=3, max_length=3, required=False)
    faq = serializers.ListField(child=serializers.DictField(), max_length=services.MAX_FAQ, required=False)
    is_published = serializers.BooleanField(required=False)
    position = serializers.IntegerField(min_value=0, max_value=services.MAX_POSITION, required=False)
    seo_title = serializers.CharField(max_length=SEO_TITLE_MAX_LENGTH, required=False, allow_blank=True)
    seo_description = serializers.CharField(max_length=SEO_DESCRIPTION_MAX_LENGTH, required=False, allow_blank=True)
