"""URL patterns of the superadmin app on the platform host."""

from typing import Any

from django.urls import path

from shared_apps.superadmin.views import ImpersonateView

urlpatterns: list[Any] = [
    path("tenants/<str:slug>/impersonate/", ImpersonateView.as_view(), name="tenant_impersonate"),
]
