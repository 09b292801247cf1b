"""What the tenant's admins are told about their site's billing: an in-app notification and an
e-mail each (the project's ``emails/message`` template), in the tenant's schema.

Called inside the transaction that makes the change (after the locks: a notification row locks
nothing); the e-mails leave after it commits (``emails.services.email_send``), so a rolled-back
change sends nothing.

Notices (``verb``): ``billing.past_due`` (a payment failed, the grace period started),
``billing.grace_ending`` (a day or less of grace left), ``billing.suspended`` (the site is
suspended for billing), ``billing.resumed`` (a payment lifted the suspension).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from shared_apps.tenancy.models import Tenant


def _when(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC") if moment else "soon"


def _notice(verb: str, tenant: Tenant, grace_ends_at: datetime | None, reason: str) -> tuple[str, list[str]]:
    name = tenant.name or tenant.schema_name
    if verb == "billing.past_due":
        return f"Payment failed for {name}", [
            f"We could not take the payment for {name}'s subscription.",
            f"Update the card in Billing before {_when(grace_ends_at)}, or the site will be suspended then.",
        ]
    if verb == "billing.grace_ending":
        return f"{name} will be suspended on {_when(grace_ends_at)}", [
            f"The payment for {name}'s subscription is still outstanding.",
            f"Pay in Billing before {_when(grace_ends_at)} to keep the site open.",
        ]
    if verb == "billing.suspended":
        why = "the subscription was cancelled" if reason == "canceled" else "the payment is still outstanding"
        return f"{name} is suspended", [
            f"{name} is suspended because {why}: its visitors see an error page.",
            "Admins can still sign in and pay in Billing; the site reopens as soon as the payment goes through.",
        ]
    return f"{name} is open again", [f"Thank you: the payment went through and {name} is open again."]


def admins_notify(*, tenant: Tenant, verb: str, grace_ends_at: datetime | None = None, reason: str = "") -> int:
    """Notify the active admins of ``tenant`` (role ``ADMIN``) of the billing notice ``verb`` (see the
    module docstring), in-app and by e-mail; returns how many admins were notified.

    ``grace_ends_at`` (aware UTC) is the end of the grace period the notice names; ``reason`` is the
    subscription status behind a suspension (``canceled``, ``unpaid``, ...).
    """
    from saas.db.tenant import in_tenant
    from tenant_apps.accounts.selectors import users_with_roles
    from tenant_apps.emails.services import email_send
    from tenant_apps.kinds import ADMIN
    from tenant_apps.notifications.services import notify

    subject, paragraphs = _notice(verb, tenant, grace_ends_at, reason)
    extra: dict[str, Any] = {
        "message": " ".join(paragraphs),
        "grace_ends_at": grace_ends_at.isoformat() if grace_ends_at else None,
    }
    with in_tenant(tenant):
        admins = list(users_with_roles(ADMIN))
        for admin in admins:
            notify(recipient=admin, verb=verb, extra_data=extra)
            if admin.email:
                email_send(
                    to=[admin.email],
                    subject=subject,
                    template="message",
                    context={"title": subject, "paragraphs": paragraphs},
                )
    return len(admins)
