"""``/api/v1/domains/`` on every tenant host (included by ``saas.urls.tenant.tenant_urlpatterns``)."""

from rest_framework.routers import SimpleRouter

from shared_apps.tenancy.domain_views import CustomDomainViewSet

router = SimpleRouter(use_regex_path=False)
router.register("domains", CustomDomainViewSet, basename="custom-domain")

urlpatterns = router.urls
