from rest_framework.routers import SimpleRouter

from shared_apps.tenancy.views import TenantViewSet

router = SimpleRouter(use_regex_path=False)
router.register("tenants", TenantViewSet, basename="tenant")

urlpatterns = router.urls
