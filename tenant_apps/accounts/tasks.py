"""Celery tasks of the accounts app (run in the schema they were sent from)."""

from __future__ import annotations

from celery import shared_task

from saas.db.tenant import current_tenant, site_url
from saas.tasks import effect_once
from tenant_apps.accounts.models import User
from tenant_apps.emails.services import deliver_email


@shared_task(autoretry_for=(OSError,), retry_backoff=10, retry_jitter=True, max_retries=5)
@effect_once
def send_set_password_email(user_id: int) -> None:
    """E-mail ``user_id`` a link to set their password (new site owners without one)."""
    from allauth.account.forms import default_token_generator
    from allauth.account.utils import user_pk_to_url_str

    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return
    tenant = current_tenant()
    uid, token = user_pk_to_url_str(user), default_token_generator.make_token(user)
    base = site_url("")  # the primary domain, never a request's Host (see site_url)
    body = (
        f"Your site {getattr(tenant, 'name', tenant.schema_name)} is ready.\n\n"
        f"Set your password by sending uid, token, new_password1 and new_password2 to\n"
        f"POST {base}/api/v1/auth/password/reset/confirm/\n\n"
        f"uid: {uid}\ntoken: {token}\n\n"
        f"Link: {base}/api/v1/auth/password/reset/confirm/{uid}/{token}/\n"
    )
    deliver_email(to=[user.email], subject="Set your password", text=body)
