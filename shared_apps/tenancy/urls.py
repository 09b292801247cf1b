"""``/api/v1/`` routes of the platform host: the superadmin ``tenants/`` API (list, provision, inspect,
suspend, resume, archive, drop) and ``tls/ask/``, the TLS edge's question (``TlsAskView``)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from shared_apps.tenancy.views import TenantViewSet, TlsAskView

router = SimpleRouter(use_regex_path=False)
router.register("tenants", TenantViewSet, basename="tenant")

urlpatterns = [path("tls/ask/", TlsAskView.as_view(), name="tls_ask"), *router.urls]
