"""``/api/v1/`` routes of the writing fines app (writing sites only; ``tenant_apps/writing/urls.py``)."""

from django.urls import path

from tenant_apps.writing.fines import views

urlpatterns = [
    path("fines/", views.FineListView.as_view(), name="writing-fines-list"),
    path("fines/settings/", views.FineSettingsView.as_view(), name="writing-fines-settings"),
    path("fines/<int:pk>/", views.FineDetailView.as_view(), name="writing-fines-detail"),
    path("fines/<int:pk>/appeal/", views.FineAppealView.as_view(), name="writing-fines-appeal"),
    path("fines/<int:pk>/accept/", views.FineAcceptView.as_view(), name="writing-fines-accept"),
    path("fines/<int:pk>/reject/", views.FineRejectView.as_view(), name="writing-fines-reject"),
]
