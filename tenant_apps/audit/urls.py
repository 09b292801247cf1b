"""``/api/v1/`` routes of the audit app (every tenant kind): ``audit-log/``, the tenant admin's read-only
list."""

from rest_framework.routers import SimpleRouter

from tenant_apps.audit.views import AuditLogViewSet

router = SimpleRouter(use_regex_path=False)
router.register("audit-log", AuditLogViewSet, basename="audit-log")
urlpatterns = router.urls
