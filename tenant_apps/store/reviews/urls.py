"""``/api/v1/`` routes of the reviews app (store sites only)."""

from rest_framework.routers import SimpleRouter

from tenant_apps.store.reviews.views import ReviewViewSet

router = SimpleRouter(use_regex_path=False)
router.register("reviews", ReviewViewSet, basename="review")
urlpatterns = router.urls
