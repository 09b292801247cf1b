"""``/api/v1/`` routes of the writing dashboards app (writing sites only; ``tenant_apps/writing/urls.py``)."""

from django.urls import path

from tenant_apps.writing.dashboard import views

urlpatterns = [
    path("dashboard/", views.DashboardView.as_view(), name="writing-dashboard"),
]
