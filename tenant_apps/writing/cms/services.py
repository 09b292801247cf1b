"""Writes of the writing CMS app (admin): categories, blog posts (with their tags, made on the fly)
and service pages. Every function is keyword-only, atomic and audited; each checks the actor's
role itself (``access.can_manage_content``) as well as the views.

Rules (issue 14, point 8):

* rich text (a post's ``body``, a page's ``body``, every FAQ ``answer``) is cleaned by
  ``sanitize.clean_html`` on every write: what is stored is safe to render as it is;
* slugs are unique per kind of row: one given explicitly must be a valid slug and free (400
  ``validation_error`` naming ``slug`` otherwise, also when two admins race: the unique index
  decides); one left out is made from the title, with ``-2``, ``-3``... on a clash
  (``saas.db.slugs.unique_slug``);
* a post moves ``draft`` -> ``scheduled`` (``publish_at`` in the future) -> ``published``; a
  live post (published, or scheduled and due) is unpublished before it can be scheduled again
  (409 ``invalid_status_transition``); publishing or unpublishing twice changes nothing. Each
  move is checked and written under the post's lock (``locks.post_lock``);
* a scheduled post is public from ``publish_at`` on its own (``access.public_post_q``); the beat
  job ``posts_publish_due`` only makes the stored status say so;
* a service page's ``price_from`` is in its ``currency`` (default: the site's pricing currency),
  exact in the currency's step (``saas.money.check_amount``), or ``None``;
* FAQ blocks: at most ``MAX_FAQ`` items, each exactly ``{"question", "answer"}``: the question
  plain text (1-300 characters), the answer HTML (1-5000 characters, cleaned).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import slugify

from saas.billing import plan_slot
from saas.db.slugs import unique_slug
from saas.errors import ApplicationError, Conflict, ErrorCode, NotFound, PermissionDenied
from saas.money import check_amount, normalize_currency
from tenant_apps.audit.diff import apply_changes
from tenant_apps.audit.services import audit_record
from tenant_apps.files.access import access_file
from tenant_apps.writing.cms.access import can_manage_content
from tenant_apps.writing.cms.locks import due_posts_lock, post_lock
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
from tenant_apps.writing.cms.sanitize import clean_html

#: The longest rich text accepted (characters, before cleaning).
BODY_MAX_LENGTH = 100_000
MAX_TAGS = 20
MAX_CATEGORIES = 10
MAX_FAQ = 50
FAQ_QUESTION_MAX_LENGTH = 300
FAQ_ANSWER_MAX_LENGTH = 5000
MAX_POSITION = 10000
#: Slugs a post or page may not take (they would read as the routes' actions).
RESERVED_SLUGS = frozenset({"publish", "unpublish", "schedule"})
POST_FIELDS = frozenset(
    {"title", "slug", "excerpt", "body", "cover_image", "categories", "tags", "seo_title", "seo_description"}
)
PAGE_FIELDS = frozenset(
    {
        "title",
        "slug",
        "body",
        "price_from",
        "currency",
        "faq",
        "is_published",
        "position",
        "seo_title",
        "seo_description",
    }
)
CATEGORY_FIELDS = frozenset({"name", "slug", "description", "position"})


def field_error(field: str, message: str) -> ApplicationError:
    """A 400 ``validation_error`` naming ``field`` in ``details`` (the serializers' shape)."""
    return ApplicationError(message, code=ErrorCode.VALIDATION_ERROR, details={field: [message]})


def _require(actor: Any) -> None:
    if not can_manage_content(actor):
        raise PermissionDenied("Your role does not allow this action.")


def _text(value: Any, *, field: str, max_length: int, required: bool = False) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise field_error(field, "Not a valid string.")
    text = value.strip()
    if required and not text:
        raise field_error(field, "This field may not be blank.")
    if len(text) > max_length:
        raise field_error(field, f"At most {max_length} characters.")
    return text


def _rich(value: Any, *, field: str, max_length: int = BODY_MAX_LENGTH, required: bool = False) -> str:
    html = clean_html(_text(value, field=field, max_length=max_length, required=required))
    if required and not html:
        raise field_error(field, "Nothing is left of this text once cleaned.")
    return html


def _whole(value: Any, *, field: str, low: int = 0, high: int = MAX_POSITION) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise field_error(field, f"A whole number from {low} to {high}.")
    return value


def _given_slug(value: Any, *, rows: Any, max_length: int = SLUG_MAX_LENGTH) -> str:
    """An explicit slug: valid, not reserved, not all digits and free among ``rows`` (400 otherwise)."""
    slug = _text(value, field="slug", max_length=max_length, required=True)
    if slugify(slug) != slug or slug.isdigit() or slug in RESERVED_SLUGS:
        raise field_error("slug", "Lower-case letters, digits and hyphens, e.g. how-to-write-an-essay.")
    if rows.filter(slug=slug).exists():
        raise field_error("slug", "This slug is taken.")
    return slug


def _slug(value: Any, *, rows: Any, title: str, fallback: str, max_length: int = SLUG_MAX_LENGTH) -> str:
    if value not in (None, ""):
        return _given_slug(value, rows=rows, max_length=max_length)
    return unique_slug(rows, title, fallback=fallback, reserved=RESERVED_SLUGS, max_length=max_length)


def _save_unique(obj: Any, *, update_fields: Iterable[str] | None = None) -> None:
    """Save ``obj``; a slug another request took meanwhile answers 400 naming ``slug``."""
    try:
        with transaction.atomic():
            obj.save(update_fields=update_fields)
    except IntegrityError:
        raise field_error("slug", "This slug is taken.") from None


def _next_position(rows: Any) -> int:
    return min(int(rows.aggregate(last=Max("position"))["last"] or 0) + 1, MAX_POSITION)


def _unknown(fields: dict[str, Any], allowed: frozenset[str], what: str) -> None:
    unknown = set(fields) - allowed
    if unknown:
        raise TypeError(f"unknown {what} fields: {sorted(unknown)}")


# --- Categories -------------------------------------------------------------------------------------


def _category_values(fields: dict[str, Any], *, category: Category | None) -> dict[str, Any]:
    clean: dict[str, Any] = {}
    if "name" in fields:
        clean["name"] = _text(fields["name"], field="name", max_length=CATEGORY_NAME_MAX_LENGTH, required=True)
    if "description" in fields:
        clean["description"] = _text(fields["description"], field="description", max_length=300)
    if "position" in fields:
        clean["position"] = _whole(fields["position"], field="position")
    others = Category.objects.exclude(pk=category.pk) if category else Category.objects.all()
    if "slug" in fields or category is None:
        name = clean.get("name", category.name if category else "")
        clean["slug"] = _slug(
            fields.get("slug"), rows=others, title=name, fallback="category", max_length=CATEGORY_NAME_MAX_LENGTH
        )
    return clean


def category_create(*, actor: Any, **fields: Any) -> Category:
    """Add a blog category (admin): ``name`` (1-80 characters), ``slug`` (default from the name),
    ``description`` (at most 300), ``position`` (0-10000; default after the last). Audited
    (``writing.cms_category_created``).

    Raises ``PermissionDenied`` (403), ``ApplicationError`` ``validation_error`` (400);
    ``TypeError`` for an unknown field.
    """
    _require(actor)
    _unknown(fields, CATEGORY_FIELDS, "category")
    if "name" not in fields:
        raise field_error("name", "This field is required.")
    clean = _category_values(fields, category=None)
    clean.setdefault("position", _next_position(Category.objects.all()))
    category = Category(**clean)
    with transaction.atomic():
        _save_unique(category)
        audit_record(actor=actor, verb="writing.cms_category_created", target=category, changes={"name": category.name})
    return category


def category_update(*, actor: Any, category: Category, **fields: Any) -> Category:
    """Change a category (admin): any of ``name``, ``slug``, ``description``, ``position``.
    Audited (``writing.cms_category_updated``). Raises as ``category_create``."""
    _require(actor)
    _unknown(fields, CATEGORY_FIELDS, "category")
    clean = _category_values(fields, category=category)
    with transaction.atomic():
        changed = apply_changes(category, clean)
        if changed:
            _save_unique(category, update_fields=[*changed, "updated_at"])
            audit_record(actor=actor, verb="writing.cms_category_updated", target=category, changes=changed)
    return category


@transaction.atomic
def category_delete(*, actor: Any, category: Category) -> None:
    """Delete a category (admin); its posts stay, without it. Audited. Raises ``PermissionDenied``."""
    _require(actor)
    audit_record(actor=actor, verb="writing.cms_category_deleted", target=category, changes={"slug": category.slug})
    category.delete()


# --- Blog posts -------------------------------------------------------------------------------------


def _cover(value: Any, *, actor: Any) -> Any:
    """The stored image ``value`` or ``None``: a ``StoredFile`` the actor may read, uploaded by an
    admin (a client's private upload, such as an order's attachment, is never made public by
    becoming a cover), of an image type."""
    if value is None:
        return None
    try:
        stored = access_file(user=actor, pk=value)
    except NotFound:
        raise field_error("cover_image", "No such uploaded file.") from None
    if stored.uploaded_by is None or not can_manage_content(stored.uploaded_by):
        raise field_error("cover_image", "No such uploaded file.")
    if not str(stored.content_type).startswith("image/"):
        raise field_error("cover_image", "An image (PNG, JPEG, GIF or WebP).")
    return stored


def _categories(value: Any) -> list[Category]:
    if not isinstance(value, list | tuple) or len(value) > MAX_CATEGORIES:
        raise field_error("categories", f"A list of at most {MAX_CATEGORIES} category ids.")
    ids = {pk for pk in value if isinstance(pk, int) and not isinstance(pk, bool)}
    if len(ids) != len(set(value)):
        raise field_error("categories", "Category ids are whole numbers.")
    found = list(Category.objects.filter(pk__in=ids))
    if len(found) != len(ids):
        raise field_error("categories", "No such category.")
    return found


def _tag_names(value: Any) -> dict[str, str]:
    """``{slug: name}`` of the tag names given (the first spelling of a slug wins)."""
    if not isinstance(value, list | tuple) or len(value) > MAX_TAGS:
        raise field_error("tags", f"A list of at most {MAX_TAGS} tag names.")
    named: dict[str, str] = {}
    for item in value:
        name = _text(item, field="tags", max_length=TAG_NAME_MAX_LENGTH, required=True)
        slug = slugify(name)
        if not slug:
            raise field_error("tags", f"{name!r} has no letters or digits.")
        named.setdefault(slug, name)
    return named


def _tags(named: dict[str, str]) -> list[Tag]:
    """The tags ``named`` (``{slug: name}``), the missing ones created: inserted in slug order,
    ``ON CONFLICT DO NOTHING``, so two posts naming the same new tags at once never fail nor
    deadlock (``locks.py``)."""
    slugs = sorted(named)
    Tag.objects.bulk_create([Tag(slug=slug, name=named[slug]) for slug in slugs], ignore_conflicts=True)
    return list(Tag.objects.filter(slug__in=slugs))


def _post_values(fields: dict[str, Any], *, actor: Any, post: BlogPost | None) -> dict[str, Any]:
    clean: dict[str, Any] = {}
    if "title" in fields:
        clean["title"] = _text(fields["title"], field="title", max_length=TITLE_MAX_LENGTH, required=True)
    if "excerpt" in fields:
        clean["excerpt"] = _text(fields["excerpt"], field="excerpt", max_length=EXCERPT_MAX_LENGTH)
    if "body" in fields:
        clean["body"] = _rich(fields["body"], field="body")
    if "seo_title" in fields:
        clean["seo_title"] = _text(fields["seo_title"], field="seo_title", max_length=SEO_TITLE_MAX_LENGTH)
    if "seo_description" in fields:
        clean["seo_description"] = _text(
            fields["seo_description"], field="seo_description", max_length=SEO_DESCRIPTION_MAX_LENGTH
        )
    if "cover_image" in fields:
        clean["cover_image"] = _cover(fields["cover_image"], actor=actor)
    if "slug" in fields or post is None:
        others = BlogPost.objects.exclude(pk=post.pk) if post else BlogPost.objects.all()
        title = clean.get("title", post.title if post else "")
        clean["slug"] = _slug(fields.get("slug"), rows=others, title=title, fallback="post")
    return clean


def _set_relations(post: BlogPost, checked: dict[str, Any]) -> dict[str, list[Any]]:
    """Set the post's categories and tags given (``_relations``); returns
    the audit diff of those that changed."""
    changed: dict[str, list[Any]] = {}
    if "categories" in checked:
        before = sorted(post.categories.values_list("slug", flat=True))
        post.categories.set(checked["categories"])
        after = sorted(c.slug for c in checked["categories"])
        if before != after:
            changed["categories"] = [before, after]
    if "tags" in checked:
        before = sorted(post.tags.values_list("slug", flat=True))
        tags = _tags(checked["tags"])
        post.tags.set(tags)
        after = sorted(t.slug for t in tags)
        if before != after:
            changed["tags"] = [before, after]
    return changed


def _relations(fields: dict[str, Any]) -> dict[str, Any]:
    checked: dict[str, Any] = {}
    if "categories" in fields:
        checked["categories"] = _categories(fields["categories"])
    if "tags" in fields:
        checked["tags"] = _tag_names(fields["tags"])
    return checked


def post_create(*, actor: Any, **fields: Any) -> BlogPost:
    """Write a draft blog post (admin), ``actor`` its author: ``title`` (1-200 characters), and any
    of ``slug`` (default from the title), ``excerpt`` (500), ``body`` (HTML, cleaned), ``cover_image``
    (a ``StoredFile`` id of an image an admin uploaded, or ``None``), ``categories`` (ids),
    ``tags`` (names; new ones are created), ``seo_title`` (70), ``seo_description`` (160).
    Audited (``writing.blog_post_created``).

    Raises ``PermissionDenied`` (403), ``ApplicationError`` ``validation_error`` (400, naming the
    field); ``TypeError`` for an unknown field.
    """
    _require(actor)
    _unknown(fields, POST_FIELDS, "blog post")
    if "title" not in fields:
        raise field_error("title", "This field is required.")
    clean = _post_values(fields, actor=actor, post=None)
    checked = _relations(fields)
    post = BlogPost(author=actor, status=PostStatus.DRAFT, **clean)
    with transaction.atomic():
        _save_unique(post)
        _set_relations(post, checked)
        audit_record(
            actor=actor, verb="writing.blog_post_created", target=post, changes={"title": post.title, "slug": post.slug}
        )
    return post


def post_update(*, actor: Any, post: BlogPost, **fields: Any) -> BlogPost:
    """Change a post (admin): any field of ``post_create``; ``categories`` and ``tags`` replace the
    post's. Under the post's lock (``locks.post_lock``): two edits apply one after the other.
    Audited (``writing.blog_post_updated``) when something changed. Returns the post as stored.

    Raises as ``post_create``, and ``NotFound`` (404) if the post was deleted meanwhile.
    """
    _require(actor)
    _unknown(fields, POST_FIELDS, "blog post")
    with transaction.atomic():
        locked = post_lock(post.pk)
        clean = _post_values(fields, actor=actor, post=locked)
        checked = _relations(fields)
        changed = apply_changes(locked, clean)
        if changed:
            _save_unique(locked, update_fields=[*changed, "updated_at"])
        if "cover_image" in changed:  # a StoredFile's id is a UUID: as a string in the audit row
            changed["cover_image"] = [None if v is None else str(v) for v in changed["cover_image"]]
        changed.update(_set_relations(locked, checked))
        if changed:
            audit_record(actor=actor, verb="writing.blog_post_updated", target=locked, changes=changed)
    return locked


def is_live(post: BlogPost, *, now: datetime | None = None) -> bool:
    """Whether anyone may read ``post`` now: published, or scheduled and due."""
    if post.status == PostStatus.PUBLISHED:
        return True
    moment = now or timezone.now()
    return post.status == PostStatus.SCHEDULED and post.publish_at is not None and post.publish_at <= moment


def check_move(post: BlogPost, to: str) -> None:
    """Refuse moving ``post`` (as read under its lock) to status ``to`` when the rules forbid it:
    scheduling a live post raises ``Conflict`` ``invalid_status_transition`` (409)."""
    if to == PostStatus.SCHEDULED and is_live(post):
        raise Conflict(
            "This post is public: unpublish it before scheduling it.", code=ErrorCode.INVALID_STATUS_TRANSITION
        )


def _move(*, actor: Any, post: BlogPost, to: str, when: Callable[[BlogPost], datetime | None], verb: str) -> BlogPost:
    """Move ``post`` to ``to`` under its lock, ``publish_at`` set to ``when(locked post)``."""
    with transaction.atomic():
        locked = post_lock(post.pk)
        check_move(locked, to)
        changed = apply_changes(locked, {"status": to, "publish_at": when(locked)})
        if changed:
            locked.save(update_fields=[*changed, "updated_at"])
            audit_record(actor=actor, verb=verb, target=locked, changes=changed)
    return locked


def post_publish(*, actor: Any, post: BlogPost) -> BlogPost:
    """Make ``post`` public now (admin): ``published``, ``publish_at`` now (a scheduled post already
    due keeps the moment it went public; a published one is left as it is). Under the post's lock;
    audited (``writing.blog_post_published``). Raises ``PermissionDenied`` (403), ``NotFound``."""
    _require(actor)

    def when(locked: BlogPost) -> datetime:
        return locked.publish_at if is_live(locked) and locked.publish_at else timezone.now()

    return _move(actor=actor, post=post, to=PostStatus.PUBLISHED, when=when, verb="writing.blog_post_published")


def post_unpublish(*, actor: Any, post: BlogPost) -> BlogPost:
    """Take ``post`` back to ``draft`` (admin), from any status (a no-op for a draft): no longer
    public, its ``publish_at`` cleared. Under the post's lock; audited
    (``writing.blog_post_unpublished``). Raises ``PermissionDenied`` (403), ``NotFound``."""
    _require(actor)
    return _move(actor=actor, post=post, to=PostStatus.DRAFT, when=lambda _: None, verb="writing.blog_post_unpublished")


def post_schedule(*, actor: Any, post: BlogPost, publish_at: datetime) -> BlogPost:
    """Schedule ``post`` (admin, a draft or a post scheduled but not yet due) to go public at
    ``publish_at`` (aware, in the future). Under the post's lock; audited
    (``writing.blog_post_scheduled``).

    Raises ``PermissionDenied`` (403), ``ApplicationError`` ``validation_error`` (400, naming
    ``publish_at``), ``Conflict`` ``invalid_status_transition`` (409: the post is live),
    ``NotFound``.
    """
    _require(actor)
    if not isinstance(publish_at, datetime) or timezone.is_naive(publish_at):
        raise field_error("publish_at", "A date and time with a time zone.")
    if publish_at <= timezone.now():
        raise field_error("publish_at", "A moment in the future (to publish now, publish).")
    return _move(
        actor=actor, post=post, to=PostStatus.SCHEDULED, when=lambda _: publish_at, verb="writing.blog_post_scheduled"
    )


@transaction.atomic
def post_delete(*, actor: Any, post: BlogPost) -> None:
    """Delete ``post`` (admin); its tags stay. Audited (``writing.blog_post_deleted``)."""
    _require(actor)
    audit_record(actor=actor, verb="writing.blog_post_deleted", target=post, changes={"slug": post.slug})
    post.delete()


def posts_publish_due() -> list[int]:
    """Mark the scheduled posts whose ``publish_at`` has passed ``published`` (the beat job); returns
    their ids. The due rows are locked first, skipping any an admin holds (``locks.due_posts_lock``):
    a post being unpublished is left to that admin, and the next run sees it if it is still due.
    Readers never depend on this job (``access.public_post_q``)."""
    now = timezone.now()
    with transaction.atomic():
        ids = due_posts_lock(now)
        if ids:
            BlogPost.objects.filter(pk__in=ids).update(status=PostStatus.PUBLISHED, updated_at=now)
    return ids


# --- Service pages ----------------------------------------------------------------------------------


def _faq(value: Any) -> list[dict[str, str]]:
    """FAQ blocks checked strictly: a list of at most ``MAX_FAQ`` objects with exactly the keys
    ``question`` (plain text, 1-300 characters) and ``answer`` (HTML, 1-5000, cleaned)."""
    if not isinstance(value, list | tuple) or len(value) > MAX_FAQ:
        raise field_error("faq", f"A list of at most {MAX_FAQ} {{question, answer}} objects.")
    blocks: list[dict[str, str]] = []
    for index, item in enumerate(value):
        if not isinstance(item, dict) or set(item) != {"question", "answer"}:
            raise field_error("faq", f"Item {index}: an object with exactly question and answer.")
        question = _text(item["question"], field="faq", max_length=FAQ_QUESTION_MAX_LENGTH, required=True)
        answer = _rich(item["answer"], field="faq", max_length=FAQ_ANSWER_MAX_LENGTH, required=True)
        blocks.append({"question": question, "answer": answer})
    return blocks


def _page_values(fields: dict[str, Any], *, page: ServicePage | None) -> dict[str, Any]:
    clean: dict[str, Any] = {}
    if "title" in fields:
        clean["title"] = _text(fields["title"], field="title", max_length=TITLE_MAX_LENGTH, required=True)
    if "body" in fields:
        clean["body"] = _rich(fields["body"], field="body")
    if "faq" in fields:
        clean["faq"] = _faq(fields["faq"])
    if "is_published" in fields:
        if not isinstance(fields["is_published"], bool):
            raise field_error("is_published", "Must be a valid boolean.")
        clean["is_published"] = fields["is_published"]
    if "position" in fields:
        clean["position"] = _whole(fields["position"], field="position")
    if "seo_title" in fields:
        clean["seo_title"] = _text(fields["seo_title"], field="seo_title", max_length=SEO_TITLE_MAX_LENGTH)
    if "seo_description" in fields:
        clean["seo_description"] = _text(
            fields["seo_description"], field="seo_description", max_length=SEO_DESCRIPTION_MAX_LENGTH
        )
    if "currency" in fields:
        if not isinstance(fields["currency"], str):
            raise field_error("currency", "An ISO 4217 code such as USD.")
        clean["currency"] = normalize_currency(fields["currency"])
    elif page is None:
        from tenant_apps.writing.pricing.services import pricing_currency

        clean["currency"] = pricing_currency()
    currency = clean.get("currency", page.currency if page else "")
    price = fields.get("price_from", page.price_from if page else None)
    if price is not None and ("price_from" in fields or "currency" in clean):
        clean["price_from"] = check_amount(price, currency, field="price_from")
    elif "price_from" in fields:
        clean["price_from"] = None
    if "slug" in fields or page is None:
        others = ServicePage.objects.exclude(pk=page.pk) if page else ServicePage.objects.all()
        title = clean.get("title", page.title if page else "")
        clean["slug"] = _slug(fields.get("slug"), rows=others, title=title, fallback="service")
    return clean


def service_page_create(*, actor: Any, **fields: Any) -> ServicePage:
    """Add a service page (admin): ``title`` (1-200 characters) and any of ``slug`` (default from the
    title), ``body`` (HTML, cleaned), ``price_from`` (``Decimal`` > 0 exact in ``currency``, or
    ``None``), ``currency`` (ISO 4217; default the site's pricing currency), ``faq`` (``_faq``),
    ``is_published`` (default ``False``), ``position`` (0-10000; default after the last),
    ``seo_title`` (70), ``seo_description`` (160). Audited (``writing.service_page_created``).

    Takes one of the plan's ``service_pages`` (``saas.billing.plan_slot``, held until the commit).

    Raises ``PermissionDenied`` (403; 403 ``plan_limit_reached``: nothing written), ``ApplicationError``
    ``validation_error``, ``invalid_amount`` or ``invalid_currency`` (400, naming the field);
    ``TypeError`` for an unknown field.
    """
    _require(actor)
    _unknown(fields, PAGE_FIELDS, "service page")
    if "title" not in fields:
        raise field_error("title", "This field is required.")
    clean = _page_values(fields, page=None)
    clean.setdefault("position", _next_position(ServicePage.objects.all()))
    page = ServicePage(**clean)
    with transaction.atomic():
        plan_slot("service_pages")
        _save_unique(page)
        audit_record(
            actor=actor,
            verb="writing.service_page_created",
            target=page,
            changes={"title": page.title, "slug": page.slug},
        )
    return page


def service_page_update(*, actor: Any, page: ServicePage, **fields: Any) -> ServicePage:
    """Change a service page (admin): any field of ``service_page_create`` (``faq`` replaces the
    blocks; ``is_published`` shows or hides it). Audited (``writing.service_page_updated``).
    Raises as ``service_page_create``."""
    _require(actor)
    _unknown(fields, PAGE_FIELDS, "service page")
    clean = _page_values(fields, page=page)
    with transaction.atomic():
        changed = apply_changes(page, clean)
        if changed:
            _save_unique(page, update_fields=[*changed, "updated_at"])
            audit_record(actor=actor, verb="writing.service_page_updated", target=page, changes=changed)
    return page


@transaction.atomic
def service_page_delete(*, actor: Any, page: ServicePage) -> None:
    """Delete a service page (admin). Audited (``writing.service_page_deleted``)."""
    _require(actor)
    audit_record(actor=actor, verb="writing.service_page_deleted", target=page, changes={"slug": page.slug})
    page.delete()
