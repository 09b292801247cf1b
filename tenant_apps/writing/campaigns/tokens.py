"""Unsubscribe tokens: signed, site-bound, without expiry (an old newsletter's link still works).

``unsubscribe_token(email)`` signs ``{"t": <the site's uuid>, "e": <email>}`` with
``django.core.signing`` and a salt of its own, so no other signed value of the platform passes
for one. ``read_unsubscribe_token`` refuses a forged or altered token and one of another site
(a golf link sent to hotel's host) alike: ``NotFound`` (404), so a token tells nothing elsewhere.
"""

from __future__ import annotations

from typing import Any

from django.core import signing

from saas.db.tenant import current_tenant_uuid, site_url
from saas.errors import NotFound

#: The signing salt (a token of another purpose never verifies as an unsubscribe token).
SALT = "writing.campaigns.unsubscribe"


def unsubscribe_token(email: str) -> str:
    """The token that unsubscribes ``email`` (canonical) on the current site (URL-safe)."""
    return signing.dumps({"t": current_tenant_uuid(), "e": email}, salt=SALT)


def unsubscribe_url(email: str) -> str:
    """``https://<site's primary host>/api/v1/unsubscribe/<token>/`` for ``email``."""
    return site_url(f"/api/v1/unsubscribe/{unsubscribe_token(email)}/")


def read_unsubscribe_token(token: str) -> str:
    """The e-mail address ``token`` unsubscribes on the current site. Raises ``NotFound`` (404) for
    a token that is malformed, forged, of another purpose or of another site."""
    try:
        payload: Any = signing.loads(token, salt=SALT)
    except (signing.BadSignature, ValueError, TypeError):
        raise NotFound("No such link.") from None
    if not isinstance(payload, dict) or payload.get("t") != current_tenant_uuid():
        raise NotFound("No such link.")
    email = payload.get("e")
    if not isinstance(email, str) or "@" not in email:
        raise NotFound("No such link.")
    return email
