"""Validation of tenant slugs (DNS label, schema name) and kinds."""

from __future__ import annotations

import ipaddress
import re

import idna
from django.conf import settings

from saas.api.errors import ApplicationError
from saas.errors import ErrorCode
from shared_apps.tenancy.models import TenantKind
from shared_apps.tenancy.templates import TEMPLATE_PREFIX

#: RFC 1123 host-name label, lower case: 1-63 of [a-z0-9-], not starting or ending with "-".
SLUG_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")

#: Labels a tenant may not take: platform sub-domains and names with a meaning in PostgreSQL.
RESERVED_SLUGS = frozenset(
    {
        "www",
        "api",
        "admin",
        "public",
        "platform",
        "app",
        "apps",
        "static",
        "media",
        "assets",
        "cdn",
        "mail",
        "smtp",
        "imap",
        "pop",
        "ftp",
        "ns1",
        "ns2",
        "dns",
        "status",
        "docs",
        "help",
        "support",
        "billing",
        "auth",
        "login",
        "dashboard",
        "console",
        "dev",
        "staging",
        "test",
        "localhost",
        "information-schema",
        "pg-catalog",
        "postgres",
        "root",
        "system",
    }
)


#: Prefixes a slug may not start with: PostgreSQL's own names, and the per-kind template schemas
#: (``templates.TEMPLATE_PREFIX``, written as a DNS label: without the leading "_", "-" for "_").
_RESERVED_PREFIXES = ("pg-", TEMPLATE_PREFIX.strip("_").replace("_", "-"))


def validate_slug(slug: str) -> str:
    """Return ``slug`` if it can name a tenant; raise ``ApplicationError`` (400) otherwise.

    Rules: a lower-case DNS label (RFC 1123, at most 63 characters, which is also PostgreSQL's
    identifier limit) with no ``--`` anywhere (``xn--`` labels are punycode: an IDN host could
    then pose as another site; ``--`` is reserved for such encodings), not reserved
    (``RESERVED_SLUGS``, names starting ``pg-`` or ``template``, the name of the template
    schemas ``_template_<kind>`` and their hyphenated form), not all digits.

    Raises ``ApplicationError`` (400): ``invalid_slug`` or ``reserved_slug``.
    """
    if not isinstance(slug, str) or not SLUG_RE.fullmatch(slug):
        raise ApplicationError(
            "A slug is 1-63 lower-case letters, digits or hyphens, not starting or ending with a hyphen.",
            code=ErrorCode.INVALID_SLUG,
            details={"slug": [f"{slug!r} is not a valid DNS label."]},
        )
    if "--" in slug:
        raise ApplicationError(
            "A slug cannot contain two hyphens in a row (xn-- labels are internationalised names).",
            code=ErrorCode.INVALID_SLUG,
            details={"slug": ["Use single hyphens."]},
        )
    if slug in RESERVED_SLUGS or slug.startswith(_RESERVED_PREFIXES):
        raise ApplicationError(
            f"The slug {slug!r} is reserved.",
            code=ErrorCode.RESERVED_SLUG,
            details={"slug": ["This name is reserved."]},
        )
    if slug.isdigit():
        raise ApplicationError(
            "A slug cannot be all digits.", code=ErrorCode.INVALID_SLUG, details={"slug": ["Use at least one letter."]}
        )
    return slug


def validate_kind(kind: str) -> TenantKind:
    """Return the ``TenantKind`` for ``kind``; raise ``ApplicationError`` (400) for anything else."""
    try:
        return TenantKind(kind)
    except ValueError:
        raise ApplicationError(
            f"Unknown kind {kind!r}.",
            code=ErrorCode.INVALID_KIND,
            details={"kind": [f"Choose one of: {', '.join(TenantKind.values)}."]},
        ) from None


#: A host name in ASCII (after IDNA): labels of [a-z0-9-], 1-63 long, not starting or ending with "-".
_HOST_RE = re.compile(r"^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")


def _invalid_domain(value: object, reason: str) -> ApplicationError:
    return ApplicationError(
        f"{str(value)[:100]!r} cannot be a custom domain: {reason}",
        code=ErrorCode.INVALID_DOMAIN,
        details={"domain": [reason]},
    )


def normalize_domain(value: object) -> str:
    """The host name ``value`` names, in the one form it is stored and looked up in, or a 400.

    Normalisation: surrounding white space and one trailing dot go, the name is mapped and
    encoded by IDNA 2008 with the UTS-46 mapping (upper case and full-width letters fold to
    lower case ASCII, ``Bücher.example`` becomes ``xn--bcher-kva.example``), and the result must
    be a host name of at least two labels, at most 253 characters, its last label not all digits.

    Refused: IP addresses (v4 or v6, bracketed or not), ``localhost`` and its subdomains, and
    ``PLATFORM_DOMAIN`` and its subdomains (the platform's own names route by slug; a custom
    domain there could shadow a tenant or the platform).

    Raises ``ApplicationError`` (400 ``invalid_domain``, ``details.domain`` says why).
    """
    if not isinstance(value, str):
        raise _invalid_domain(value, "A domain is a string.")
    name = value.strip()
    if name.endswith("."):
        name = name[:-1]
    if not name or any(ch.isspace() for ch in name):
        raise _invalid_domain(value, "Give a host name such as shop.example.com.")
    try:
        ipaddress.ip_address(name.strip("[]"))
    except ValueError:
        pass
    else:
        raise _invalid_domain(value, "An IP address cannot be a custom domain.")
    try:
        ascii_name = idna.encode(name, uts46=True, transitional=False).decode("ascii").lower()
    except (idna.IDNAError, UnicodeError) as exc:
        raise _invalid_domain(value, f"Not a valid host name ({exc}).") from None
    for reserved in ("localhost", str(settings.PLATFORM_DOMAIN).lower()):
        if ascii_name == reserved or ascii_name.endswith(f".{reserved}"):
            raise _invalid_domain(value, f"{reserved} and its subdomains are the platform's.")
    if len(ascii_name) > 253 or not _HOST_RE.fullmatch(ascii_name) or ascii_name.rsplit(".", 1)[-1].isdigit():
        raise _invalid_domain(value, "Give a host name of at least two labels, such as shop.example.com.")
    return ascii_name
