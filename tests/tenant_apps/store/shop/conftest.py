"""The shop tests use the catalog tests' people and clients."""

from tests.tenant_apps.store.catalog.conftest import api, people  # noqa: F401 (fixtures)
