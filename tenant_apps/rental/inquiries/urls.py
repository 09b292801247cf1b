"""``/api/v1/`` routes of the inquiries app (rental sites): ``inquiries/`` and its actions (assign,
status, messages)."""

from rest_framework.routers import SimpleRouter

from tenant_apps.rental.inquiries.views import InquiryViewSet

router = SimpleRouter(use_regex_path=False)
router.register("inquiries", InquiryViewSet, basename="inquiry")
urlpatterns = router.urls
