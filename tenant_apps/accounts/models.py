"""The user model, one-time login codes and the site's sign-in settings.

The same ``User`` table exists in the public schema (platform staff) and in every tenant schema
(that site's users); ids repeat across schemas, which is why tokens carry their tenant
(``tokens.py``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.crypto import salted_hmac

from tenant_apps.accounts.addresses import normalize_email, normalize_email_or_none


def avatar_upload_to(instance: User, filename: str) -> str:
    """Avatars are stored under the tenant's schema, so no two tenants share a path."""
    from saas.db.tenant import current_schema

    return f"{current_schema()}/avatars/{instance.pk or 'new'}/{filename}"


class UserManager(BaseUserManager["User"]):
    """Creates users identified by e-mail."""

    use_in_migrations = True

    def _create(self, email: str, password: str | None, **extra: Any) -> User:
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=normalize_email(email), **extra)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(using=self._db)
        return user

    def get_by_natural_key(self, username: str | None) -> User:
        """The user whose stored address is ``username`` in canonical form (``addresses.py``).

        Django's ``ModelBackend`` (password logins on every host) looks users up through this, so
        a look-alike spelling finds the user only if it *is* that address once normalised, and
        never through the database's own case folding. Raises ``User.DoesNotExist``.
        """
        email = normalize_email_or_none(username or "")
        if email is None:
            raise self.model.DoesNotExist
        return self.get(email=email)

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.update(is_staff=True, is_superuser=True)
        return self._create(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who logs in with an e-mail address (or a one-time code to e-mail or phone).

    ``email`` is stored in canonical form (``addresses.normalize_email``) and matched exactly.
    ``phone`` is E.164 (``+447911123456``) or empty; unique when set. Roles are auth Groups.

    ``token_version`` is written into every JWT issued for the user (``tokens.py``); raising it
    revokes all of them at once. It is raised when the password changes (any path: change,
    reset, set-password, admin), when the user is deactivated, and on "log out everywhere".
    """

    email = models.EmailField(unique=True)
    full_name = models.CharField(max_length=200, blank=True)
    phone = models.CharField(max_length=20, blank=True)
    avatar = models.ImageField(upload_to=avatar_upload_to, blank=True)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False, help_text="Platform staff (public schema only).")
    date_joined = models.DateTimeField(default=timezone.now)
    token_version = models.PositiveIntegerField(
        default=0,
        help_text="Raised to revoke every token issued before (password change, log out everywhere).",
    )

    objects: ClassVar[UserManager] = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        ordering = ("id",)
        constraints = [
            models.UniqueConstraint(fields=["phone"], condition=~Q(phone=""), name="accounts_user_phone_unique"),
        ]

    def __str__(self) -> str:
        return self.email

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Save; a new password (``set_password`` since the last save) revokes the user's tokens.

        Every way a password changes ends here (change, reset, set-password link, admin), so
        none can forget to revoke. A new user's first password revokes nothing.
        """
        if self.pk is not None and self._password is not None:  # type: ignore[attr-defined]
            self.token_version += 1
            update_fields = kwargs.get("update_fields")
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "token_version"}
        super().save(*args, **kwargs)

    def get_session_auth_hash(self) -> str:
        """The session hash of the admin sites: an HMAC of the password hash *and* ``token_version``.

        Django ends a session whose stored hash no longer matches (``django.contrib.auth.get_user``),
        so "log out everywhere", a deactivation and a password change end admin sessions exactly
        as they revoke tokens.
        """
        return self._session_auth_hash()

    def get_session_auth_fallback_hash(self) -> Iterator[str]:
        """The same hash under each of ``SECRET_KEY_FALLBACKS`` (a rotated key keeps sessions)."""
        for secret in settings.SECRET_KEY_FALLBACKS:
            yield self._session_auth_hash(secret=secret)

    def _session_auth_hash(self, secret: str | bytes | None = None) -> str:
        return salted_hmac(
            "tenant_apps.accounts.User.get_session_auth_hash",
            f"{self.password}:{self.token_version}",
            secret=secret,
            algorithm="sha256",
        ).hexdigest()

    def get_full_name(self) -> str:
        return self.full_name or self.email

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email

    @property
    def role_names(self) -> list[str]:
        """The names of this user's roles (auth Groups), sorted."""
        return sorted(g.name for g in self.groups.all())


class OneTimeCode(models.Model):
    """A 6-digit login code sent to an e-mail address or phone number.

    Only a salted HMAC of the code is stored. A code expires ``OTP_TTL_SECONDS`` after creation,
    allows ``OTP_MAX_ATTEMPTS`` wrong guesses, and is consumed by the first right one.
    """

    address = models.CharField(
        max_length=254, db_index=True, help_text="Canonical e-mail (addresses.py) or E.164 phone."
    )
    code_hash = models.CharField(max_length=128)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    consumed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at", "-id")
        indexes = [models.Index(fields=["address", "-created_at"], name="accounts_otp_address_recent")]

    def __str__(self) -> str:
        return f"code for {self.address} from {self.created_at:%Y-%m-%d %H:%M:%S}"


#: The longest idle timeout a site may set, in minutes (a week).
MAX_SESSION_IDLE_TIMEOUT_MINUTES = 7 * 24 * 60


class AuthSettings(models.Model):
    """The site's sign-in settings (one row, ``pk=1``; none yet means every default).

    ``session_idle_timeout_minutes``: minutes without API use after which a login session ends
    (``sessions.py``); ``0`` turns the timeout off, ``None`` follows the platform's
    ``SESSION_IDLE_TIMEOUT_MINUTES``.
    """

    session_idle_timeout_minutes = models.PositiveIntegerField(
        null=True, blank=True, help_text="None: the platform default (SESSION_IDLE_TIMEOUT_MINUTES); 0: off."
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "auth settings"
        constraints = [
            models.CheckConstraint(condition=Q(pk=1), name="accounts_auth_settings_single_row"),
            models.CheckConstraint(
                condition=Q(session_idle_timeout_minutes__isnull=True)
                | Q(session_idle_timeout_minutes__lte=MAX_SESSION_IDLE_TIMEOUT_MINUTES),
                name="accounts_auth_settings_idle_timeout_range",
            ),
        ]

    def __str__(self) -> str:
        return "auth settings"
