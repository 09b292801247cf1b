"""The one canonical form of an e-mail address, used for storage and for every lookup.

Why this exists: PostgreSQL's ``UPPER()`` (behind Django's ``email__iexact``) folds letters that
are not the same letter to a person or a mail server: ``ſ`` (long s) to ``S``, ``ı`` (dotless i)
to ``I``. An ``iexact`` lookup therefore found ``student@school.localhost`` for
``ſtudent@school.localhost``, and code that then wrote to the address *typed* handed an attacker
the real user's one-time code or reset link. Here every address is reduced once to one spelling
and matched exactly; mail goes only to the address stored on the user.

The form (``normalize_email``):

* the local part: Unicode NFKC, then full case folding (``str.casefold``, Unicode's default
  caseless matching, UAX #15 and the Unicode Standard section 3.13). ``ſtudent`` becomes
  ``student``, ``Straße`` becomes ``strasse``; ``ı`` stays ``ı``, a different address from ``i``;
* the domain: IDNA 2008 with UTS #46 mapping (the ``idna`` package), stored as its ASCII
  (``xn--``) form, which is what DNS and mail servers use; ``wrıtıng.localhost`` becomes
  ``xn--wrtng-...``, a different domain from ``writing.localhost``.

Hand-written on purpose: Django's ``BaseUserManager.normalize_email`` only lower-cases the domain,
and no well-kept library states this exact rule for matching accounts. The ``idna`` package does the
domain part.
"""

from __future__ import annotations

import unicodedata

import idna
from django.core.exceptions import ValidationError
from django.core.validators import validate_email as django_validate_email


def normalize_email(value: str) -> str:
    """``value`` in its canonical form: NFKC + case-folded local part, ASCII (IDNA) domain.

    Surrounding white space is removed. Raises ``django.core.exceptions.ValidationError``
    (``invalid``) when ``value`` is not an e-mail address or its domain is not a valid IDNA name.
    """
    value = (value or "").strip()
    local, at, domain = value.rpartition("@")
    if not at or not local or not domain:
        raise ValidationError("Enter a valid email address.", code="invalid")
    local = unicodedata.normalize("NFKC", local).casefold()
    try:
        domain = idna.encode(domain.rstrip("."), uts46=True).decode("ascii")
    except (idna.IDNAError, UnicodeError):
        raise ValidationError("Enter a valid email address.", code="invalid") from None
    address = f"{local}@{domain}"
    django_validate_email(address)
    return address


def normalize_email_or_none(value: str) -> str | None:
    """``normalize_email(value)``, or ``None`` when ``value`` is not a valid address."""
    try:
        return normalize_email(value)
    except ValidationError:
        return None
