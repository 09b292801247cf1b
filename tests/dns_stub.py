"""A DNS server for tests: dnslib's ``DNSServer`` on 127.0.0.1 and a free UDP port, answering TXT
questions from a table the test changes (``stub.set_txt(name, *values)``, ``stub.remove(name)``).

Names in the table answer their TXT records (and NOERROR with no answer for other types); every
other name answers NXDOMAIN. The fixture ``dns_stub`` starts one per test, points
``DNS_RESOLVERS`` at it and drops the resolver the application had parsed
(``shared_apps.tenancy.dns.reset``); ``start_dns_stub`` serves the live server of the end-to-end
tests, which reads ``DNS_RESOLVERS`` from its environment (``stub.address``).

By hand, dnslib's own zone-file server does the same (see the README)::

    python -m dnslib.zoneresolver --zone zone.txt --port 5353 --address 127.0.0.1
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from dnslib import QTYPE, RCODE, RR, TXT, DNSRecord
from dnslib.server import BaseResolver, DNSLogger, DNSServer


def _free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class _TableResolver(BaseResolver):  # type: ignore[misc]
    def __init__(self, stub: DnsStub) -> None:
        self.stub = stub

    def resolve(self, request: DNSRecord, handler: Any) -> DNSRecord:
        reply = request.reply()
        name = str(request.q.qname).rstrip(".").lower()
        values = self.stub.txt(name)
        if values is None:
            reply.header.rcode = RCODE.NXDOMAIN
        elif request.q.qtype in (QTYPE.TXT, QTYPE.ANY):
            for value in values:
                reply.add_answer(RR(request.q.qname, QTYPE.TXT, rdata=TXT(value), ttl=0))
        self.stub.questions.append(name)
        return reply


class DnsStub:
    """A running stub: ``address`` (``"127.0.0.1:<port>"``, a ``DNS_RESOLVERS`` entry), the TXT
    table, and ``questions`` (every name asked, in order)."""

    def __init__(self) -> None:
        self.port = _free_udp_port()
        self.address = f"127.0.0.1:{self.port}"
        self.questions: list[str] = []
        self._records: dict[str, list[str]] = {}
        self._lock = threading.Lock()
        quiet = DNSLogger("-request,-reply,-truncated,-data")
        self._server = DNSServer(_TableResolver(self), port=self.port, address="127.0.0.1", logger=quiet)

    def set_txt(self, name: str, *values: str) -> None:
        """Make ``name`` answer these TXT strings (replacing what it had)."""
        with self._lock:
            self._records[name.rstrip(".").lower()] = list(values)

    def remove(self, name: str) -> None:
        """Make ``name`` answer NXDOMAIN."""
        with self._lock:
            self._records.pop(name.rstrip(".").lower(), None)

    def txt(self, name: str) -> list[str] | None:
        """The TXT strings of ``name``, ``None`` if it does not exist."""
        with self._lock:
            found = self._records.get(name)
            return None if found is None else list(found)

    def start(self) -> DnsStub:
        """Serve on a daemon thread."""
        self._server.start_thread()
        return self

    def stop(self) -> None:
        """Stop serving."""
        self._server.stop()
        self._server.server.server_close()


def start_dns_stub() -> DnsStub:
    """A stub serving on a daemon thread; the caller stops it."""
    return DnsStub().start()


@contextmanager
def dns_stub_for(settings: Any) -> Iterator[DnsStub]:
    """A running stub with ``DNS_RESOLVERS`` (and a short ``DNS_TIMEOUT``) of pytest-django's
    ``settings`` fixture pointing at it, for as long as the block runs."""
    from shared_apps.tenancy import dns

    stub = start_dns_stub()
    settings.DNS_RESOLVERS = [stub.address]
    settings.DNS_TIMEOUT = 2.0
    dns.reset()
    try:
        yield stub
    finally:
        stub.stop()
        dns.reset()


@pytest.fixture
def dns_stub(settings: Any) -> Iterator[DnsStub]:
    """A DNS stub for one test (``dns_stub_for``)."""
    with dns_stub_for(settings) as stub:
        yield stub
