"""Who may do what with campaigns and marketing preferences.

| action | who |
| --- | --- |
| compose, list, see, edit, preview, send a test, schedule, send, cancel a campaign | admins |
| see a campaign's recipients and their status | admins |
| see and change one's own marketing preference | everyone signed in |
| unsubscribe with a campaign's link | anyone holding the link (no login; ``tokens.py``) |

One campaign is fetched by ``access_campaign``; a non-admin never reaches it (403 for every id from
the view's role check, so it tells nothing of which exist).
"""

from __future__ import annotations

from typing import Any

from saas.errors import NotFound, PermissionDenied
from tenant_apps.accounts.permissions import user_has_role
from tenant_apps.kinds import ADMIN
from tenant_apps.writing.campaigns.models import Campaign

#: Roles that compose and send campaigns.
CAMPAIGN_ROLES: tuple[str, ...] = (ADMIN,)


def can_manage_campaigns(user: Any) -> bool:
    """Whether ``user`` composes and sends campaigns (admins)."""
    return bool(user is not None and user.is_authenticated and user.is_active and user_has_role(user, *CAMPAIGN_ROLES))


def ensure_can_manage_campaigns(user: Any) -> None:
    """Raise ``PermissionDenied`` (403) unless ``user`` is an admin."""
    if not can_manage_campaigns(user):
        raise PermissionDenied("Only admins manage campaigns.")


def access_campaign(*, user: Any, pk: Any) -> Campaign:
    """Campaign ``pk`` for admin ``user``. Raises ``PermissionDenied`` (403: not an admin) and
    ``NotFound`` (404: no such campaign, or a malformed id)."""
    ensure_can_manage_campaigns(user)
    try:
        return Campaign.objects.select_related("created_by").get(pk=int(pk))
    except (Campaign.DoesNotExist, TypeError, ValueError):
        raise NotFound("No such campaign.") from None
