"""The campaigns API: thin views over ``services`` and ``selectors``.

| method and path | who | does |
| --- | --- | --- |
| ``GET /campaigns/`` ``?status=`` | admins | every campaign, newest first, with its counts |
| ``POST /campaigns/`` ``{subject, html?, text, audience, inactive_days?, tier_slug?}`` | admins | a draft -> 201 |
| ``GET /campaigns/{id}/`` | admins | one campaign: status, progress counts |
| ``PATCH /campaigns/{id}/`` | admins | edit a draft or scheduled campaign |
| ``POST /campaigns/{id}/preview/`` | admins | the message as its first recipient gets it, the audience's size |
| ``POST /campaigns/{id}/send-test/`` | admins | send it once to your own address |
| ``POST /campaigns/{id}/schedule/`` ``{scheduled_at}`` | admins | schedule it (the beat starts it) |
| ``POST /campaigns/{id}/send/`` | admins | start sending now (Celery batches) |
| ``POST /campaigns/{id}/cancel/`` | admins | cancel a draft, scheduled or sending campaign |
| ``GET /campaigns/{id}/recipients/`` ``?status=`` | admins | its recipients and what happened to each |
| ``GET /unsubscribe/{token}/`` | anyone with the link | what the link does, and whether it is done |
| ``POST /unsubscribe/{token}/`` | anyone with the link (RFC 8058 one-click) | unsubscribe, no login |
| ``GET/PUT /marketing-preference/`` ``{subscribed}`` | users | see or change your own preference |

Everyone but admins gets 403 on the campaign routes, for every id. A bad, altered or other site's
unsubscribe token answers 404 ``not_found``.
"""

from __future__ import annotations

from typing import Any

from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from saas.api.schema import ErrorSerializer
from saas.api.views import VisibleQuerysetMixin
from tenant_apps.accounts.permissions import Allows
from tenant_apps.emails.services import site_name
from tenant_apps.writing.campaigns import selectors, services
from tenant_apps.writing.campaigns.access import access_campaign, can_manage_campaigns
from tenant_apps.writing.campaigns.filters import CampaignFilter, RecipientFilter
from tenant_apps.writing.campaigns.models import CampaignRecipient
from tenant_apps.writing.campaigns.serializers import (
    EmailCampaignCreateSerializer,
    EmailCampaignPreviewSerializer,
    EmailCampaignRecipientSerializer,
    EmailCampaignScheduleSerializer,
    EmailCampaignSerializer,
    EmailCampaignUpdateSerializer,
    MarketingPreferenceSerializer,
    SentTestSerializer,
    UnsubscribeSerializer,
)
from tenant_apps.writing.campaigns.tokens import read_unsubscribe_token

_ADMINS = [IsAuthenticated, Allows(can_manage_campaigns)]


def _campaign_response(request: Request, pk: Any, *, status_code: int = status.HTTP_200_OK) -> Response:
    return Response(EmailCampaignSerializer(access_campaign(user=request.user, pk=pk)).data, status=status_code)


class CampaignListView(VisibleQuerysetMixin, generics.ListAPIView):
    """``GET /api/v1/campaigns/`` (admins): every campaign, newest first, with its counts. Filter:
    ``status`` (repeatable).

    ``POST`` ``{subject, html?, text, audience, inactive_days?, tier_slug?}`` -> 201 a ``draft``.
    ``audience``: ``all_clients``, ``writers``, ``inactive_clients`` (with ``inactive_days``: no
    order and no sign-in for that many days), ``tier`` (with ``tier_slug``: the clients of that
    loyalty tier when sending starts). ``html`` is sanitised (scripts, event handlers and
    ``javascript:`` links removed). Placeholders: ``{{ first_name }}``, ``{{ full_name }}``,
    ``{{ email }}``, ``{{ site_name }}``. 400 ``validation_error``.
    """

    permission_classes = _ADMINS  # type: ignore[assignment]
    serializer_class = EmailCampaignSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = CampaignFilter

    def visible_queryset(self) -> Any:
        return selectors.campaign_list()

    @extend_schema(request=EmailCampaignCreateSerializer, responses={201: EmailCampaignSerializer})
    def post(self, request: Request) -> Response:
        serializer = EmailCampaignCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        campaign = services.campaign_create(actor=request.user, **serializer.validated_data)
        return _campaign_response(request, campaign.pk, status_code=status.HTTP_201_CREATED)


class CampaignDetailView(VisibleQuerysetMixin, generics.RetrieveAPIView):
    """``GET /api/v1/campaigns/{id}/`` (admins): one campaign with its status and progress counts
    (``recipients``, ``sent``, ``failed``, ``skipped_opted_out``, ``pending``).

    ``PATCH`` any of ``subject``, ``html``, ``text``, ``audience``, ``inactive_days``, ``tier_slug`` while
    ``draft`` or ``scheduled``. 400 ``validation_error``; 409 ``invalid_status_transition``.
    """

    permission_classes = _ADMINS  # type: ignore[assignment]
    serializer_class = EmailCampaignSerializer

    def visible_queryset(self) -> Any:
        return selectors.campaign_list()

    @extend_schema(request=EmailCampaignUpdateSerializer, responses=EmailCampaignSerializer)
    def patch(self, request: Request, pk: int) -> Response:
        campaign = access_campaign(user=request.user, pk=pk)
        serializer = EmailCampaignUpdateSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        services.campaign_update(actor=request.user, campaign=campaign, **serializer.validated_data)
        return _campaign_response(request, pk)


class CampaignPreviewView(APIView):
    """``POST /api/v1/campaigns/{id}/preview/`` (admins): the rendered ``subject``, ``html`` and
    ``text`` as the audience's first recipient (``sample_email``) would get them, unsubscribe link
    included, with ``audience_size``, ``opted_out`` and ``would_send`` as of now. Sends nothing."""

    permission_classes = _ADMINS  # type: ignore[assignment]

    @extend_schema(request=None, responses=EmailCampaignPreviewSerializer)
    def post(self, request: Request, pk: int) -> Response:
        campaign = access_campaign(user=request.user, pk=pk)
        preview = services.campaign_preview(actor=request.user, campaign=campaign)
        return Response(EmailCampaignPreviewSerializer(preview).data)


class CampaignSendTestView(APIView):
    """``POST /api/v1/campaigns/{id}/send-test/`` (admins): send the campaign once to your own
    address, subject prefixed ``[Test]`` -> ``{sent_to}``. 503 ``server_error`` when the mail
    backend refuses it."""

    permission_classes = _ADMINS  # type: ignore[assignment]

    @extend_schema(
        request=None,
        responses={
            200: SentTestSerializer,
            503: OpenApiResponse(ErrorSerializer, description="The mail backend refused it or is down."),
        },
    )
    def post(self, request: Request, pk: int) -> Response:
        campaign = access_campaign(user=request.user, pk=pk)
        return Response({"sent_to": services.campaign_send_test(actor=request.user, campaign=campaign)})


class CampaignScheduleView(APIView):
    """``POST /api/v1/campaigns/{id}/schedule/`` ``{scheduled_at}`` (admins): schedule a draft (or
    move a scheduled campaign) to a future moment; the beat task starts it within a minute of it.
    400 ``validation_error`` (not in the future); 409 ``invalid_status_transition``."""

    permission_classes = _ADMINS  # type: ignore[assignment]

    @extend_schema(request=EmailCampaignScheduleSerializer, responses=EmailCampaignSerializer)
    def post(self, request: Request, pk: int) -> Response:
        campaign = access_campaign(user=request.user, pk=pk)
        serializer = EmailCampaignScheduleSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.campaign_schedule(actor=request.user, campaign=campaign, **serializer.validated_data)
        return _campaign_response(request, pk)


class CampaignSendView(APIView):
    """``POST /api/v1/campaigns/{id}/send/`` (admins): start sending a draft or scheduled campaign
    now: the audience is snapshotted (opted-out addresses counted as skipped) and Celery sends it
    in batches; follow ``counts`` at ``GET /campaigns/{id}/``. 409 ``invalid_status_transition``."""

    permission_classes = _ADMINS  # type: ignore[assignment]

    @extend_schema(request=None, responses=EmailCampaignSerializer)
    def post(self, request: Request, pk: int) -> Response:
        campaign = access_campaign(user=request.user, pk=pk)
        services.campaign_send_now(actor=request.user, campaign=campaign)
        return _campaign_response(request, pk)


class CampaignCancelView(APIView):
    """``POST /api/v1/campaigns/{id}/cancel/`` (admins): cancel a draft, scheduled or sending
    campaign (what was sent stays sent). 409 ``invalid_status_transition``."""

    permission_classes = _ADMINS  # type: ignore[assignment]

    @extend_schema(request=None, responses=EmailCampaignSerializer)
    def post(self, request: Request, pk: int) -> Response:
        campaign = access_campaign(user=request.user, pk=pk)
        services.campaign_cancel(actor=request.user, campaign=campaign)
        return _campaign_response(request, pk)


class CampaignRecipientListView(VisibleQuerysetMixin, generics.ListAPIView):
    """``GET /api/v1/campaigns/{id}/recipients/`` (admins): the campaign's recipients by id, with
    each one's ``status`` (``pending``, ``sent``, ``failed``, ``skipped``), attempts and last
    error. Filter: ``status`` (repeatable)."""

    permission_classes = _ADMINS  # type: ignore[assignment]
    serializer_class = EmailCampaignRecipientSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = RecipientFilter

    def visible_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):  # the OpenAPI schema is built without a request
            return CampaignRecipient.objects.none()
        campaign = access_campaign(user=self.request.user, pk=self.kwargs["pk"])
        return selectors.campaign_recipients(campaign=campaign)


def _masked(email: str) -> str:
    local, _, domain = email.partition("@")
    return f"{local[:1]}***@{domain}"


class UnsubscribeView(APIView):
    """``/api/v1/unsubscribe/{token}/``: the link in every campaign e-mail, without login.

    ``GET``: which address (masked) and site it is for, and whether campaigns still reach it.
    ``POST`` (any body: the RFC 8058 one-click ``List-Unsubscribe=One-Click`` form a mail client
    sends, JSON, or none): stop campaigns to that address -> ``subscribed: false``; again changes
    nothing. 404 ``not_found``: a malformed, altered or other site's token.
    """

    permission_classes = [AllowAny]
    authentication_classes: list[Any] = []
    parser_classes = [FormParser, JSONParser, MultiPartParser]

    def _answer(self, email: str) -> Response:
        subscribed = not selectors.is_opted_out(email)
        message = (
            "POST to this address to stop these e-mails."
            if subscribed
            else "You will receive no more of these e-mails."
        )
        return Response(
            UnsubscribeSerializer(
                {"email": _masked(email), "site": site_name(), "subscribed": subscribed, "message": message}
            ).data
        )

    @extend_schema(responses=UnsubscribeSerializer)
    def get(self, request: Request, token: str) -> Response:
        return self._answer(read_unsubscribe_token(token))

    @extend_schema(request=None, responses=UnsubscribeSerializer)
    def post(self, request: Request, token: str) -> Response:
        return self._answer(services.unsubscribe_with_token(token=token))


class MarketingPreferenceView(APIView):
    """``GET /api/v1/marketing-preference/`` (signed in): ``{subscribed}``, whether campaigns reach
    your address. ``PUT`` ``{subscribed}``: change it (``false`` opts out like the unsubscribe
    link; ``true`` undoes any opt-out)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses=MarketingPreferenceSerializer)
    def get(self, request: Request) -> Response:
        return Response({"subscribed": selectors.is_subscribed(user=request.user)})

    @extend_schema(request=MarketingPreferenceSerializer, responses=MarketingPreferenceSerializer)
    def put(self, request: Request) -> Response:
        serializer = MarketingPreferenceSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        subscribed = services.marketing_preference_set(
            user=request.user, subscribed=serializer.validated_data["subscribed"]
        )
        return Response({"subscribed": subscribed})
