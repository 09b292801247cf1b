"""``/api/v1/emails/failed/``: the site's failed e-mails (admins)."""

from rest_framework.routers import SimpleRouter

from tenant_apps.emails.views import FailedEmailViewSet

router = SimpleRouter(use_regex_path=False)
router.register("emails/failed", FailedEmailViewSet, basename="failed-email")

urlpatterns = router.urls
