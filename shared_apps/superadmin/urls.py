"""URL patterns of the superadmin app on the platform host."""

from typing import Any

from django.urls import path
from rest_framework.routers import SimpleRouter

from shared_apps.superadmin.views import (
    ImpersonateView,
    MetricsView,
    TenantExportStartView,
    TenantExportViewSet,
    TenantImportViewSet,
    TenantUsageDetailView,
    TenantUsageListView,
)

router = SimpleRouter(use_regex_path=False)
router.register("tenant-exports", TenantExportViewSet, basename="tenant-export")
router.register("tenant-imports", TenantImportViewSet, basename="tenant-import")

urlpatterns: list[Any] = [
    path("tenants/<str:slug>/impersonate/", ImpersonateView.as_view(), name="tenant_impersonate"),
    path("tenants/<str:slug>/exports/", TenantExportStartView.as_view(), name="tenant_export_start"),
    path("tenant-usage/", TenantUsageListView.as_view(), name="tenant_usage_list"),
    path("tenants/<str:slug>/usage/", TenantUsageDetailView.as_view(), name="tenant_usage"),
    path("metrics/", MetricsView.as_view(), name="metrics"),
    *router.urls,
]
