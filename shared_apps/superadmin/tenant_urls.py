"""URL patterns of the superadmin app on every tenant host: the site's impersonation sessions, and
ending one early."""

from typing import Any

from django.urls import path

from shared_apps.superadmin.views import (
    ImpersonationEndView,
    ImpersonationSessionEndView,
    ImpersonationSessionListView,
)

urlpatterns: list[Any] = [
    path("impersonations/", ImpersonationSessionListView.as_view(), name="impersonation_list"),
    path("impersonations/end/", ImpersonationEndView.as_view(), name="impersonation_end"),
    path("impersonations/<str:session>/end/", ImpersonationSessionEndView.as_view(), name="impersonation_session_end"),
]
