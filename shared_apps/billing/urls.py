"""``/api/v1/`` routes of the platform host for billing: ``plans/`` (public list; staff create,
read, change). A tenant's plan change by staff is ``tenants/{slug}/plan/`` (``tenancy.views``)."""

from typing import Any

from rest_framework.routers import SimpleRouter

from shared_apps.billing.views import PlanViewSet

router = SimpleRouter(use_regex_path=False)
router.register("plans", PlanViewSet, basename="plan")

urlpatterns: list[Any] = [*router.urls]
