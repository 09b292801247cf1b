"""``/api/v1/`` routes of the tickets app (every tenant kind): ``tickets/`` and its actions (messages,
assign, priority, close, reopen)."""

from rest_framework.routers import SimpleRouter

from tenant_apps.tickets.views import TicketViewSet

router = SimpleRouter(use_regex_path=False)
router.register("tickets", TicketViewSet, basename="ticket")
urlpatterns = router.urls
