"""allauth adapter: registration is an API call, so no redirects or flash messages; links in its
e-mails point at the site's primary domain (``saas.db.tenant.site_url``), never at the Host the
request was sent to (host-header poisoning of reset links)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from django.urls import reverse
from django.utils.encoding import force_str

from saas.db.tenant import site_url


def password_reset_link(uid: str, token: str) -> str:
    """The absolute URL a password-reset or set-password e-mail points to, on the primary domain:
    ``https://<primary host>/api/v1/auth/password/reset/confirm/<uid>/<token>/``."""
    return site_url(reverse("password_reset_confirm", kwargs={"uidb36": uid, "key": token}))


@dataclass(frozen=True)
class CanonicalSite:
    """What allauth's templates read of ``current_site`` (``name``, ``domain``), taken from the
    tenant and its primary domain instead of Django's ``RequestSite`` (the request's Host)."""

    name: str
    domain: str


def canonical_site() -> CanonicalSite:
    """The current site: its display name and the host (with port, if any) of ``site_url``."""
    from tenant_apps.emails.services import site_name

    return CanonicalSite(name=site_name(), domain=urlsplit(site_url("")).netloc)


class AccountAdapter(DefaultAccountAdapter):
    """Sign-up is open on tenant sites only; messages are not stored (there are no pages); every
    link in allauth's and dj-rest-auth's e-mails is built by ``site_url``."""

    def is_open_for_signup(self, request: Any) -> bool:
        from saas.db.tenant import current_schema

        return current_schema() != "public"

    def add_message(self, *args: Any, **kwargs: Any) -> None:
        return None

    def clean_email(self, email: str) -> str:
        """The address in canonical form (``addresses.normalize_email``): how sign-up stores it.

        Raises ``django.core.exceptions.ValidationError`` for an address that has none.
        """
        from tenant_apps.accounts.addresses import normalize_email

        return normalize_email(super().clean_email(email))

    def get_reset_password_from_key_url(self, key: str) -> str:
        """allauth's own reset flow: ``key`` is ``"<uid>-<token>"`` (the uid, base 36, has no "-")."""
        uid, _, token = key.partition("-")
        return password_reset_link(uid, token)

    def get_email_confirmation_url(self, request: Any, emailconfirmation: Any) -> str:
        """The e-mail verification link (``ACCOUNT_EMAIL_VERIFICATION``), on the primary domain."""
        return site_url(reverse("account_confirm_email", args=[emailconfirmation.key]))

    def format_email_subject(self, subject: str) -> str:
        """``[<site name>] <subject>`` (allauth's default prefix is the request's Host)."""
        return f"[{canonical_site().name}] {force_str(subject)}"

    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        """Send an allauth e-mail with ``current_site`` = ``canonical_site()``; a password-reset
        link in ``context`` is built again by ``password_reset_link``: dj-rest-auth's reset form
        builds it with ``request.build_absolute_uri`` before it gets here."""
        context = {**context, "current_site": canonical_site()}
        uid, token = context.get("uid"), context.get("token") or context.get("key")
        if "password_reset_url" in context and uid and token:
            context["password_reset_url"] = password_reset_link(str(uid), str(token))
        super().send_mail(template_prefix, email, context)
