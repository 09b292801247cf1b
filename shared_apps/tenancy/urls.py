from rest_framework.routers import DefaultRouter

from shared_apps.tenancy.views import TenantViewSet

router = DefaultRouter(use_regex_path=False)
router.include_root_view = False
router.register("tenants", TenantViewSet, basename="tenant")

urlpatterns = router.urls
