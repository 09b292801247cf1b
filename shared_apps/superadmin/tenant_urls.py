"""URL patterns of the superadmin app on every tenant host: the site's impersonation sessions."""

from typing import Any

from django.urls import path

from shared_apps.superadmin.views import ImpersonationSessionListView

urlpatterns: list[Any] = [
    path("impersonations/", ImpersonationSessionListView.as_view(), name="impersonation_list"),
]
