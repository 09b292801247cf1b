"""URL patterns of the superadmin app on the platform host."""

from typing import Any

from django.urls import path

from shared_apps.superadmin.views import ImpersonateView, MetricsView, TenantUsageDetailView, TenantUsageListView

urlpatterns: list[Any] = [
    path("tenants/<str:slug>/impersonate/", ImpersonateView.as_view(), name="tenant_impersonate"),
    path("tenant-usage/", TenantUsageListView.as_view(), name="tenant_usage_list"),
    path("tenants/<str:slug>/usage/", TenantUsageDetailView.as_view(), name="tenant_usage"),
    path("metrics/", MetricsView.as_view(), name="metrics"),
]
