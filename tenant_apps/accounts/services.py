"""Writes on users, roles and one-time login codes, in the current tenant schema."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import phonenumbers
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from rest_framework_simplejwt.exceptions import InvalidToken, TokenError
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken

from saas.api.errors import ApplicationError
from saas.billing import plan_slot
from saas.db.tenant import current_kind, current_schema, enqueue_now, enqueue_on_commit
from saas.errors import Conflict, ErrorCode, PermissionDenied, RateLimited
from tenant_apps.accounts import sessions
from tenant_apps.accounts.access import can_manage_users
from tenant_apps.accounts.addresses import normalize_email
from tenant_apps.accounts.locks import (
    active_admins_lock,
    auth_settings_lock,
    otp_address_lock,
    otp_latest_lock,
    user_lock,
)
from tenant_apps.accounts.models import MAX_SESSION_IDLE_TIMEOUT_MINUTES, AuthSettings, OneTimeCode, User
from tenant_apps.accounts.roles import ADMIN, default_role, roles_of
from tenant_apps.accounts.sms import send_sms
from tenant_apps.audit.diff import apply_changes


def normalize_phone(value: str) -> str:
    """``value`` as E.164 (``+447911123456``); raises ``ApplicationError`` ``invalid_phone`` (400).

    Numbers must be written in international form (leading ``+``); validity per libphonenumber.
    """
    try:
        number = phonenumbers.parse(value, None)
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        raise ApplicationError(
            "Enter a phone number in international form, e.g. +447911123456.",
            code=ErrorCode.INVALID_PHONE,
            details={"phone": ["Not a valid international phone number."]},
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _role_groups(roles: list[str]) -> list[Group]:
    allowed = roles_of(current_kind())
    unknown = sorted(set(roles) - set(allowed))
    if unknown:
        raise ApplicationError(
            f"Unknown role(s): {', '.join(unknown)}.",
            code=ErrorCode.INVALID_ROLE,
            details={"roles": [f"Choose from: {', '.join(allowed)}."]},
        )
    groups = list(Group.objects.filter(name__in=roles))
    if len(groups) != len(set(roles)):
        raise Conflict("This site's roles are not set up.", code=ErrorCode.ROLES_MISSING)
    return groups


def _check_unique(*, email: str | None = None, phone: str | None = None, exclude_pk: int | None = None) -> None:
    users = User.objects.exclude(pk=exclude_pk) if exclude_pk else User.objects.all()
    if email and users.filter(email=email).exists():
        raise Conflict(
            "A user with this e-mail exists.",
            code=ErrorCode.EMAIL_TAKEN,
            details={"email": ["Already registered."]},
        )
    if phone and users.filter(phone=phone).exists():
        raise Conflict(
            "A user with this phone number exists.",
            code=ErrorCode.PHONE_TAKEN,
            details={"phone": ["Already registered."]},
        )


def _audit(*, actor: Any, verb: str, user: User, changes: dict[str, Any]) -> None:
    """Record a user change in the tenant's audit log (the platform schema has none)."""
    if current_kind() == "public":
        return
    from tenant_apps.audit.services import audit_record

    audit_record(actor=actor, verb=verb, target=user, changes=changes)


def user_create(
    *,
    email: str,
    password: str | None = None,
    full_name: str = "",
    phone: str = "",
    roles: list[str] | None = None,
    is_active: bool = True,
    actor: Any = None,
) -> User:
    """Create a user of the current tenant with ``roles`` (default: the kind's default role).

    ``actor`` is who does it (for the audit log; ``None`` for the system).

    ``email`` is stored in canonical form (``addresses.normalize_email``).

    An active user takes one of the plan's ``users`` (``saas.billing.plan_slot``, held until the
    commit: two creations racing for the last one, one wins).

    Raises ``ApplicationError``: ``email_taken`` / ``phone_taken`` (409), ``invalid_role``,
    ``invalid_phone``, ``validation_error`` (400); ``PermissionDenied`` 403 ``plan_limit_reached``
    (nothing is written).
    """
    email = _canonical_email(email)
    phone = normalize_phone(phone) if phone else ""
    if roles is None:
        role = default_role(current_kind())
        roles = [role] if role else []
    try:
        with transaction.atomic():
            _check_unique(email=email, phone=phone)
            groups = _role_groups(roles)
            if is_active:
                plan_slot("users")
            user = User.objects.create_user(
                email=email, password=password, full_name=full_name, phone=phone, is_active=is_active
            )
            user.groups.set(groups)
            _audit(actor=actor, verb="user.created", user=user, changes={"roles": sorted(roles)})
    except IntegrityError:
        _check_unique(email=email, phone=phone)  # a concurrent request created it: say which
        raise
    return user


def user_update(user: User, *, roles: list[str] | None = None, actor: Any = None, **fields: Any) -> User:
    """Change ``fields`` (``full_name``, ``phone``, ``is_active``) and, when given, the ``roles``.

    ``actor`` is who does it (for the audit log).

    Refuses to leave the site without an active admin: ``last_admin`` (409); re-activating a
    user takes one of the plan's ``users`` (after the user's lock): 403 ``plan_limit_reached``
    when none is left, and nothing changes.
    """
    if fields.get("phone"):
        fields["phone"] = normalize_phone(fields["phone"])
    with transaction.atomic():
        user = user_lock(user.pk)
        _check_unique(phone=fields.get("phone"), exclude_pk=user.pk)
        if fields.get("is_active") and not user.is_active:
            plan_slot("users")
        was_admin = user.groups.filter(name=ADMIN).exists() and user.is_active
        old_roles = sorted(user.groups.values_list("name", flat=True))
        changes: dict[str, Any] = apply_changes(user, fields)
        user.save()
        if roles is not None:
            user.groups.set(_role_groups(roles))
        if roles is not None and sorted(set(roles)) != old_roles:
            changes["roles"] = [old_roles, sorted(set(roles))]
        if "is_active" in changes and not user.is_active:
            _revoke(user)  # deactivation ends every session; reactivation does not revive them
        if changes:
            _audit(actor=actor, verb="user.updated", user=user, changes=changes)
        stays_admin = user.is_active and user.groups.filter(name=ADMIN).exists()
        if was_admin and not stays_admin:
            admins = active_admins_lock()
            if not admins.exclude(pk=user.pk).exists():
                raise Conflict("A site needs at least one active admin.", code=ErrorCode.LAST_ADMIN)
    return user


def _revoke(user: User) -> None:
    """Raise ``user``'s token version (every JWT of theirs stops working) and blacklist their
    outstanding refresh tokens. Expects ``user``'s row locked by the caller's transaction."""
    user.token_version += 1
    user.save(update_fields=["token_version"])
    outstanding = OutstandingToken.objects.filter(
        user=user, expires_at__gt=timezone.now(), blacklistedtoken__isnull=True
    )
    BlacklistedToken.objects.bulk_create([BlacklistedToken(token=t) for t in outstanding], ignore_conflicts=True)


def user_tokens_revoke(*, user: User, actor: Any = None) -> None:
    """Log ``user`` out everywhere: every access and refresh token issued so far stops working.

    ``actor`` is who does it (for the audit log).
    """
    with transaction.atomic():
        locked = user_lock(user.pk)
        _revoke(locked)
        _audit(actor=actor, verb="user.tokens_revoked", user=locked, changes={})


def token_logout(*, refresh: str) -> None:
    """Blacklist the refresh token ``refresh`` of the current site and end its login session
    (``sessions.session_end``: its access tokens answer 401 ``session_expired`` from then on).

    Raises ``InvalidToken`` (401 ``token_not_valid``) for a token that is malformed, expired,
    already blacklisted or issued by another site; nothing is written then.
    """
    from tenant_apps.accounts.tokens import TenantRefreshToken

    try:
        token = TenantRefreshToken(refresh)  # type: ignore[arg-type]
        token.blacklist()
    except TokenError as exc:
        raise InvalidToken(exc.args[0]) from exc
    sessions.session_end(token)


def auth_settings_update(*, actor: Any, session_idle_timeout_minutes: int | None) -> AuthSettings:
    """Set the site's idle timeout of login sessions to ``session_idle_timeout_minutes`` (0: off;
    ``None``: follow the platform's ``SESSION_IDLE_TIMEOUT_MINUTES``) for admin ``actor``; audited
    (``auth_settings.updated``, ``[before, after]``) when it changes. Open sessions follow the new
    timeout from their next request: the cached value is dropped before the commit (Redis down:
    ``redis.RedisError``, answered 503 ``service_unavailable``, and nothing changes) and again after it.

    Raises ``PermissionDenied`` (403: ``actor`` does not manage the site's users), ``ApplicationError``
    400 ``validation_error`` (more than ``MAX_SESSION_IDLE_TIMEOUT_MINUTES``, or negative).
    """
    if not can_manage_users(actor):
        raise PermissionDenied("Only admins change the sign-in settings.")
    minutes = session_idle_timeout_minutes
    if minutes is not None and not 0 <= minutes <= MAX_SESSION_IDLE_TIMEOUT_MINUTES:
        message = f"From 0 (off) to {MAX_SESSION_IDLE_TIMEOUT_MINUTES} minutes."
        raise ApplicationError(message, details={"session_idle_timeout_minutes": [message]})
    with transaction.atomic():
        row = auth_settings_lock()
        before = row.session_idle_timeout_minutes
        if before != minutes:
            row.session_idle_timeout_minutes = minutes
            row.save()
            _audit_settings(actor=actor, row=row, changes={"session_idle_timeout_minutes": [before, minutes]})
            sessions.forget_site_settings()  # Redis down: raises, and nothing changes
            sessions.forget_site_settings_after_commit()
    return row


def _audit_settings(*, actor: Any, row: AuthSettings, changes: dict[str, Any]) -> None:
    if current_kind() == "public":
        return
    from tenant_apps.audit.services import audit_record

    audit_record(actor=actor, verb="auth_settings.updated", target=row, changes=changes)


def user_avatar_set(*, user: User, avatar: Any | None) -> User:
    """Replace ``user``'s avatar with the uploaded image ``avatar`` (``None``: remove it).

    The previous file is deleted from storage once the change is committed (a rolled-back change
    keeps it). ``avatar`` is expected checked already (``serializers.AvatarSerializer``).
    """
    with transaction.atomic():
        locked = user_lock(user.pk)
        old_name = locked.avatar.name or ""
        if avatar is None:
            locked.avatar = None  # type: ignore[assignment]
        else:
            locked.avatar.save(avatar.name, avatar, save=False)
        locked.save(update_fields=["avatar"])
        if old_name and old_name != locked.avatar.name:
            storage = locked.avatar.storage
            transaction.on_commit(lambda: storage.delete(old_name))
    return locked


def user_signup(*, create: Callable[[], User]) -> User:
    """Run a self sign-up's ``create`` (dj-rest-auth's ``RegisterSerializer.save``: the user, its
    role, its e-mail address) in one transaction holding one of the plan's ``users``.

    Raises ``PermissionDenied`` 403 ``plan_limit_reached`` before ``create`` runs (nothing is
    written), and whatever ``create`` raises (rolled back).
    """
    with transaction.atomic():
        plan_slot("users")
        return create()


def owner_create(*, email: str, password: str | None) -> User:
    """Create the tenant admin during provisioning.

    The owner is not counted against the plan's ``users`` (``billing.limits.limits_off``, taken by
    provisioning): a site always gets its admin.

    Without ``password`` the owner gets an unusable one and, once the provisioning transaction
    commits, an e-mail with a link to set it.
    """
    from tenant_apps.accounts.tasks import send_set_password_email

    user = user_create(email=email, password=password, roles=[ADMIN])
    if password is None:
        enqueue_on_commit(send_set_password_email, user.pk)
    return user


# --------------------------------------------------------------------------------------------
# One-time login codes
# --------------------------------------------------------------------------------------------


def _canonical_email(value: str) -> str:
    try:
        return normalize_email(value)
    except DjangoValidationError:
        raise ApplicationError(
            "Enter a valid e-mail address.",
            code=ErrorCode.VALIDATION_ERROR,
            details={"email": ["Enter a valid email address."]},
        ) from None


def normalize_address(value: str) -> str:
    """An OTP address as stored: a canonical e-mail (``addresses.normalize_email``), or E.164 phone.

    Raises ``ApplicationError`` ``validation_error`` / ``invalid_phone`` (400) when ``value`` is neither.
    """
    value = (value or "").strip()
    if "@" in value:
        return _canonical_email(value)
    return normalize_phone(value)


def _hash_code(address: str, code: str) -> str:
    return salted_hmac("accounts.otp", f"{current_schema()}:{address}:{code}", algorithm="sha256").hexdigest()


def _codes_sent_since(address: str, since: datetime) -> list[datetime]:
    """When the codes of ``address`` created since ``since`` were created, oldest first (read under
    the address's lock; a seam the race tests slow down)."""
    return list(
        OneTimeCode.objects.filter(address=address, created_at__gte=since)
        .order_by("created_at")
        .values_list("created_at", flat=True)
    )


def otp_request(*, address: str) -> None:
    """Create a 6-digit code for ``address`` and send it by e-mail or SMS.

    Always behaves the same whether or not a user has that address (no account enumeration);
    the code is only sent when an active user has exactly that address in canonical form, and
    only to the address stored on that user, never to the spelling the client typed. Rate
    limited per canonical address (look-alike spellings share one budget): at most
    ``OTP_RATE_LIMIT`` codes per ``OTP_RATE_WINDOW_SECONDS``, else ``ApplicationError``
    ``otp_rate_limited`` (429, ``details.retry_after`` in seconds, also sent as ``Retry-After``).
    """
    address = normalize_address(address)
    now = timezone.now()
    window_start = now - timedelta(seconds=settings.OTP_RATE_WINDOW_SECONDS)
    with transaction.atomic():
        # Serialise requests for one address so two concurrent ones cannot both pass the limit.
        otp_address_lock(address)
        recent = _codes_sent_since(address, window_start)
        if len(recent) >= settings.OTP_RATE_LIMIT:
            retry_after = int((recent[0] - window_start).total_seconds()) + 1
            raise RateLimited(
                "Too many codes requested for this address. Try again later.",
                code=ErrorCode.OTP_RATE_LIMITED,
                details={"retry_after": retry_after},
            )
        code = f"{secrets.randbelow(10**6):06d}"
        OneTimeCode.objects.create(
            address=address,
            code_hash=_hash_code(address, code),
            created_at=now,
            expires_at=now + timedelta(seconds=settings.OTP_TTL_SECONDS),
        )
    user = _user_for_address(address)
    if user is None:
        return
    minutes = max(1, settings.OTP_TTL_SECONDS // 60)
    message = f"Your login code is {code}. It expires in {minutes} minutes."
    if "@" in address:
        # Through the retrying e-mail task, as the site (its name as sender); the code row is
        # committed already, so the task may be sent at once (through the outbox: a broker outage
        # delays the e-mail, it does not fail the request).
        from tenant_apps.emails.tasks import send_templated_email

        enqueue_now(
            send_templated_email,
            to=[user.email],
            subject="Your login code",
            template="message",
            context={"paragraphs": [message]},
        )
    else:
        send_sms(user.phone, message)


def _user_for_address(address: str) -> User | None:
    lookup = Q(email=address) if "@" in address else Q(phone=address)
    return User.objects.filter(lookup, is_active=True).first()


def otp_verify(*, address: str, code: str) -> User:
    """Consume the latest code sent to ``address`` if ``code`` matches; return the user.

    Raises ``ApplicationError``: ``otp_invalid`` (400: wrong, unknown or consumed code, no such
    user), ``otp_expired`` (400), ``otp_attempts_exceeded`` (429: ``OTP_MAX_ATTEMPTS`` wrong
    guesses; request a new code). A wrong guess is counted even though the call fails.
    """
    address = normalize_address(address)
    invalid = ApplicationError("The code is not valid.", code=ErrorCode.OTP_INVALID)
    failure: ApplicationError | None = None
    user: User | None = None
    with transaction.atomic():
        otp = otp_latest_lock(address)
        if otp is None:
            raise invalid
        if otp.expires_at <= timezone.now():
            raise ApplicationError("The code has expired. Request a new one.", code=ErrorCode.OTP_EXPIRED)
        if otp.attempts >= settings.OTP_MAX_ATTEMPTS:
            raise RateLimited("Too many wrong codes. Request a new one.", code=ErrorCode.OTP_ATTEMPTS_EXCEEDED)
        if not constant_time_compare(otp.code_hash, _hash_code(address, (code or "").strip())):
            otp.attempts += 1
            otp.save(update_fields=["attempts"])
            failure = ApplicationError(
                "The code is not valid.",
                code=ErrorCode.OTP_INVALID,
                details={"attempts_left": settings.OTP_MAX_ATTEMPTS - otp.attempts},
            )
        else:
            user = _user_for_address(address)
            if user is None:
                raise invalid
            otp.consumed_at = timezone.now()
            otp.save(update_fields=["consumed_at"])
    if failure is not None:
        raise failure  # after the block, so the counted attempt is committed
    assert user is not None
    return user
