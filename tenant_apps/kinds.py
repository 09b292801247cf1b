"""Tenant kinds as plug-ins: each kind declares itself in one module, ``<package>/kind.py``.

A kind is a folder under ``tenant_apps/`` (``tenant_apps/school/``) holding its apps, its URL conf
(``urls.py``) and ``kind.py``, which defines ``KIND = KindSpec(...)``: its name and label, its apps,
its roles with their model permissions, which roles act as support and as finance for the shared
services, its ticket targets and its demo seeder. ``settings.TENANT_KINDS`` lists the kinds'
packages; that line is the only place outside the folder that names a kind. Everything that
needs to know about kinds reads it from here:

* the settings' ``TENANT_TYPES`` (apps and URL conf per kind): ``tenant_types()``;
* roles (``accounts.roles``), support staff (``tickets.roles``), finance (``payments.access``);
* ticket targets (registered by the tickets app at start-up), ``setup_demo``;
* receivers of process-wide signals that must act only in their kind's schemas:
  ``connect_for_kind``.

``kind.py`` is imported while the settings load, before any app: it may import only this module
(and the standard library); everything else in it is a dotted path, resolved later.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any

#: The role every kind has: the site's administrator, holding every permission of its schema.
ADMIN = "admin"


@dataclass(frozen=True)
class Role:
    """A role of a kind: an auth Group of that name with these model permissions (``"app.codename"``)."""

    name: str
    permissions: tuple[str, ...] = ()


@dataclass(frozen=True)
class TicketTarget:
    """A model tickets may be about (``"app_label.Model"``), and who may link which object: the
    dotted path of ``can_link(user, obj) -> bool``, or ``None`` for anyone."""

    model: str
    can_link: str | None = None


@dataclass(frozen=True)
class PlanLimit:
    """A count a plan may limit on sites of a kind (``KindSpec.limits``): ``name`` is the key in
    ``Plan.limits`` (``"products"``), ``label`` what people read, ``counter`` the dotted path of
    ``count() -> int``, the site's current usage, read in its schema."""

    name: str
    label: str
    counter: str


@dataclass(frozen=True)
class KindSpec:
    """What a kind is (``KIND`` in ``<package>/kind.py``).

    ``roles`` are the kind's own roles, the first being what a self-registered user gets;
    ``admin`` is added last (``role_names``). ``support_roles`` and ``finance_roles`` name some of
    them (``admin`` acts as both everywhere). ``apps`` are the kind's Django apps (dotted
    paths), ``demo`` the dotted path of ``seed_demo(*, password) -> dict`` or ``None``;
    ``demo_site_name`` names the demo site ``setup_demo`` creates. ``limits`` are the counts
    a plan may limit on the kind's sites besides the platform's own (users, storage, custom
    domains): ``shared_apps/billing/limits.py``.
    """

    name: str
    label: str
    package: str
    roles: tuple[Role, ...]
    apps: tuple[str, ...] = ()
    support_roles: tuple[str, ...] = ()
    finance_roles: tuple[str, ...] = ()
    ticket_targets: tuple[TicketTarget, ...] = ()
    demo: str | None = None
    demo_site_name: str = ""
    limits: tuple[PlanLimit, ...] = ()

    def __post_init__(self) -> None:
        names = [role.name for role in self.roles]
        problems = []
        if not names:
            problems.append("it has no roles")
        if ADMIN in names:
            problems.append(f"{ADMIN!r} is added to every kind: do not list it")
        if len(set(names)) != len(names):
            problems.append("a role is listed twice")
        unknown = (set(self.support_roles) | set(self.finance_roles)) - set(names)
        if unknown:
            problems.append(f"support/finance roles {sorted(unknown)} are not among its roles")
        if problems:
            raise ValueError(f"kind {self.name!r} ({self.package}.kind): {'; '.join(problems)}")

    @property
    def role_names(self) -> tuple[str, ...]:
        """The kind's role names, ``admin`` last."""
        return (*(role.name for role in self.roles), ADMIN)

    @property
    def default_role(self) -> str:
        """What a user who registers on a site of this kind gets."""
        return self.roles[0].name

    @property
    def urlconf(self) -> str:
        """The kind's URL conf module: ``<package>.urls``."""
        return f"{self.package}.urls"

    def permissions_of(self, role: str) -> tuple[str, ...]:
        """The model permissions of ``role`` (``admin`` gets every permission, see ``accounts.roles``)."""
        return next((r.permissions for r in self.roles if r.name == role), ())


def load_kinds(packages: Iterable[str]) -> dict[str, KindSpec]:
    """``{name: KindSpec}`` from each package's ``kind.KIND``, in the order given.

    Raises ``ImportError`` for a package without ``kind.py`` (a broken import inside it propagates
    as it is), ``ValueError`` for a ``KIND`` that is not a ``KindSpec``, names another package, or
    repeats a kind's name.
    """
    kinds: dict[str, KindSpec] = {}
    for package in packages:
        spec = getattr(importlib.import_module(f"{package}.kind"), "KIND", None)
        if not isinstance(spec, KindSpec):
            raise ValueError(f"{package}.kind must define KIND = KindSpec(...)")
        if spec.package != package:
            raise ValueError(f"{package}.kind declares package {spec.package!r}")
        if spec.name in kinds:
            raise ValueError(f"two kinds are called {spec.name!r}")
        kinds[spec.name] = spec
    return kinds


def tenant_types(
    kinds: dict[str, KindSpec], *, public: dict[str, Any], common_apps: list[str]
) -> dict[str, dict[str, Any]]:
    """django-tenants' ``TENANT_TYPES``: ``public`` as given, then per kind the ``common_apps`` and
    the kind's own apps, and its URL conf."""
    return {
        "public": public,
        **{name: {"APPS": [*common_apps, *spec.apps], "URLCONF": spec.urlconf} for name, spec in kinds.items()},
    }


@cache
def _registry() -> dict[str, KindSpec]:
    from django.conf import settings

    return load_kinds(settings.TENANT_KINDS)


def all_kinds() -> dict[str, KindSpec]:
    """Every kind of this deployment (``settings.TENANT_KINDS``), by name."""
    return _registry()


def kind_spec(name: str) -> KindSpec | None:
    """The kind called ``name``, or ``None`` (the platform, ``public``, is no kind)."""
    return _registry().get(name)


def current_kind_spec() -> KindSpec | None:
    """The kind of the tenant the connection serves now (``None`` on the platform)."""
    from saas.db.tenant import current_kind

    return kind_spec(current_kind())


def in_kind(kind: str) -> bool:
    """Whether the connection serves a tenant of ``kind`` now."""
    from saas.db.tenant import current_kind

    return current_kind() == kind


def app_installed_here(app_name: str) -> bool:
    """Whether the app ``app_name`` (its dotted name) has tables in the current tenant's schema:
    one of the apps every kind shares, or one of the current kind's own."""
    from django.conf import settings

    from saas.db.tenant import current_kind

    return app_name in settings.TENANT_TYPES.get(current_kind(), {}).get("APPS", ())


def connect_for_kind(
    signal: Any, receiver: Callable[..., Any], *, kind: str, sender: Any = None, dispatch_uid: str
) -> Callable[..., Any]:
    """Connect ``receiver`` to ``signal`` so that it runs only while serving a tenant of ``kind``.

    Signals are process-wide; a kind's tables exist only in its own schemas. Receivers of a kind
    connect through this helper instead of testing the kind themselves. Returns the wrapper that
    was connected (strongly referenced).
    """

    def for_this_kind(*args: Any, **kwargs: Any) -> Any:
        if not in_kind(kind):
            return None
        return receiver(*args, **kwargs)

    for_this_kind.__name__ = getattr(receiver, "__name__", "receiver")
    signal.connect(for_this_kind, sender=sender, weak=False, dispatch_uid=dispatch_uid)
    return for_this_kind
