"""``/api/v1/`` routes of the returns app (store sites only; ``tenant_apps/store/urls.py``)."""

from rest_framework.routers import SimpleRouter

from tenant_apps.store.returns.views import ReturnViewSet

router = SimpleRouter(use_regex_path=False)
router.register("returns", ReturnViewSet, basename="return")
urlpatterns = router.urls
