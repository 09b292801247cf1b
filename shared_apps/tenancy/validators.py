"""Validation of tenant slugs (DNS label, schema name) and kinds."""

from __future__ import annotations

import re

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
