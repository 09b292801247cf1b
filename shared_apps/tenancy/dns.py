"""The DNS lookup behind custom-domain verification: the TXT records of one name (dnspython).

The resolvers are ``DNS_RESOLVERS`` (a list of ``ip[:port]``, IPv6 as ``[ip]:port``; empty: the
system's ``/etc/resolv.conf``), parsed once per process; one lookup takes at most
``DNS_TIMEOUT`` seconds in all. Tests point ``DNS_RESOLVERS`` at a dnslib stub
(``tests/dns_stub.py``); ``reset()`` drops the parsed resolver after a settings change.
"""

from __future__ import annotations

import functools
import ipaddress
from dataclasses import dataclass, field

import dns.exception
import dns.resolver
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver


@dataclass(frozen=True)
class TxtAnswer:
    """What one TXT lookup saw: ``txt`` the record strings (each record's chunks joined), and
    ``error`` ``""`` when the name answered, else ``nxdomain``, ``no_answer`` (the name exists but
    has no TXT record), ``timeout`` or ``servfail`` (any other failure of the resolvers)."""

    txt: list[str] = field(default_factory=list)
    error: str = ""

    def as_dict(self) -> dict[str, object]:
        """The JSON form stored in ``CustomDomain.found`` and shown to the tenant."""
        return {"txt": list(self.txt), "error": self.error}


def parse_resolver(spec: str) -> tuple[str, int]:
    """``"10.0.0.53"``, ``"127.0.0.1:5353"``, ``"[::1]:53"`` or ``"::1"`` -> ``(ip, port)``.

    Raises ``ValueError`` for anything else (a misconfiguration: it fails at the first lookup).
    """
    spec = spec.strip()
    host, port = spec, 53
    if spec.startswith("["):
        host, _, rest = spec[1:].partition("]")
        if rest:
            port = int(rest.removeprefix(":"))
    elif spec.count(":") == 1:
        host, port_text = spec.split(":")
        port = int(port_text)
    ipaddress.ip_address(host)
    if not 0 < port < 65536:
        raise ValueError(f"DNS_RESOLVERS: bad port in {spec!r}")
    return host, port


@functools.cache
def _resolver() -> dns.resolver.Resolver:
    specs = [s for s in settings.DNS_RESOLVERS if s.strip()]
    resolver = dns.resolver.Resolver(configure=not specs)
    if specs:
        parsed = [parse_resolver(s) for s in specs]
        resolver.nameservers = [host for host, _ in parsed]
        # dnspython has one port for all nameservers unless given per server; set both.
        resolver.port = parsed[0][1]
        resolver.nameserver_ports = {host: port for host, port in parsed}
    resolver.lifetime = float(settings.DNS_TIMEOUT)
    resolver.timeout = float(settings.DNS_TIMEOUT)
    resolver.cache = None
    return resolver


def reset() -> None:
    """Forget the resolver built from the settings (after ``DNS_RESOLVERS`` changed: tests)."""
    _resolver.cache_clear()


@receiver(setting_changed)
def _settings_changed(*, setting: str, **_: object) -> None:
    if setting in {"DNS_RESOLVERS", "DNS_TIMEOUT"}:
        reset()


def txt_records(name: str) -> TxtAnswer:
    """The TXT records of ``name`` (an ASCII host name), asked of the configured resolvers.

    Never raises for a DNS failure: it is part of the answer (``TxtAnswer.error``), which the
    tenant sees. Raises ``ValueError`` only for a malformed ``DNS_RESOLVERS``.
    """
    try:
        answer = _resolver().resolve(name, "TXT", search=False)
    except dns.resolver.NXDOMAIN:
        return TxtAnswer(error="nxdomain")
    except dns.resolver.NoAnswer:
        return TxtAnswer(error="no_answer")
    except dns.exception.Timeout:
        return TxtAnswer(error="timeout")
    except dns.exception.DNSException:
        return TxtAnswer(error="servfail")
    values = [b"".join(rdata.strings).decode("utf-8", "replace") for rdata in answer]
    return TxtAnswer(txt=sorted(values))
