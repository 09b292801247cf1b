"""Tenant kinds are plug-ins: a kind is its folder plus one line in ``settings.TENANT_KINDS``.

These tests hold the promise of ``docs/adding-a-kind.md``: a throwaway kind written as a folder
gets its apps and URL conf in ``TENANT_TYPES``, its roles, support and finance staff, and the shared
endpoints; and no module outside a kind's folder names the kind's roles.
"""

from __future__ import annotations

import ast
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.dispatch import Signal
from django.urls import resolve
from django_tenants.utils import tenant_context
from pytest_django import Settings

from shared_apps.tenancy.management.commands.setup_demo import _seed_kind
from shared_apps.tenancy.models import Tenant
from tenant_apps import kinds
from tenant_apps.accounts.roles import ADMIN, default_role, roles_of
from tenant_apps.kinds import KindSpec
from tenant_apps.payments.access import finance_roles
from tenant_apps.tickets.roles import support_roles

ROOT = Path(__file__).resolve().parent.parent

ZOO_KIND = """
from tenant_apps.kinds import KindSpec, Role

KIND = KindSpec(
    name="zoo",
    label="Zoo",
    package="zoo_kind",
    roles=(Role("visitor"), Role("keeper", permissions=("accounts.view_user",)), Role("cashier")),
    support_roles=("keeper",),
    finance_roles=("cashier",),
    demo="zoo_kind.demo.seed_demo",
)
"""
ZOO_URLS = """
from saas.urls.common import handler400, handler403, handler404, handler500  # noqa: F401
from saas.urls.tenant import tenant_urlpatterns

urlpatterns = tenant_urlpatterns(__name__, kind_patterns=[])
"""
ZOO_DEMO = """
def seed_demo(*, password):
    return {"animals": ["lion"]}
"""


@pytest.fixture
def zoo_kind(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, settings: Settings) -> Iterator[KindSpec]:
    """A kind written as a folder (``zoo_kind/``: kind.py, urls.py, demo.py) and listed once."""
    package = tmp_path / "zoo_kind"
    package.mkdir()
    (package / "__init__.py").write_text('"""The zoo kind."""\n')
    (package / "kind.py").write_text(textwrap.dedent(ZOO_KIND))
    (package / "urls.py").write_text(textwrap.dedent(ZOO_URLS))
    (package / "demo.py").write_text(textwrap.dedent(ZOO_DEMO))
    monkeypatch.syspath_prepend(str(tmp_path))
    settings.TENANT_KINDS = [*settings.TENANT_KINDS, "zoo_kind"]
    kinds._registry.cache_clear()
    spec = kinds.kind_spec("zoo")
    assert spec is not None
    yield spec
    kinds._registry.cache_clear()
    for name in [name for name in sys.modules if name == "zoo_kind" or name.startswith("zoo_kind.")]:
        del sys.modules[name]


def test_a_kind_folder_listed_once_is_all_it_takes(zoo_kind: KindSpec) -> None:
    # given: the folder and its line in TENANT_KINDS (the fixture); nothing else changed
    # then: the settings' builder gives it the shared apps and its own URL conf
    types = kinds.tenant_types(
        kinds.load_kinds(settings.TENANT_KINDS),
        public=settings.TENANT_TYPES["public"],
        common_apps=settings.TENANT_COMMON_APPS,
    )
    assert types["zoo"] == {"APPS": settings.TENANT_COMMON_APPS, "URLCONF": "zoo_kind.urls"}
    # and its roles, default role, support and finance staff are what kind.py says, admin added
    assert roles_of("zoo") == ("visitor", "keeper", "cashier", ADMIN)
    assert default_role("zoo") == "visitor"
    assert support_roles("zoo") == ("keeper", ADMIN)
    assert finance_roles("zoo") == ("cashier", ADMIN)
    assert zoo_kind.permissions_of("keeper") == ("accounts.view_user",)
    # and its URL conf serves the shared endpoints
    for path in ("/api/v1/site/", "/api/v1/users/", "/api/v1/tickets/", "/api/v1/auth/login/", "/api/v1/schema/"):
        assert resolve(path, urlconf="zoo_kind.urls").url_name != "catch_all", path
    # and setup_demo finds its seeder
    assert _seed_kind(zoo_kind, "pw") == {"animals": ["lion"]}


@pytest.mark.parametrize(
    ("declaration", "problem"),
    [
        ({"roles": ()}, "no roles"),
        ({"roles": (kinds.Role("visitor"), kinds.Role(ADMIN))}, "do not list it"),
        ({"roles": (kinds.Role("visitor"), kinds.Role("visitor"))}, "twice"),
        ({"roles": (kinds.Role("visitor"),), "support_roles": ("keeper",)}, "not among its roles"),
    ],
)
def test_a_wrong_declaration_fails_at_start_up(declaration: dict[str, Any], problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        kinds.KindSpec(name="zoo", label="Zoo", package="zoo_kind", **declaration)


def test_a_broken_demo_import_fails_loudly() -> None:
    spec = kinds.KindSpec(
        name="zoo",
        label="Zoo",
        package="zoo_kind",
        roles=(kinds.Role("visitor"),),
        demo="tenant_apps.school.no_such_module.seed_demo",
    )
    with pytest.raises(ImportError):
        _seed_kind(spec, "pw")


def test_a_kind_receiver_runs_only_in_schemas_of_its_kind(alpha: Tenant, gamma: Tenant) -> None:
    # given: a receiver of the school kind on a process-wide signal
    signal, calls = Signal(), []
    kinds.connect_for_kind(signal, lambda sender, **kw: calls.append(sender), kind="school", dispatch_uid="t")
    # when: the signal is sent while serving a store, then a school
    with tenant_context(gamma):
        signal.send(sender="store")
    with tenant_context(alpha):
        signal.send(sender="school")
    # then
    assert calls == ["school"]


def _string_constants(path: Path) -> set[str]:
    return {
        node.value
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
    }


#: Modules whose strings may coincide with a role's name for another reason.
_COINCIDENCES = {
    ROOT / "shared_apps/tenancy/validators.py": "reserved sub-domains (www, support, billing...)",
}
#: Role names that are also ordinary words of the shared services, and where.
_SHARED_WORDS = {
    "customer": "the invoice's customer (payments: field, filter and e-mail context)",
}


@pytest.mark.parametrize("kind", [name for name in settings.TENANT_TYPES if name != "public"])
def test_no_module_outside_a_kinds_folder_names_its_roles(kind: str) -> None:
    spec = kinds.kind_spec(kind)
    assert spec is not None
    folder = ROOT / spec.package.replace(".", "/")
    own_roles = {role.name for role in spec.roles}
    found = {}
    for top in ("saas", "shared_apps", "tenant_apps"):
        for path in (ROOT / top).rglob("*.py"):
            if folder in path.parents or "migrations" in path.parts or path in _COINCIDENCES:
                continue
            # a role another kind declares too is that kind's to name inside its own folder
            others = {
                p
                for name, s in kinds.all_kinds().items()
                if name != kind and Path(ROOT / s.package.replace(".", "/")) in path.parents
                for p in (r.name for r in s.roles)
            }
            named = (own_roles - others - set(_SHARED_WORDS)) & _string_constants(path)
            if named:
                found[str(path.relative_to(ROOT))] = sorted(named)
    assert found == {}
