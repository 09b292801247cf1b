"""``/api/v1/`` routes of the auctions app (store sites only)."""

from rest_framework.routers import SimpleRouter

from tenant_apps.store.auctions.views import AuctionViewSet

router = SimpleRouter(use_regex_path=False)
router.register("auctions", AuctionViewSet, basename="auction")
urlpatterns = router.urls
