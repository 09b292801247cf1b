"""Thin API views of the notifications: the REST endpoints and the SSE stream."""

from __future__ import annotations

from typing import Any

from asgiref.sync import sync_to_async
from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.handlers.asgi import ASGIRequest
from django.http import HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, generics
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from saas.api.errors import error_response, exception_handler
from saas.api.filters import MAX_ID, StrictIntegerField
from saas.api.views import VisibleQuerysetMixin
from tenant_apps.accounts.tokens import TenantJWTAuthentication
from tenant_apps.notifications import broker, selectors, services
from tenant_apps.notifications.serializers import (
    CountSerializer,
    NotificationFilterSerializer,
    NotificationSerializer,
)
from tenant_apps.notifications.stream import notification_events


@extend_schema(parameters=[NotificationFilterSerializer])
class NotificationListView(VisibleQuerysetMixin, generics.ListAPIView):
    """``GET /api/v1/notifications/[?read=true|false]``: the caller's notifications, newest first."""

    serializer_class = NotificationSerializer
    filter_backends: list[Any] = []

    def visible_queryset(self) -> Any:
        params = NotificationFilterSerializer(data=self.request.query_params)
        params.is_valid(raise_exception=True)
        return selectors.notification_list(user=self.request.user, read=params.validated_data["read"])


class NotificationReadView(APIView):
    """``POST /api/v1/notifications/{id}/read/``: mark one of the caller's notifications read."""

    @extend_schema(request=None, responses=NotificationSerializer)
    def post(self, request: Request, pk: int) -> Response:
        notification = services.notification_mark_read(user=request.user, notification_id=pk)
        return Response(NotificationSerializer(notification).data)


class NotificationReadAllView(APIView):
    """``POST /api/v1/notifications/read-all/``: mark all the caller's notifications read -> ``{count}``."""

    @extend_schema(request=None, responses=CountSerializer)
    def post(self, request: Request) -> Response:
        return Response({"count": services.notifications_mark_all_read(user=request.user)})


class NotificationUnreadCountView(APIView):
    """``GET /api/v1/notifications/unread-count/`` -> ``{count}``."""

    @extend_schema(responses=CountSerializer)
    def get(self, request: Request) -> Response:
        return Response({"count": selectors.notification_unread_count(user=request.user)})


# --------------------------------------------------------------------------------------------
# The SSE stream: a plain async Django view (DRF views are synchronous).
# --------------------------------------------------------------------------------------------
def _authentication_error(exc: exceptions.APIException) -> JsonResponse:
    """``exc`` in the API's one error shape, as the REST endpoints would answer it."""
    response = exception_handler(exc, {})
    if response is None:  # not reached: the handler answers every APIException
        return error_response("authentication_failed", "Authentication failed.", 401)
    error = JsonResponse(response.data, status=response.status_code)
    error["WWW-Authenticate"] = TenantJWTAuthentication().authenticate_header(None)  # type: ignore[arg-type]
    return error


def authenticate_stream(request: HttpRequest) -> tuple[Any, Any] | JsonResponse:
    """The ``(user, access token)`` of a stream request, or its 401 error response.

    The token comes from ``Authorization: Bearer`` or, for browsers' ``EventSource`` (which cannot
    send headers), from ``?access_token=``. It is verified by the tenant-bound token classes
    (``SIMPLE_JWT['AUTH_TOKEN_CLASSES']``), so another site's token is refused. Runs in the
    request's sync thread, where the tenant middleware set the schema.
    """
    authentication = TenantJWTAuthentication()
    try:
        header = authentication.get_header(request)  # type: ignore[arg-type]
        raw_token = authentication.get_raw_token(header) if header else None
        if raw_token is None and request.GET.get("access_token"):
            raw_token = request.GET["access_token"].encode()
        if raw_token is None:
            raise exceptions.NotAuthenticated()
        token = authentication.get_validated_token(raw_token)
        return authentication.get_user(token), token
    except exceptions.APIException as exc:
        return _authentication_error(exc)


def _last_event_id(request: HttpRequest) -> int | None:
    """``Last-Event-ID`` (sent by EventSource on reconnect) or ``?last_event_id=``; ``None`` if absent.

    Raises ``ValidationError`` (400 ``validation_error``) when it is not a whole number of ASCII
    digits (``"²"`` passes ``str.isdigit`` but is no id).
    """
    value = request.headers.get("Last-Event-ID") or request.GET.get("last_event_id") or ""
    field = StrictIntegerField(required=False, min_value=0, max_value=MAX_ID)
    try:
        return field.clean(value)
    except DjangoValidationError as exc:
        raise exceptions.ValidationError({"last_event_id": exc.messages}) from None


@csrf_exempt  # read-only; lets other methods get the JSON 405 instead of a CSRF 403
async def notification_stream(request: HttpRequest) -> HttpResponse | StreamingHttpResponse | JsonResponse:
    """``GET /api/v1/notifications/stream/``: the caller's notifications as Server-Sent Events.

    Authenticated by ``Authorization: Bearer <access>`` or ``?access_token=<access>``. The
    query parameter exists because ``EventSource`` cannot send headers; its cost is that the
    token shows up in URLs (server and proxy access logs, browser history). Mitigations: it is
    accepted on this endpoint only, access tokens are short-lived (``JWT_ACCESS_MINUTES``) and
    bound to their site, and the stream ends when the token expires (``event: token_expired``),
    so a leaked URL is worthless minutes later. Prefer the header (``fetch``-based SSE clients
    can send it). See ``stream.py`` for the wire format.

    Served under ASGI only: a WSGI worker would buffer the endless body, so it answers 501.
    While Redis (the pub/sub broker) is down it answers 503 ``stream_unavailable`` with
    ``Retry-After`` at once, rather than an empty stream; an open stream ends when Redis goes away,
    and EventSource reconnects by itself.
    """
    if request.method != "GET":
        return error_response("method_not_allowed", f'Method "{request.method}" not allowed.', 405)
    if not isinstance(request, ASGIRequest):
        return error_response("stream_unavailable", "The notification stream needs the ASGI server.", 501)
    authenticated = await sync_to_async(authenticate_stream)(request)
    if isinstance(authenticated, JsonResponse):
        return authenticated
    user, token = authenticated
    if not await sync_to_async(broker.available)():
        refused = error_response(
            "stream_unavailable", "Notifications are unavailable for a moment. Reconnect shortly.", 503
        )
        refused["Retry-After"] = str(settings.REDIS_RETRY_SECONDS)
        return refused
    try:
        last_event_id = _last_event_id(request)
    except exceptions.ValidationError as exc:
        error = exception_handler(exc, {})
        assert error is not None  # the handler answers every APIException
        return JsonResponse(error.data, status=error.status_code)
    response = StreamingHttpResponse(
        notification_events(
            tenant=request.tenant,  # type: ignore[attr-defined]
            user_id=user.pk,
            last_event_id=last_event_id,
            expires_at=float(token["exp"]),
        ),
        content_type="text/event-stream",
    )
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"  # nginx: pass each event through at once
    return response
