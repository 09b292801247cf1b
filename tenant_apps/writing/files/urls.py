"""``/api/v1/`` routes of the order files app (writing sites only; ``tenant_apps/writing/urls.py``)."""

from django.urls import path

from tenant_apps.writing.files import views

urlpatterns = [
    path("orders/<int:pk>/files/", views.OrderFileListView.as_view(), name="writing-order-files"),
    path("orders/<int:pk>/files/<int:file_id>/", views.OrderFileDetailView.as_view(), name="writing-order-file-detail"),
]
