"""The category tree (store, point 1): anyone reads it, flat or nested; admins create, rename,
move and delete; a category with products (or products under it) is not deleted."""

from __future__ import annotations

from django_tenants.utils import tenant_context

from tenant_apps.store.catalog.models import Category
from tests.api import error_code
from tests.factories import CategoryFactory, StoreProductFactory
from tests.fixture_types import ApiAsOrAnonymous
from tests.tenant_apps.store.catalog.conftest import CATEGORIES, StorePeople


def test_admins_build_a_tree_that_anyone_reads_flat_or_nested(people: StorePeople, api: ApiAsOrAnonymous) -> None:
    # given
    admin = api(people.tenant, "admin@gamma.test")
    # when
    phones = admin.post(CATEGORIES, {"name": "Phones"}).json()
    smart = admin.post(CATEGORIES, {"name": "Smartphones", "parent": phones["id"]}).json()
    admin.post(CATEGORIES, {"name": "Cases", "parent": phones["id"], "slug": "phone-cases"})
    admin.post(CATEGORIES, {"name": "Books"})
    # then
    flat = api(people.tenant).get(CATEGORIES).json()["results"]
    assert [(c["name"], c["parent"], c["depth"]) for c in flat] == [
        ("Books", None, 1),
        ("Phones", None, 1),
        ("Cases", phones["id"], 2),
        ("Smartphones", phones["id"], 2),
    ]
    tree = api(people.tenant).get(f"{CATEGORIES}tree/").json()
    assert [(n["name"], [c["slug"] for c in n["children"]]) for n in tree] == [
        ("Books", []),
        ("Phones", ["phone-cases", "smartphones"]),
    ]
    assert smart["slug"] == "smartphones"


def test_a_category_moves_with_its_subtree_but_never_under_itself(people: StorePeople, api: ApiAsOrAnonymous) -> None:
    # given
    with tenant_context(people.tenant):
        a = CategoryFactory(name="A")
        b = CategoryFactory(name="B", parent=a)
        c = CategoryFactory(name="C", parent=b)
        d = CategoryFactory(name="D")
    admin = api(people.tenant, "admin@gamma.test")
    # when
    under_child = admin.patch(f"{CATEGORIES}{a.pk}/", {"parent": c.pk})
    moved = admin.patch(f"{CATEGORIES}{b.pk}/", {"parent": d.pk, "name": "B2"})
    to_root = admin.patch(f"{CATEGORIES}{c.pk}/", {"parent": None})
    # then
    assert (under_child.status_code, error_code(under_child)) == (400, "invalid_move")
    assert (moved.status_code, moved.json()["parent"], moved.json()["name"]) == (200, d.pk, "B2")
    assert (to_root.json()["parent"], to_root.json()["depth"]) == (None, 1)
    with tenant_context(people.tenant):
        assert Category.objects.get_parent(Category.objects.get(pk=b.pk)).pk == d.pk


def test_deleting_a_category_with_products_below_is_a_conflict(people: StorePeople, api: ApiAsOrAnonymous) -> None:
    # given
    with tenant_context(people.tenant):
        top = CategoryFactory(name="Top")
        leaf = CategoryFactory(name="Leaf", parent=top)
        empty = CategoryFactory(name="Empty", parent=top)
        StoreProductFactory(seller=people.seller, category=leaf)
    admin = api(people.tenant, "admin@gamma.test")
    # when
    refused = admin.delete(f"{CATEGORIES}{top.pk}/")
    deleted = admin.delete(f"{CATEGORIES}{empty.pk}/")
    # then
    assert (refused.status_code, error_code(refused)) == (409, "category_has_products")
    assert deleted.status_code == 204
    with tenant_context(people.tenant):
        assert sorted(Category.objects.values_list("name", flat=True)) == ["Leaf", "Top"]
        assert Category.objects.get(pk=top.pk).numchild == 1


def test_only_admins_change_categories(people: StorePeople, api: ApiAsOrAnonymous) -> None:
    with tenant_context(people.tenant):
        category = CategoryFactory()
    for email in ("customer@gamma.test", "seller@gamma.test", "delivery@gamma.test"):
        client = api(people.tenant, email)
        assert client.post(CATEGORIES, {"name": "X"}).status_code == 403
        assert client.patch(f"{CATEGORIES}{category.pk}/", {"name": "X"}).status_code == 403
        assert client.delete(f"{CATEGORIES}{category.pk}/").status_code == 403
    assert api(people.tenant).post(CATEGORIES, {"name": "X"}).status_code == 401


def test_a_taken_slug_is_a_conflict(people: StorePeople, api: ApiAsOrAnonymous) -> None:
    admin = api(people.tenant, "admin@gamma.test")
    admin.post(CATEGORIES, {"name": "Toys", "slug": "toys"})
    again = admin.post(CATEGORIES, {"name": "Other toys", "slug": "toys"})
    assert (again.status_code, error_code(again)) == (409, "slug_taken")
    assert admin.post(CATEGORIES, {"name": "Toys"}).json()["slug"] == "toys-2"
