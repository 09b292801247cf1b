"""OpenAPI helpers shared by the apps: the ``AutoSchema`` documenting error responses, and fields.

``AutoSchema`` (``REST_FRAMEWORK['DEFAULT_SCHEMA_CLASS']``) adds the error responses an
operation can answer, each with the component ``Error`` (see its docstring for the rules).

``NamedChoiceField`` is a ``ChoiceField`` documented as its own enum component (``TicketStatusEnum``,
``ProgramStatusEnum``...) instead of one named after the field: many apps have ``status`` fields
with different choices, and drf-spectacular warns on such name collisions (the OpenAPI test fails
on any warning).
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiSerializerExtension, OpenApiSerializerFieldExtension
from drf_spectacular.openapi import AutoSchema as _AutoSchema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework_simplejwt.views import TokenViewBase


class NamedChoiceField(serializers.ChoiceField):
    """A ``ChoiceField`` whose choices appear in the schema as the component ``component_name``."""

    def __init__(self, *, component_name: str, **kwargs: Any) -> None:
        self.component_name = component_name
        super().__init__(**kwargs)


class NamedChoiceFieldExtension(OpenApiSerializerFieldExtension):
    """Documents every ``NamedChoiceField`` as a string enum under its own ``component_name``."""

    target_class = NamedChoiceField
    match_subclasses = True

    def get_name(self) -> str | None:
        return str(self.target.component_name)

    def map_serializer_field(self, auto_schema: Any, direction: Any) -> dict[str, Any]:
        choices = self.target.choices
        return {
            "type": "string",
            "enum": list(choices),
            "description": "\n".join(f"* `{value}` - {label}" for value, label in choices.items()),
        }


# --------------------------------------------------------------------------------------------
# The error shape in every operation's responses.
# --------------------------------------------------------------------------------------------
class ErrorBodySerializer(serializers.Serializer):
    """The inside of an error: ``{code, message, details?}`` (see ``saas.api.errors``)."""

    code = serializers.CharField(help_text='Stable, machine-readable, snake_case: "validation_error", "not_found"...')
    message = serializers.CharField(help_text="For people.")
    details = serializers.DictField(
        required=False,
        help_text="Only when there is something to add; for validation_error, the messages of each field.",
    )


class ErrorSerializer(serializers.Serializer):
    """Every error response of the API: ``{"error": {"code", "message", "details?"}}``."""

    error = ErrorBodySerializer()


_UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}

#: Status -> what it means here; the description of each documented error response.
ERROR_DESCRIPTIONS = {
    400: "Invalid input (validation_error, parse_error, a domain rule such as invalid_state).",
    401: "Missing, invalid or expired credentials (not_authenticated, token_not_valid).",
    402: "The wallet holds too little for this payment (insufficient_funds).",
    403: "Authenticated, but not allowed (permission_denied or a role rule).",
    404: "No such object, or one you may not see (not_found); for lists, a page past the last.",
    409: "Conflicts with a change made at the same time (conflict); reload and try again.",
    413: "The request body is larger than the server accepts (request_too_large).",
    415: "The request body's Content-Type is not one this operation accepts (unsupported_media_type).",
    429: "Too many requests (throttled); retry after the Retry-After header's seconds.",
    502: "The payment provider refused or failed the request (payment_provider_error); try again later.",
    503: "Card payments are not available on this site (payments_unavailable).",
}
#: ``extra_error_statuses`` of a view that starts a card payment (Stripe).
CARD_PAYMENT_ERRORS = (502, 503)


class AutoSchema(_AutoSchema):
    """drf-spectacular's ``AutoSchema`` that documents each operation's error responses.

    Every error has the component ``Error``. Which statuses an operation documents follows from
    the view, so a new endpoint is described correctly without decorating it:

    * 400: the operation has query parameters or a request body, or writes (``POST``, ``PUT``,
      ``PATCH``, ``DELETE``: services raise ``ApplicationError`` for broken domain rules);
    * 401: the view authenticates (non-empty ``authentication_classes``): a bad token is refused
      even where anonymous access is allowed; and simplejwt's token views, which answer an
      invalid token in the body with 401 ``token_not_valid``;
    * 403: a permission class other than ``AllowAny`` applies;
    * 404: the path has parameters (a detail route), or the list is paginated (a page past the end);
    * 409: the operation writes (a unique-constraint race is answered with ``conflict``);
    * 413 and 415: the operation has a request body (too large; a media type it does not parse);
    * 429: the view has throttles (``throttle_classes``);
    * and any status a view names in ``extra_error_statuses`` (a tuple of ints, or a dict of them
      by HTTP method), for what these rules cannot see (a signed link refused with 403, a key
      looked up in the body with 404, a card payment with 502/503 when Stripe fails or is off).

    Optional query parameters get ``allowEmptyValue: true``: ``?name=`` means "not given".
    Statuses a view documents itself (``@extend_schema(responses=...)``) are kept as they are.
    """

    def get_operation(
        self, path: str, path_regex: str, path_prefix: str, method: str, registry: Any
    ) -> dict[str, Any] | None:
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is None:
            return None
        for parameter in operation.get("parameters", []):
            if parameter["in"] == "query" and not parameter.get("required"):
                # django-filter and DRF read ``?name=`` as "not given": say so, so clients may send it.
                parameter["allowEmptyValue"] = True
        responses = operation.setdefault("responses", {})
        for status_code in self.error_status_codes(operation):
            if str(status_code) not in responses:
                response = self._get_response_for_code(ErrorSerializer, str(status_code))
                response["description"] = ERROR_DESCRIPTIONS[status_code]
                responses[str(status_code)] = response
        return operation

    def error_status_codes(self, operation: dict[str, Any]) -> list[int]:
        """The error statuses this operation can answer (see the class docstring)."""
        parameters = operation.get("parameters", [])
        has_body = "requestBody" in operation
        writes = self.method in _UNSAFE_METHODS
        codes = []
        if has_body or writes or any(parameter["in"] == "query" for parameter in parameters):
            codes.append(400)
        if self._view_list("get_authenticators", "authentication_classes") or isinstance(self.view, TokenViewBase):
            codes.append(401)
        if any(
            not isinstance(permission, AllowAny)
            for permission in self._view_list("get_permissions", "permission_classes")
        ):
            codes.append(403)
        if any(parameter["in"] == "path" for parameter in parameters) or self._is_paginated_list():
            codes.append(404)
        if writes:
            codes.append(409)
        if has_body:
            codes += [413, 415]
        if self._view_list("get_throttles", "throttle_classes"):
            codes.append(429)
        extra = getattr(self.view, "extra_error_statuses", ())
        if isinstance(extra, dict):
            extra = extra.get(self.method, ())
        codes += [code for code in extra if code not in codes]
        return sorted(codes)

    def _view_list(self, getter: str, attribute: str) -> list[Any]:
        """``view.<getter>()`` (instances, per the mock request's method), else the class attribute."""
        try:
            return list(getattr(self.view, getter)())
        except Exception:  # a getter that needs more of a real request than the mock has
            return [klass() for klass in getattr(self.view, attribute, [])]

    def _is_paginated_list(self) -> bool:
        return self.method == "GET" and self._is_list_view() and self._get_paginator() is not None


# --------------------------------------------------------------------------------------------
# Required fields a serializer checks in ``validate`` but cannot state per field.
# --------------------------------------------------------------------------------------------
class OTPAddressExtension(OpenApiSerializerExtension):
    """The OTP request and verify bodies need exactly one of ``email`` and ``phone``: ``oneOf``."""

    target_class = "tenant_apps.accounts.serializers.OTPRequestSerializer"
    match_subclasses = True

    def map_serializer(self, auto_schema: Any, direction: Any) -> dict[str, Any]:
        schema: dict[str, Any] = auto_schema._map_serializer(self.target, direction, bypass_extensions=True)
        if direction == "request":
            schema["oneOf"] = [
                {"required": ["email"], "not": {"required": ["phone"]}},
                {"required": ["phone"], "not": {"required": ["email"]}},
            ]
            schema["description"] = (schema.get("description", "") + "\n\nGive exactly one of email and phone.").strip()
        return schema
