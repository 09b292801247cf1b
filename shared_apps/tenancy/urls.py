"""``/api/v1/`` routes of the platform host: the superadmin ``tenants/`` API (list, provision, inspect,
suspend, resume, archive, drop)."""

from rest_framework.routers import SimpleRouter

from shared_apps.tenancy.views import TenantViewSet

router = SimpleRouter(use_regex_path=False)
router.register("tenants", TenantViewSet, basename="tenant")

urlpatterns = router.urls
