"""Fixtures of the tenancy tests: the DNS stub (``tests/dns_stub.py``)."""

from tests.dns_stub import dns_stub  # noqa: F401 (a fixture)
