"""Finding and hiding contact details (e-mail addresses, phone numbers) in a message's text.

* Phone numbers: ``phonenumbers.PhoneNumberMatcher`` (libphonenumber's matcher) at leniency
  ``VALID``: a number must be a valid number of its region (``+44 20 7946 0958`` anywhere; national
  forms such as ``(415) 555-2671`` in the site's ``phone_region``). Its exclusion rules keep dates
  (``2026-12-03``, ``12/03/2026``), times, prices (``$1200.50``, ``1,250,000``), ISBNs and order
  numbers unmasked.
* E-mail addresses: a regular expression. No installed library finds addresses in free text
  (``email-validator`` and Django's ``EmailValidator`` check one whole string), and the question
  here is "does this look like an address someone can write to", not RFC 5322 validity; the
  pattern also catches the usual spelled-out forms (``jane (at) mail (dot) com``,
  ``jane[at]mail[dot]com``) a user might try to get past a plain ``@`` check.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import phonenumbers

#: What replaces a hidden e-mail address or phone number.
HIDDEN = "[hidden]"

_LOCAL = r"(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]+"
_AT = r"(?:\s*@\s*|\s*[\(\[\{]\s*at\s*[\)\]\}]\s*)"
_DOT = r"(?:\.|\s*[\(\[\{]\s*dot\s*[\)\]\}]\s*|\s+dot\s+)"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
#: An address with an ``@`` or a bracketed ``(at)``: ``jane.doe@mail.com``, ``jane [at] mail [dot] com``.
EMAIL_PATTERN = re.compile(rf"{_LOCAL}{_AT}{_LABEL}(?:{_DOT}{_LABEL})*{_DOT}[A-Za-z]{{2,24}}\b", re.IGNORECASE)
#: The bare ``jane at gmail dot com``: only with the ``dot`` spelled out and a common top-level
#: domain, so that "meet at noon", "look at page 3.2" or "meet at school.org" stay as written.
SPELLED_EMAIL_PATTERN = re.compile(
    rf"{_LOCAL}\s+at\s+{_LABEL}(?:\s+dot\s+{_LABEL})*\s+dot\s+(?P<tld>[A-Za-z]{{2,24}})\b", re.IGNORECASE
)
_COMMON_TLDS = frozenset(
    {"com", "net", "org", "edu", "gov", "io", "co", "info", "biz", "me", "us", "uk", "de", "fr", "ru", "in", "ca", "au"}
)


@dataclass(frozen=True)
class Masked:
    """A text with its contact details hidden: ``text`` and whether anything was (``masked``)."""

    text: str
    masked: bool


def _email_spans(text: str) -> list[tuple[int, int]]:
    spans = [(match.start(), match.end()) for match in EMAIL_PATTERN.finditer(text)]
    spans += [
        (match.start(), match.end())
        for match in SPELLED_EMAIL_PATTERN.finditer(text)
        if match.group("tld").lower() in _COMMON_TLDS
    ]
    return spans


def _phone_spans(text: str, region: str) -> list[tuple[int, int]]:
    matcher = phonenumbers.PhoneNumberMatcher(text, region, leniency=phonenumbers.Leniency.VALID)
    return [(match.start, match.end) for match in matcher]


def mask_contact_details(text: str, *, region: str) -> Masked:
    """``text`` with every e-mail address and phone number (read in ``region``, ISO 3166-1
    alpha-2) replaced by ``HIDDEN``."""
    spans = sorted(_email_spans(text) + _phone_spans(text, region))
    if not spans:
        return Masked(text=text, masked=False)
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    parts: list[str] = []
    last = 0
    for start, end in merged:
        parts.extend((text[last:start], HIDDEN))
        last = end
    parts.append(text[last:])
    return Masked(text="".join(parts), masked=True)
