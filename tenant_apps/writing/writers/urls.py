"""``/api/v1/`` routes of the writing writers app (writing sites only; ``tenant_apps/writing/urls.py``)."""

from django.urls import path

from tenant_apps.writing.writers import views

urlpatterns = [
    path("writer-levels/", views.WriterLevelListView.as_view(), name="writing-writer-level-list"),
    path("writer-levels/<int:pk>/", views.WriterLevelDetailView.as_view(), name="writing-writer-level-detail"),
    path("writers/", views.WriterListView.as_view(), name="writing-writer-list"),
    path("writers/me/", views.WriterMeView.as_view(), name="writing-writer-me"),
    path("writers/<int:pk>/", views.WriterDetailView.as_view(), name="writing-writer-detail"),
]
