"""The site's failed e-mails (dead letters) for its admins: ``GET /api/v1/emails/failed/`` and
``POST /api/v1/emails/failed/{id}/retry/``."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from saas.api.views import VisibleQuerysetMixin
from tenant_apps.accounts.access import can_manage_users
from tenant_apps.accounts.permissions import Allows
from tenant_apps.emails import services
from tenant_apps.emails.models import FailedEmail


class FailedEmailSerializer(serializers.ModelSerializer):
    """A failed e-mail: recipients, subject, template, the last error, attempts, when it failed,
    and when (by whom) it was sent again."""

    retried_by = serializers.EmailField(source="retried_by.email", read_only=True, allow_null=True, default=None)

    class Meta:
        model = FailedEmail
        fields = ("id", "to", "subject", "template", "error", "attempts", "failed_at", "retried_at", "retried_by")
        read_only_fields = fields


class FailedEmailViewSet(VisibleQuerysetMixin, mixins.ListModelMixin, viewsets.GenericViewSet):  # type: ignore[type-arg]
    """E-mails the site could not send after every retry, newest first (admins); ``retry`` sends one
    again (202): 409 ``already_retried`` when it was."""

    permission_classes = [IsAuthenticated, Allows(can_manage_users)]  # type: ignore[list-item]
    serializer_class = FailedEmailSerializer
    extra_error_statuses = (404, 409)

    def visible_queryset(self) -> Any:
        """Every failed e-mail of the site: its admins (the permission above) see them all."""
        return FailedEmail.objects.select_related("retried_by").order_by("-failed_at", "-id")

    @extend_schema(request=None, responses={202: FailedEmailSerializer})
    @action(detail=True, methods=["post"])
    def retry(self, request: Request, pk: str | None = None) -> Response:
        failed = services.failed_email_retry(failed_email_id=_id(pk), actor=request.user)
        return Response(FailedEmailSerializer(failed).data, status=status.HTTP_202_ACCEPTED)


def _id(pk: str | None) -> int:
    from saas.errors import NotFound

    if pk is None or not pk.isdigit() or len(pk) > 18:
        raise NotFound("No such failed e-mail.")
    return int(pk)
