"""The category tree (admins edit it): create, rename, move, delete.

Every structural change holds ``locks.category_tree_lock`` (treebeard derives paths from the rows
it reads); a deletion also locks the subtree's rows, which a product's creation in one of them
waits for (``products.product_create`` locks its category), so no product lands in a category
being deleted.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.text import slugify
from treebeard.exceptions import InvalidMoveToDescendant

from saas.db.slugs import unique_slug
from saas.errors import Conflict, ErrorCode, NotFound
from tenant_apps.audit.diff import apply_changes
from tenant_apps.audit.services import audit_record
from tenant_apps.store.catalog.access import can_manage_catalog
from tenant_apps.store.catalog.locks import category_lock, category_subtree_lock, category_tree_lock
from tenant_apps.store.catalog.models import Category, Product
from tenant_apps.store.catalog.services._common import clean_text, field_error, require

NAME_MAX_LENGTH = 120


def _slug_for(name: str, slug: str, *, exclude_pk: int | None = None) -> str:
    taken = Category.objects.exclude(pk=exclude_pk) if exclude_pk else Category.objects.all()
    if not slug:
        return unique_slug(taken, name, fallback="category", max_length=140)
    clean = slugify(slug)
    if not clean:
        raise field_error("slug", "Letters, digits and hyphens.", code=ErrorCode.INVALID_SLUG)
    if taken.filter(slug=clean).exists():
        raise Conflict("A category with this slug exists.", code=ErrorCode.SLUG_TAKEN, details={"slug": ["Taken."]})
    return clean


def category_create(*, actor: Any, name: str, slug: str = "", parent: Category | None = None) -> Category:
    """Add a category under ``parent`` (a root when ``None``), siblings kept sorted by name (admin).

    ``slug`` defaults to one made from ``name``, made unique. Raises ``permission_denied`` (403),
    ``validation_error``/``invalid_slug`` (400), ``slug_taken`` (409), ``not_found`` (404: the
    parent was deleted meanwhile).
    """
    require(can_manage_catalog(actor))
    name = clean_text(name, field="name", max_length=NAME_MAX_LENGTH)
    with transaction.atomic():
        category_tree_lock()
        fields = {"name": name, "slug": _slug_for(name, slug)}
        if parent is None:
            category = Category.objects.add_root(fields)
        else:
            fresh = Category.objects.filter(pk=parent.pk).first()
            if fresh is None:
                raise field_error("parent", "No such category.")
            category = Category.objects.add_child(fresh, fields)
        audit_record(
            actor=actor,
            verb="category.created",
            target=category,
            changes={"name": name, "slug": category.slug, "parent": parent.pk if parent else None},
        )
    return Category.objects.get(pk=category.pk)


def category_rename(*, actor: Any, category: Category, name: str | None = None, slug: str | None = None) -> Category:
    """Change ``name`` and/or ``slug`` of ``category`` (admin). Raises like ``category_create``."""
    require(can_manage_catalog(actor))
    values: dict[str, Any] = {}
    if name is not None:
        values["name"] = clean_text(name, field="name", max_length=NAME_MAX_LENGTH)
    with transaction.atomic():
        category = category_lock(category.pk)
        if slug is not None:
            values["slug"] = _slug_for(values.get("name", category.name), slug, exclude_pk=category.pk)
        changed = apply_changes(category, values)
        if changed:
            category.save(update_fields=list(changed))
            audit_record(actor=actor, verb="category.updated", target=category, changes=changed)
    return category


def _invalid_move() -> Exception:
    return field_error("parent", "A category cannot move under itself.", code=ErrorCode.INVALID_MOVE)


def category_move(*, actor: Any, category: Category, parent: Category | None) -> Category:
    """Move ``category`` with its subtree under ``parent`` (to the roots when ``None``), sorted by name.

    Raises ``permission_denied`` (403), ``invalid_move`` (400: under itself or a descendant).
    """
    require(can_manage_catalog(actor))
    with transaction.atomic():
        category_tree_lock()
        fresh = Category.objects.filter(pk=category.pk).first()  # its path, as the tree lock leaves it
        if fresh is None:
            raise NotFound("No such category.")
        node = category_subtree_lock(fresh)[0]
        before = Category.objects.get_parent(node)
        if parent is None:
            if node.is_root():
                return node
            Category.objects.move(node, Category.objects.get_first_root_node(), "sorted-sibling")
        else:
            target = Category.objects.filter(pk=parent.pk).first()
            if target is None:
                raise field_error("parent", "No such category.")
            if target.path.startswith(node.path):
                raise _invalid_move()
            try:
                Category.objects.move(node, target, "sorted-child")
            except InvalidMoveToDescendant:
                raise _invalid_move() from None
        audit_record(
            actor=actor,
            verb="category.moved",
            target=node,
            changes={"parent": [before.pk if before else None, parent.pk if parent else None]},
        )
    return Category.objects.get(pk=category.pk)


def category_delete(*, actor: Any, category: Category) -> None:
    """Delete ``category`` and its subtree (admin), if no product is in any of them.

    Raises ``permission_denied`` (403), ``category_has_products`` (409).
    """
    require(can_manage_catalog(actor))
    with transaction.atomic():
        category_tree_lock()
        fresh = Category.objects.filter(pk=category.pk).first()  # its path, as the tree lock leaves it
        if fresh is None:
            return
        subtree = category_subtree_lock(fresh)
        node = subtree[0]
        if Product.objects.filter(category_id__in=[c.pk for c in subtree]).exists():
            raise Conflict(
                "This category (or one under it) has products; move them first.",
                code=ErrorCode.CATEGORY_HAS_PRODUCTS,
            )
        audit_record(
            actor=actor,
            verb="category.deleted",
            target=node,
            changes={"name": node.name, "slug": node.slug, "subtree": [c.pk for c in subtree]},
        )
        node.delete()
