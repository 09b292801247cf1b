"""Serializers of the auth and user-management endpoints (input validation and output only)."""

from __future__ import annotations

from typing import Any

from dj_rest_auth.forms import AllAuthPasswordResetForm
from dj_rest_auth.registration.serializers import RegisterSerializer as BaseRegisterSerializer
from dj_rest_auth.serializers import LoginSerializer as BaseLoginSerializer
from dj_rest_auth.serializers import PasswordChangeSerializer as BasePasswordChangeSerializer
from dj_rest_auth.serializers import PasswordResetSerializer as BasePasswordResetSerializer
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers

from tenant_apps.accounts.addresses import normalize_email, normalize_email_or_none
from tenant_apps.accounts.models import MAX_SESSION_IDLE_TIMEOUT_MINUTES, User
from tenant_apps.files.fields import UploadedImageField


class NormalizedEmailField(serializers.EmailField):
    """An e-mail address in canonical form (``addresses.normalize_email``), validated after normalising."""

    def to_internal_value(self, data: Any) -> str:
        value = super().to_internal_value(data)
        try:
            return normalize_email(value)
        except DjangoValidationError:
            self.fail("invalid")
        raise AssertionError("unreachable")  # self.fail raises


class LoginSerializer(BaseLoginSerializer):
    """``{email, password}``; the address is matched in canonical form."""

    username = None  # type: ignore[assignment]
    email = NormalizedEmailField()


class RegisterSerializer(BaseRegisterSerializer):
    """``{email, password1, password2, full_name?, phone?}``; the user gets the kind's default role."""

    username = None  # type: ignore[assignment]
    full_name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    phone = serializers.CharField(max_length=32, required=False, allow_blank=True)

    def validate_email(self, email: str) -> str:
        """Refuse an address any user of this site has.

        The base class only refuses addresses allauth has *verified*; users created by the site
        (owners, admin-made users) and unverified sign-ups have no such record, and saving them
        again would hit the table's unique constraint.
        """
        email = super().validate_email(email)  # the adapter's clean_email: canonical form
        if User.objects.filter(email=email).exists():
            raise serializers.ValidationError("A user is already registered with this e-mail address.")
        return email

    def validate_phone(self, value: str) -> str:
        from tenant_apps.accounts.services import normalize_phone

        if not value:
            return ""
        phone = normalize_phone(value)
        if User.objects.filter(phone=phone).exists():
            raise serializers.ValidationError("A user with this phone number exists.")
        return phone

    def save(self, request: Any) -> User:
        """Sign the user up in one transaction holding one of the plan's ``users``
        (``services.user_signup``): 403 ``plan_limit_reached`` and nothing written when none is left."""
        from tenant_apps.accounts.services import user_signup

        return user_signup(create=lambda: super(RegisterSerializer, self).save(request))

    def custom_signup(self, request: Any, user: User) -> None:
        from django.contrib.auth.models import Group

        from saas.db.tenant import current_kind
        from tenant_apps.accounts.roles import default_role

        user.full_name = self.validated_data.get("full_name", "")
        user.phone = self.validated_data.get("phone", "")
        user.save(update_fields=["full_name", "phone"])
        role = default_role(current_kind())
        if role:
            user.groups.add(*Group.objects.filter(name=role))


class CanonicalPasswordResetForm(AllAuthPasswordResetForm):
    """dj-rest-auth's reset form, matching the canonical address exactly.

    The base form e-mails the address as typed; here ``cleaned_data["email"]`` becomes the
    canonical address, which is exactly the one stored on every user it found, so the link only
    ever goes to the stored address.
    """

    def clean_email(self) -> str:
        email = normalize_email_or_none(self.cleaned_data["email"])
        self.users = [] if email is None else list(User.objects.filter(email=email, is_active=True))
        return email or self.cleaned_data["email"]


class PasswordResetSerializer(BasePasswordResetSerializer):
    """``{email}``: e-mails a reset link if an active user has that address (no enumeration)."""

    @property
    def password_reset_form_class(self) -> type[CanonicalPasswordResetForm]:
        return CanonicalPasswordResetForm


class UserDetailsSerializer(serializers.ModelSerializer):
    """The logged-in user (``/auth/user/``): own fields only; e-mail and roles are read-only."""

    roles = serializers.SerializerMethodField()
    #: Checked like the files app's uploads (size, type from the bytes, images only); read as a
    #: short-lived signed URL on the site's primary domain.
    avatar = UploadedImageField(read_only=True)  # set through PUT /auth/user/avatar/ (multipart)

    class Meta:
        model = User
        fields = ("id", "email", "full_name", "phone", "avatar", "roles", "date_joined")
        read_only_fields = ("id", "email", "roles", "date_joined")

    def get_roles(self, user: User) -> list[str]:
        return user.role_names

    def validate_phone(self, value: str) -> str:
        from tenant_apps.accounts.services import normalize_phone

        if not value:
            return ""
        phone = normalize_phone(value)
        others = User.objects.filter(phone=phone)
        if isinstance(self.instance, User):
            others = others.exclude(pk=self.instance.pk)
        if others.exists():
            raise serializers.ValidationError("A user with this phone number exists.")
        return phone


class UserSerializer(serializers.ModelSerializer):
    """A user as the tenant admin sees it (``/api/v1/users/``); ``avatar`` is a short-lived signed URL."""

    roles = serializers.SerializerMethodField()
    avatar = UploadedImageField(read_only=True)

    class Meta:
        model = User
        fields = ("id", "email", "full_name", "phone", "avatar", "roles", "is_active", "date_joined", "last_login")
        read_only_fields = fields

    def get_roles(self, user: User) -> list[str]:
        return user.role_names


class UserCreateSerializer(serializers.Serializer):
    """Input of ``POST /api/v1/users/``."""

    email = NormalizedEmailField()
    full_name = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    phone = serializers.CharField(max_length=32, required=False, allow_blank=True, default="")
    password = serializers.CharField(write_only=True, required=False, min_length=8, style={"input_type": "password"})
    roles = serializers.ListField(child=serializers.CharField(), required=False)


class UserUpdateSerializer(serializers.Serializer):
    """Input of ``PATCH /api/v1/users/{id}/``."""

    full_name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    phone = serializers.CharField(max_length=32, required=False, allow_blank=True)
    is_active = serializers.BooleanField(required=False)
    roles = serializers.ListField(child=serializers.CharField(), required=False)


class OTPRequestSerializer(serializers.Serializer):
    """``{email}`` or ``{phone}`` (exactly one)."""

    email = NormalizedEmailField(required=False)
    phone = serializers.CharField(required=False, max_length=32)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if bool(attrs.get("email")) == bool(attrs.get("phone")):
            raise serializers.ValidationError("Give either email or phone.")
        return attrs


class OTPVerifySerializer(OTPRequestSerializer):
    """``{email or phone, code}``."""

    code = serializers.RegexField(r"^\s*\d{6}\s*$", error_messages={"invalid": "The code has 6 digits."})


class SiteSerializer(serializers.Serializer):
    """The site being served: name, slug, kind and its roles."""

    name = serializers.CharField()
    slug = serializers.CharField()
    kind = serializers.CharField()
    roles = serializers.ListField(child=serializers.CharField())


class SessionStatusSerializer(serializers.Serializer):
    """``GET /auth/session/``: the site's idle timeout (seconds, 0: off) and how long the caller's
    session has left (``null`` without a timeout, or for a token issued before sessions existed)."""

    idle_timeout_seconds = serializers.IntegerField()
    expires_in_seconds = serializers.IntegerField(allow_null=True)
    expires_at = serializers.DateTimeField(allow_null=True)


class AuthSettingsSerializer(serializers.Serializer):
    """The site's sign-in settings: its own ``session_idle_timeout_minutes`` (``null``: the
    platform default; 0: off), the platform default, and the timeout in force."""

    session_idle_timeout_minutes = serializers.IntegerField(allow_null=True)
    default_session_idle_timeout_minutes = serializers.IntegerField()
    effective_session_idle_timeout_minutes = serializers.IntegerField()


class AuthSettingsUpdateSerializer(serializers.Serializer):
    """``PATCH /auth/settings/`` body: ``{session_idle_timeout_minutes}`` (``null``: back to the
    platform default; 0: off)."""

    session_idle_timeout_minutes = serializers.IntegerField(
        min_value=0, max_value=MAX_SESSION_IDLE_TIMEOUT_MINUTES, allow_null=True
    )


class PasswordChangeSerializer(BasePasswordChangeSerializer):
    """``{old_password, new_password1, new_password2}``: the old password is always required."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.old_password_field_enabled = True  # whatever REST_AUTH says
        self.fields["old_password"] = serializers.CharField(max_length=128)


class PasswordChangedSerializer(serializers.Serializer):
    """Answer of a password change: a message and a fresh token pair (older tokens are revoked)."""

    detail = serializers.CharField()
    access = serializers.CharField()
    refresh = serializers.CharField()


class RefreshTokenSerializer(serializers.Serializer):
    """``{refresh}``: a refresh token."""

    refresh = serializers.CharField()


class DetailSerializer(serializers.Serializer):
    """``{detail}``: a message for people."""

    detail = serializers.CharField()


class AvatarSerializer(serializers.Serializer):
    """``avatar``: an image file (multipart), checked like every upload (``UploadedImageField``)."""

    avatar = UploadedImageField(basename="avatar")
