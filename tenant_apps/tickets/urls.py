from rest_framework.routers import SimpleRouter

from tenant_apps.tickets.views import TicketViewSet

router = SimpleRouter(use_regex_path=False)
router.register("tickets", TicketViewSet, basename="ticket")
urlpatterns = router.urls
