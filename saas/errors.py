"""Domain errors: what a service refuses, in words a client can act on, without knowing about HTTP.

Services raise these; the API layer (``saas/api/errors.py``) turns each into the one JSON error
shape with its HTTP status. Every ``code`` a client can receive is a member of ``ErrorCode``, once,
with one meaning (``tests/saas/test_error_codes.py`` holds the code base and the README to that).

Raise the class that says what happened, with a specific code where the generic one would not let a
client act::

    raise NotFound("No such wallet.")                                   # 404 not_found
    raise Conflict("The group is full.", code=ErrorCode.GROUP_FULL)     # 409 group_full
    raise PermissionDenied("Only the student can withdraw.")            # 403 permission_denied
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any


class ErrorCode(StrEnum):
    """Every ``error.code`` of the API (README "Errors" lists them)."""

    # Generic: the request itself, authentication, permission, existence, concurrency.
    VALIDATION_ERROR = "validation_error"
    PARSE_ERROR = "parse_error"
    BAD_REQUEST = "bad_request"
    INVALID_REQUEST = "invalid_request"
    REQUEST_TOO_LARGE = "request_too_large"
    UNSUPPORTED_MEDIA_TYPE = "unsupported_media_type"
    METHOD_NOT_ALLOWED = "method_not_allowed"
    NOT_AUTHENTICATED = "not_authenticated"
    AUTHENTICATION_FAILED = "authentication_failed"
    TOKEN_NOT_VALID = "token_not_valid"
    TOKEN_REVOKED = "token_revoked"
    SESSION_EXPIRED = "session_expired"
    USER_INACTIVE = "user_inactive"
    USER_NOT_FOUND = "user_not_found"
    PERMISSION_DENIED = "permission_denied"
    CSRF_FAILED = "csrf_failed"
    NOT_FOUND = "not_found"
    CONFLICT = "conflict"
    THROTTLED = "throttled"
    SERVER_ERROR = "server_error"
    DATABASE_UNAVAILABLE = "database_unavailable"
    SERVICE_UNAVAILABLE = "service_unavailable"
    # Hosts and tenants.
    UNKNOWN_HOST = "unknown_host"
    UNKNOWN_TENANT = "unknown_tenant"
    TENANT_SUSPENDED = "tenant_suspended"
    TENANT_ARCHIVED = "tenant_archived"
    TENANT_PROVISIONING = "tenant_provisioning"
    INVALID_SLUG = "invalid_slug"
    RESERVED_SLUG = "reserved_slug"
    INVALID_KIND = "invalid_kind"
    SLUG_TAKEN = "slug_taken"
    INVALID_STATUS_TRANSITION = "invalid_status_transition"
    CONFIRMATION_REQUIRED = "confirmation_required"
    IMPERSONATION_OF_ADMIN_FORBIDDEN = "impersonation_of_admin_forbidden"
    # Tenant archives: export and restore.
    INVALID_ARCHIVE = "invalid_archive"
    ARCHIVE_SIGNATURE_INVALID = "archive_signature_invalid"
    ARCHIVE_CHECKSUM_MISMATCH = "archive_checksum_mismatch"
    ARCHIVE_NEWER_THAN_CODE = "archive_newer_than_code"
    EXPORT_NOT_READY = "export_not_ready"
    PG_TOOLS_UNAVAILABLE = "pg_tools_unavailable"
    # Custom domains.
    INVALID_DOMAIN = "invalid_domain"
    DOMAIN_TAKEN = "domain_taken"
    DOMAIN_ALREADY_ADDED = "domain_already_added"
    DOMAIN_NOT_VERIFIED = "domain_not_verified"
    # Accounts.
    INVALID_ROLE = "invalid_role"
    ROLES_MISSING = "roles_missing"
    LAST_ADMIN = "last_admin"
    EMAIL_TAKEN = "email_taken"
    PHONE_TAKEN = "phone_taken"
    INVALID_PHONE = "invalid_phone"
    OTP_INVALID = "otp_invalid"
    OTP_EXPIRED = "otp_expired"
    OTP_ATTEMPTS_EXCEEDED = "otp_attempts_exceeded"
    OTP_RATE_LIMITED = "otp_rate_limited"
    # Files.
    EMPTY_FILE = "empty_file"
    FILE_TOO_LARGE = "file_too_large"
    UNSUPPORTED_FILE_TYPE = "unsupported_file_type"
    INVALID_SIGNATURE = "invalid_signature"
    # Tickets and notifications.
    INVALID_TARGET = "invalid_target"
    INVALID_ATTACHMENT = "invalid_attachment"
    INVALID_ASSIGNEE = "invalid_assignee"
    TICKET_CLOSED = "ticket_closed"
    STREAM_UNAVAILABLE = "stream_unavailable"
    ALREADY_RETRIED = "already_retried"
    # Platform billing
    PLAN_LIMIT_REACHED = "plan_limit_reached"
    # Invoices and payments.
    OVERPAYMENT = "overpayment"
    INVOICE_CANCELLED = "invoice_cancelled"
    INVOICE_HAS_PAYMENTS = "invoice_has_payments"
    INVALID_CURRENCY = "invalid_currency"
    INVALID_LINE = "invalid_line"
    INVALID_AMOUNT = "invalid_amount"
    INVALID_DUE_DATE = "invalid_due_date"
    INVALID_CUSTOMER = "invalid_customer"
    INVALID_RECEIPT = "invalid_receipt"
    RECEIPT_IN_USE = "receipt_in_use"
    DUPLICATE_TRACKING_CODE = "duplicate_tracking_code"
    SELF_APPROVAL_FORBIDDEN = "self_approval_forbidden"
    INVALID_PAYLOAD = "invalid_payload"
    PAYMENTS_UNAVAILABLE = "payments_unavailable"
    PAYMENT_PROVIDER_ERROR = "payment_provider_error"
    PAYMENT_PROVIDER_REJECTED = "payment_provider_rejected"
    PAYMENT_NOT_REFUNDABLE = "payment_not_refundable"
    REFUND_EXCEEDS_PAYMENT = "refund_exceeds_payment"
    # Platform billing.
    BILLING_ACCOUNT_NOT_READY = "billing_account_not_ready"
    STRIPE_ACCOUNT_NOT_CONNECTED = "stripe_account_not_connected"
    # Wallet.
    INSUFFICIENT_FUNDS = "insufficient_funds"
    INSUFFICIENT_HELD_FUNDS = "insufficient_held_funds"
    SAME_WALLET = "same_wallet"
    CURRENCY_MISMATCH = "currency_mismatch"
    WALLET_LIMIT_EXCEEDED = "wallet_limit_exceeded"
    DUPLICATE_REFERENCE = "duplicate_reference"
    # School.
    INVALID_TEACHER = "invalid_teacher"
    CAPACITY_BELOW_ENROLLED = "capacity_below_enrolled"
    PROGRAM_NOT_DELETABLE = "program_not_deletable"
    PROGRAM_CLOSED = "program_closed"
    PROGRAM_NOT_RUNNING = "program_not_running"
    REGISTRATION_CLOSED = "registration_closed"
    ALREADY_ENROLLED = "already_enrolled"
    PAYMENT_REQUIRED = "payment_required"
    ALREADY_PURCHASED = "already_purchased"
    PRODUCT_UNAVAILABLE = "product_unavailable"
    PRODUCT_HAS_PURCHASES = "product_has_purchases"
    AUTHOR_HAS_PRODUCTS = "author_has_products"
    LESSON_ORDER_TAKEN = "lesson_order_taken"
    GROUP_FULL = "group_full"
    GROUP_PRODUCT_MISMATCH = "group_product_mismatch"
    SAME_GROUP = "same_group"
    NOT_A_MEMBER = "not_a_member"
    # Store catalog and shop.
    CATEGORY_HAS_PRODUCTS = "category_has_products"
    INVALID_MOVE = "invalid_move"
    RANK_TOO_LOW = "rank_too_low"
    BRAND_NOT_APPROVED = "brand_not_approved"
    BRAND_NAME_TAKEN = "brand_name_taken"
    TOO_MANY_IMAGES = "too_many_images"
    INVALID_IMAGE = "invalid_image"
    # Store: auctions, returns, reviews.
    AUCTION_NOT_LIVE = "auction_not_live"
    AUCTION_NOT_ENDED = "auction_not_ended"
    BID_TOO_LOW = "bid_too_low"
    LOCATION_REQUIRED = "location_required"
    INVALID_PRODUCT = "invalid_product"
    ORDER_NOT_DELIVERED = "order_not_delivered"
    RETURN_WINDOW_CLOSED = "return_window_closed"
    RETURN_QUANTITY_EXCEEDED = "return_quantity_exceeded"
    ALREADY_REVIEWED = "already_reviewed"
    # Store: cart, orders, delivery.
    INSUFFICIENT_STOCK = "insufficient_stock"
    CART_EMPTY = "cart_empty"
    DELIVERY_LIMIT_REACHED = "delivery_limit_reached"
    COMPLETION_NOT_DUE = "completion_not_due"
    RETURN_PENDING = "return_pending"
    PROOF_INVALID = "proof_invalid"
    PROOF_LOCKED = "proof_locked"
    # Rental: properties, bookings.
    DATES_UNAVAILABLE = "dates_unavailable"
    # Rental: inquiries.
    INQUIRY_CLOSED = "inquiry_closed"
    # Writing: orders.
    REVISION_WINDOW_CLOSED = "revision_window_closed"
    # Writing: discounts and loyalty.
    INVALID_DISCOUNT_CODE = "invalid_discount_code"
    DISCOUNT_LIMIT_REACHED = "discount_limit_reached"
    INSUFFICIENT_POINTS = "insufficient_points"
    # Writing: special orders.
    QUOTE_EXPIRED = "quote_expired"
    INSTALLMENT_OUT_OF_ORDER = "installment_out_of_order"
    INSTALLMENTS_UNPAID = "installments_unpaid"
    # Writing: class bundles.
    BUNDLE_NOT_ACTIVE = "bundle_not_active"
    BUNDLE_INSUFFICIENT_UNITS = "bundle_insufficient_units"
    # Writing: referrals, reviews.
    REFERRAL_CODE_INVALID = "referral_code_invalid"
    REFERRAL_REFUSED = "referral_refused"
    REVIEW_NOT_ALLOWED = "review_not_allowed"


class ApplicationError(Exception):
    """A domain error a client can act on: ``code`` (an ``ErrorCode``), ``status_code`` (a 4xx or,
    for an unavailable dependency, 5xx), ``message`` for people, ``details`` a JSON-serialisable
    mapping. Subclasses fix the status and the generic code; ``code=`` names a specific one."""

    code: str = ErrorCode.VALIDATION_ERROR
    status_code: int = 400

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        status_code: int | None = None,
        details: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        if status_code is not None:
            self.status_code = status_code
        self.details = details or {}


class InvalidInput(ApplicationError):
    """400: the request breaks a rule of the domain (``validation_error`` or a specific code)."""


class PermissionDenied(ApplicationError):
    """403: the user may not do this (their role, or a rule such as approving their own payment)."""

    code = ErrorCode.PERMISSION_DENIED
    status_code = 403


class NotFound(ApplicationError):
    """404: no such object, or one the user may not see (the two answer alike)."""

    code = ErrorCode.NOT_FOUND
    status_code = 404


class Conflict(ApplicationError):
    """409: the request is valid but the state of things refuses it (full, taken, already done)."""

    code = ErrorCode.CONFLICT
    status_code = 409


class PayloadTooLarge(ApplicationError):
    """413: the upload or body is larger than allowed."""

    code = ErrorCode.REQUEST_TOO_LARGE
    status_code = 413


class UnsupportedType(ApplicationError):
    """415: the content is of a type this endpoint does not take."""

    code = ErrorCode.UNSUPPORTED_MEDIA_TYPE
    status_code = 415


class RateLimited(ApplicationError):
    """429: too many requests; ``details.retry_after`` (seconds) becomes the ``Retry-After`` header."""

    code = ErrorCode.THROTTLED
    status_code = 429


class ServiceUnavailable(ApplicationError):
    """503: a dependency (Stripe, the event stream's broker) is switched off or unreachable; name
    which with ``code=``."""

    code = ErrorCode.SERVER_ERROR
    status_code = 503
