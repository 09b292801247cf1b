"""Fetching another channel's iCalendar feed from a URL a host typed: guarded against SSRF.

A URL someone gives makes the server send a request where they choose: to its own loopback, the
private network, or a cloud metadata service (``169.254.169.254``). ``fetch_calendar`` refuses:

* any scheme but ``https`` (``ALLOWED_SCHEMES``), user info in the URL, a port other than the
  URL's own;
* a host that resolves to any address that is not globally routable (``address_allowed``:
  loopback, private, link-local, shared, reserved, multicast, IPv4-mapped forms of those);
* and, since DNS can answer differently a moment later (rebinding), it checks the address the
  socket **actually connected to** before a byte is sent (``_GuardedMixin._new_conn``);
* redirects are followed by hand (at most ``MAX_REDIRECTS``), each target checked like the first;
* no proxy from the environment (``trust_env = False``), which would bypass the address check;
* at most ``MAX_BYTES`` (1 MB) of body and ``TIMEOUT_SECONDS`` (10 s) in all.

The HTTP client is ``requests`` (installed, well kept); no SSRF-guard library is installed
(``advocate`` is unmaintained and pins old ``requests``), so the address check is done here, at
the one point every connection goes through: urllib3's connection class, swapped in through
the transport adapter's pool manager.
"""

from __future__ import annotations

import ipaddress
import socket
import time
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

#: Schemes a feed may be fetched over (tests widen it to reach a local plain-HTTP server).
ALLOWED_SCHEMES: tuple[str, ...] = ("https",)
MAX_BYTES = 1_000_000
TIMEOUT_SECONDS = 10.0
MAX_REDIRECTS = 3
USER_AGENT = "saas-rental-calendar-import/1"


class FetchRefused(Exception):
    """The URL, its address, a redirect or the answer was refused; ``str()`` says why (no secrets)."""


def address_allowed(address: str) -> bool:
    """Whether ``address`` (an IP address as text) is globally routable unicast: not loopback,
    private, link-local (metadata), shared (CGNAT), reserved, unspecified or multicast, including
    IPv4-mapped IPv6 forms of those."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return bool(ip.is_global and not ip.is_multicast)


def _check_url(url: str) -> tuple[str, int]:
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise FetchRefused("Not a URL.") from None
    if parts.scheme not in ALLOWED_SCHEMES:
        raise FetchRefused("Only https:// feeds are fetched.")
    if not parts.hostname or "@" in parts.netloc:
        raise FetchRefused("The URL needs a host and no user name.")
    return parts.hostname, port or (443 if parts.scheme == "https" else 80)


def _check_host(host: str, port: int) -> None:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        raise FetchRefused("The feed's host does not resolve.") from None
    addresses = {info[4][0] for info in infos}
    if not addresses or not all(address_allowed(str(a)) for a in addresses):
        raise FetchRefused("The feed's host is not on the public internet.")


class _GuardedMixin:
    """A urllib3 connection that refuses a socket connected to an address ``address_allowed`` refuses."""

    def _new_conn(self) -> socket.socket:
        sock: socket.socket = super()._new_conn()  # type: ignore[misc]
        peer = sock.getpeername()[0]
        if not address_allowed(str(peer)):
            sock.close()
            raise FetchRefused("The feed's host is not on the public internet.")
        return sock


class _GuardedHTTPConnection(_GuardedMixin, HTTPConnection):
    pass


class _GuardedHTTPSConnection(_GuardedMixin, HTTPSConnection):
    pass


class _GuardedHTTPPool(HTTPConnectionPool):
    ConnectionCls = _GuardedHTTPConnection


class _GuardedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _GuardedHTTPSConnection


class _GuardedAdapter(HTTPAdapter):
    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _GuardedHTTPPool, "https": _GuardedHTTPSPool}

    def proxy_manager_for(self, *args: Any, **kwargs: Any) -> Any:
        raise FetchRefused("Feeds are not fetched through a proxy.")


def _session() -> requests.Session:
    session = requests.Session()
    session.trust_env = False  # no proxies or .netrc from the environment
    adapter = _GuardedAdapter(max_retries=0)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    session.headers.update({"User-Agent": USER_AGENT, "Accept": "text/calendar, */*;q=0.1"})
    return session


def _read_body(response: requests.Response, deadline: float) -> bytes:
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > MAX_BYTES:
        raise FetchRefused(f"The feed is larger than {MAX_BYTES} bytes.")
    body = bytearray()
    for chunk in response.iter_content(chunk_size=65_536):
        body += chunk
        if len(body) > MAX_BYTES:
            raise FetchRefused(f"The feed is larger than {MAX_BYTES} bytes.")
        if time.monotonic() > deadline:
            raise FetchRefused(f"The feed took longer than {TIMEOUT_SECONDS:g} s.")
    return bytes(body)


def _refusal_in(error: BaseException) -> FetchRefused | None:
    """The ``FetchRefused`` among ``error``'s causes and arguments (urllib3 and requests wrap it)."""
    seen: list[BaseException] = [error]
    for current in seen:
        if isinstance(current, FetchRefused):
            return current
        if len(seen) > 20:
            break
        for linked in (current.__cause__, current.__context__, *current.args):
            if isinstance(linked, BaseException) and linked not in seen:
                seen.append(linked)
    return None


def fetch_calendar(url: str) -> bytes:
    """The body of ``url`` (an iCalendar feed), fetched under the rules of this module's docstring.

    Raises ``FetchRefused`` for a refused URL, address or redirect, a body over ``MAX_BYTES``, a
    fetch over ``TIMEOUT_SECONDS``, an HTTP error status or a network failure.
    """
    deadline = time.monotonic() + TIMEOUT_SECONDS
    with _session() as session:
        for _hop in range(MAX_REDIRECTS + 1):
            host, port = _check_url(url)
            _check_host(host, port)
            remaining = max(0.1, deadline - time.monotonic())
            try:
                with session.get(
                    url, stream=True, allow_redirects=False, timeout=(min(5.0, remaining), remaining)
                ) as response:
                    if response.is_redirect:
                        location = response.headers.get("Location", "")
                        url = urljoin(url, location)
                        continue
                    if response.status_code != 200:
                        raise FetchRefused(f"The feed answered HTTP {response.status_code}.")
                    return _read_body(response, deadline)
            except FetchRefused:
                raise
            except requests.RequestException as error:
                refused = _refusal_in(error)
                if refused is not None:  # urllib3 wraps what the guarded connection raised
                    raise refused from None
                raise FetchRefused("The feed could not be fetched.") from None
        raise FetchRefused(f"More than {MAX_REDIRECTS} redirects.")
